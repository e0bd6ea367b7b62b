"""Deadlines from the service standard and urgency, watched by deferred tasks (no polling)."""

from __future__ import annotations

import datetime

from django.db import transaction

from ryadom.care.models import CareRequest, Urgency
from ryadom.catalogue.models import ServiceType

# An urgent request gets half the standard's time, a very urgent one a quarter, never less
# than two hours: someone must be able to get there.
URGENCY_SHARE = {Urgency.NORMAL: 1.0, Urgency.URGENT: 0.5, Urgency.CRITICAL: 0.25}
MINIMUM = datetime.timedelta(hours=2)
# After a missed deadline the regional coordinator has this long before it goes federal.
FEDERAL_AFTER = datetime.timedelta(hours=24)


def deadline_for(
    *, service_type: ServiceType, urgency: str, start: datetime.datetime
) -> datetime.datetime:
    hours = service_type.standard_hours * URGENCY_SHARE[Urgency(urgency)]
    return start + max(datetime.timedelta(hours=hours), MINIMUM)


def next_check(*, deadline: datetime.datetime, level: int) -> datetime.datetime | None:
    """When a deadline at this escalation level is next due: the deadline itself (level 0),
    a day later for federal staff (level 1); None once it has gone federal. Care's requests
    and aftercare's first contacts escalate by this one rule."""
    return None if level >= 2 else deadline + FEDERAL_AFTER * level


def watch(request: CareRequest) -> None:
    """Enqueue the deadline check for when the deadline passes, once the write commits."""
    from ryadom.care.tasks import check_deadline

    request_id, run_after = request.pk, request.deadline
    transaction.on_commit(
        lambda: check_deadline.using(run_after=run_after).enqueue(request_id=request_id),
        robust=True,
    )
