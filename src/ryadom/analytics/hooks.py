"""Rollups follow care, aftercare and referrals: subscribed to their events (apps.py),
refreshed by a task after commit."""

from __future__ import annotations

from typing import Any

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


def _enqueue_discharge(stay_id: int) -> None:
    from ryadom.analytics.tasks import refresh_discharge

    refresh_discharge.enqueue(stay_id=stay_id)


def discharge_changed(stay_id: int) -> None:
    """Queue a refresh of this discharge's fact and cells once the caller's write commits."""
    transaction.on_commit(lambda: _enqueue_discharge(stay_id), robust=True)


def veteran_discharged(*, stay: Any, **_rest: Any) -> None:
    discharge_changed(stay.pk)


def _enqueue_referral(referral_id: int) -> None:
    from ryadom.analytics.tasks import refresh_referral

    refresh_referral.enqueue(referral_id=referral_id)


def referral_changed(*, referral: Any, **_rest: Any) -> None:
    """A referral sent, answered or cancelled: refresh its fact and cells after commit."""
    referral_id = referral.pk
    transaction.on_commit(lambda: _enqueue_referral(referral_id), robust=True)
