"""Rollups follow care: subscribed to care's `request_changed` event, refreshed after commit."""

from __future__ import annotations

from django.db import transaction


def _enqueue(request_id: int) -> None:
    from ryadom.analytics.tasks import refresh_request

    refresh_request.enqueue(request_id=request_id)


def request_changed(request_id: int) -> None:
    """Queue a refresh of this request's fact and rollups once the caller's write commits."""
    transaction.on_commit(lambda: _enqueue(request_id), robust=True)
