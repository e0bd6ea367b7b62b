"""The daily sweep of checks about to expire. Idempotent: each message has a dedupe key per
check and expiry, and each day's sweep runs once whatever enqueues it."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ryadom.volunteers.models import ExpiryWarningRun
from ryadom.volunteers.services import expiring_checks_warn

# The sweep runs each morning, Moscow time, when people read their messages; quiet hours
# hold back what would reach someone in the night of another zone.
SWEEP_AT = datetime.time(9)


def next_sweep_at(day: datetime.date) -> datetime.datetime:
    """When the sweep of the day after `day` is due."""
    zone = timezone.get_default_timezone()
    return datetime.datetime.combine(day + datetime.timedelta(days=1), SWEEP_AT, tzinfo=zone)


@task()
def warn_expiring_checks(day: str | None = None) -> str:
    """Warn of checks expiring within 30 days, then enqueue tomorrow's sweep.

    Of two sweeps of the same day (the chain started twice, a retried task), the second
    finds that day's row and stops, so duplicate chains merge into one.
    """
    on = datetime.date.fromisoformat(day) if day else timezone.localdate()
    with transaction.atomic():
        run, created = ExpiryWarningRun.objects.select_for_update().get_or_create(day=on)
        if not created:
            return f"{on}: already swept"
        run.warned = expiring_checks_warn(on=on)
        run.save(update_fields=["warned"])
        tomorrow = (on + datetime.timedelta(days=1)).isoformat()
        transaction.on_commit(
            lambda: warn_expiring_checks.using(run_after=next_sweep_at(on)).enqueue(day=tomorrow),
            robust=True,
        )
    return f"{on}: warned about {run.warned} checks"
