"""Rollups follow care: subscribed to care's `request_changed` event, refreshed after commit."""

from __future__ import annotations

from django.db import transaction

from ryadom.core.tasks import in_task


def _enqueue(request_id: int) -> None:
    from ryadom.analytics.tasks import refresh_request

    refresh_request.enqueue(request_id=request_id)


def _refresh(request_id: int) -> None:
    from ryadom.analytics.services import request_rollups_refresh

    request_rollups_refresh(request_id=request_id)


def request_changed(request_id: int) -> None:
    """Refresh this request's fact and rollups once the caller's write commits: in a web
    request, by a task enqueued then (the answer does not wait for it); inside a task (a new
    request's announcement, an escalation), at once in that task, which saves the worker a
    job of its own per change."""
    if in_task():
        transaction.on_commit(lambda: _refresh(request_id), robust=True)
    else:
        transaction.on_commit(lambda: _enqueue(request_id), robust=True)
