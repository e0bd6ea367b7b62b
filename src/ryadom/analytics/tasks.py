"""Rollup upkeep. Every task is idempotent: each recomputes from the raw tables."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django_tasks import task

from ryadom.analytics import services
from ryadom.analytics.models import DischargeFact, ReferralFact

NIGHTLY_AT = datetime.time(3, 30)  # national (Moscow) time: the quietest hour


@task()
def refresh_request(request_id: int) -> str:
    """Bring one request's fact, its rollup cells and its volunteers up to date."""
    changed = services.request_rollups_refresh(request_id=request_id)
    return "changed" if changed else "unchanged"


@task()
def refresh_discharge(stay_id: int) -> str:
    """Bring one discharge's fact and its cells after the ward up to date."""
    changed = services.after_ward_refresh(model=DischargeFact, pk=stay_id)
    return "changed" if changed else "unchanged"


@task()
def refresh_referral(referral_id: int) -> str:
    """Bring one referral's fact and its cells after the ward up to date."""
    changed = services.after_ward_refresh(model=ReferralFact, pk=referral_id)
    return "changed" if changed else "unchanged"


def next_night(now: datetime.datetime | None = None) -> datetime.datetime:
    """The next NIGHTLY_AT, in the national calendar."""
    local = timezone.localtime(now)
    due = local.replace(hour=NIGHTLY_AT.hour, minute=NIGHTLY_AT.minute, second=0, microsecond=0)
    return due if due > local else due + datetime.timedelta(days=1)


@task()
def rebuild_rollups(reschedule: bool = False) -> dict[str, int]:
    """The nightly rebuild of every fact, rollup and volunteer snapshot from raw tables.

    With `reschedule` it enqueues itself for the next night: deferred tasks, not cron.
    """
    counts = services.rollups_rebuild()
    if reschedule:
        rebuild_rollups.using(run_after=next_night()).enqueue(reschedule=True)
    return counts
