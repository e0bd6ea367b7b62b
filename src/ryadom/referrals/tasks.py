"""The answer sweep: partners reminded before their deadline, coordinators told after it.
A chain: each run enqueues the next (`ryadom referrals_sweep` starts it; `schedules_start`
starts it when nothing of it is waiting). Each reminder and escalation is a compare-and-set,
so a run repeated or two chains at once tell nobody twice."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from ryadom.referrals.conf import referral_settings
from ryadom.referrals.models import Referral, Status


def sweep_now() -> tuple[int, int]:
    """Remind and escalate what is due at this moment; (reminded, escalated)."""
    from ryadom.referrals.services import referral_escalate, referral_remind

    now, conf = timezone.now(), referral_settings()
    waiting = Referral.objects.filter(status=Status.SENT)
    to_remind = waiting.filter(
        reminded_at__isnull=True, answer_due__gt=now, answer_due__lte=now + conf.remind_before
    ).values_list("pk", flat=True)
    overdue = waiting.filter(escalated_at__isnull=True, answer_due__lte=now)
    reminded = sum(referral_remind(referral_id=pk) for pk in list(to_remind))
    escalated = sum(
        referral_escalate(referral_id=pk) for pk in list(overdue.values_list("pk", flat=True))
    )
    return reminded, escalated


@task()
def sweep_answers() -> str:
    """One sweep, then the next one enqueued `sweep_every` later."""
    reminded, escalated = sweep_now()
    run_after = timezone.now() + referral_settings().sweep_every
    transaction.on_commit(lambda: sweep_answers.using(run_after=run_after).enqueue())
    return f"reminded {reminded}, escalated {escalated}"
