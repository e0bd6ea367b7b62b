"""Deadline checks and the announcement of new requests. Idempotent: each re-reads the
request and exits if it moved on."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ryadom.care.deadlines import next_check
from ryadom.care.lifecycle import DONE_STATES
from ryadom.care.models import CareRequest


@task()
def check_deadline(request_id: int) -> str:
    """Escalate a request whose deadline passed before the work was done."""
    from ryadom.care.services.coordination import request_escalate

    request = CareRequest.objects.filter(pk=request_id).first()
    now = timezone.now()
    if request is None or request.status in DONE_STATES:
        return "done"
    due = next_check(deadline=request.deadline, level=request.escalation_level)
    if due is None or now < due:
        return "not due"
    escalated = request_escalate(request=request, expected_level=request.escalation_level)
    next_due = next_check(deadline=escalated.deadline, level=escalated.escalation_level)
    if next_due is not None:
        transaction.on_commit(
            lambda: check_deadline.using(run_after=next_due).enqueue(request_id=request_id),
            robust=True,
        )
    return f"escalated to {escalated.escalation_level}"


@task()
def request_announce(request_id: int) -> str:
    """Tell the apps above of a request just accepted (its message, rollups, the deadline's
    watch), once: a second run, or one for a request announced since, does nothing."""
    from ryadom.care.services.intake import request_announce as announce

    return "announced" if announce(request_id=request_id) is not None else "done before"
