"""The first contact's deadline, watched as care's deadlines are (care/deadlines.py)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ryadom.aftercare.models import DischargePlan, FollowUpContact, PlanStatus
from ryadom.care.deadlines import next_check


@task()
def check_first_contact(plan_id: int) -> str:
    """Escalate a hand-over whose first contact was not made by its deadline."""
    from ryadom.aftercare.services import plan_escalate

    plan = DischargePlan.objects.filter(pk=plan_id).first()
    if plan is None or plan.status != PlanStatus.HANDED_OVER or plan.first_contact_at:
        return "done"
    due = next_check(deadline=plan.first_contact_due, level=plan.escalation_level)  # type: ignore[arg-type]
    if due is None or timezone.now() < due:
        return "not due"
    escalated = plan_escalate(plan=plan, expected_level=plan.escalation_level)
    next_due = next_check(deadline=escalated.first_contact_due, level=escalated.escalation_level)  # type: ignore[arg-type]
    if next_due is not None:
        transaction.on_commit(
            lambda: check_first_contact.using(run_after=next_due).enqueue(plan_id=plan_id)
        )
    return f"escalated to {escalated.escalation_level}"


@task()
def announce_contact_due(contact_id: int) -> str:
    """A follow-up contact's day has come: tell the apps above, if it is still open."""
    from ryadom.aftercare.contacts import contact_due_announce

    contact = FollowUpContact.objects.select_related("plan").filter(pk=contact_id).first()
    if contact is None:
        return "gone"
    return "announced" if contact_due_announce(contact=contact) else "not open or not due"
