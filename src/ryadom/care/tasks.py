"""Deadline checks. Idempotent: each re-reads the request and exits if it moved on."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ryadom.care.deadlines import FEDERAL_AFTER
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
    due = request.deadline + FEDERAL_AFTER * request.escalation_level
    if now < due or request.escalation_level >= 2:
        return "not due"
    escalated = request_escalate(request=request, expected_level=request.escalation_level)
    if escalated.escalation_level < 2:
        next_due = escalated.deadline + FEDERAL_AFTER * escalated.escalation_level
        transaction.on_commit(
            lambda: check_deadline.using(run_after=next_due).enqueue(request_id=request_id),
            robust=True,
        )
    return f"escalated to {escalated.escalation_level}"
