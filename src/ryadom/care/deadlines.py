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


def watch(request: CareRequest) -> None:
    """Enqueue the deadline check for when the deadline passes, once the write commits."""
    from ryadom.care.tasks import check_deadline

    request_id, run_after = request.pk, request.deadline
    transaction.on_commit(
        lambda: check_deadline.using(run_after=run_after).enqueue(request_id=request_id),
        robust=True,
    )
