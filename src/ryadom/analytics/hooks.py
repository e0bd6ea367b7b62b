"""Rollups follow care, aftercare and referrals: subscribed to their events (apps.py),
refreshed by a task after commit."""

from __future__ import annotations

from typing import Any

from django.db import transaction


def _enqueue(request_id: int) -> None:
    from ryadom.analytics.tasks import refresh_request

    refresh_request.enqueue(request_id=request_id)


def request_changed(request_id: int) -> None:
    """Queue a refresh of this request's fact and rollups once the caller's write commits."""
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
