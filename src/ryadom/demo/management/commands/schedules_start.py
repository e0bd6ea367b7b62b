"""`ryadom schedules_start`: start each periodic task chain once; safe to run every time."""

from __future__ import annotations

from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus, task_backends
from django_tasks_db.models import DBTaskResult

from ryadom.analytics.tasks import rebuild_rollups
from ryadom.notifications.tasks import digests_plan
from ryadom.referrals.tasks import sweep_answers
from ryadom.volunteers.tasks import warn_expiring_checks

DEFAULT_QUEUE = "default"  # where the chains' tasks go (they name no other queue)
# (the chain's task, the command that starts it, its arguments). Each chain enqueues its
# next run itself, so a waiting task means the chain is alive: starting it again would make
# two chains (two nightly rebuilds, forever).
CHAINS = (
    (warn_expiring_checks, "warn_expiring_checks", ()),
    (rebuild_rollups, "analytics_rebuild", ("--nightly",)),
    # The digests plan themselves a day ahead; the same command requeues lost messages.
    (digests_plan, "notifications_requeue", ()),
    # Partners reminded before a referral's answer is due, coordinators told after it.
    (sweep_answers, "referrals_sweep", ()),
)


def _waiting_task_paths() -> set[str]:
    """The tasks waiting in the queue, due now or later, whichever backend holds them."""
    if type(task_backends[DEFAULT_TASK_BACKEND_ALIAS]).__name__ == "RQBackend":
        import django_rq  # installed only with the Redis task backend
        from rq.job import Job
        from rq.registry import ScheduledJobRegistry

        queue = django_rq.get_queue(DEFAULT_QUEUE)
        ids = [*queue.get_job_ids(), *ScheduledJobRegistry(queue=queue).get_job_ids()]
        jobs = Job.fetch_many(ids, connection=queue.connection)
        return {job.func_name for job in jobs if job is not None and job.func_name}
    # Waiting includes "due later": a chain's next run sits there until its time.
    return set(
        DBTaskResult.objects.filter(status=TaskResultStatus.READY).values_list(
            "task_path", flat=True
        )
    )


class Command(BaseCommand):
    help = (
        "Start the periodic task chains (daily check-expiry warnings, the nightly analytics "
        "rebuild, the coordinators' digests, the message safety net and the referrals' answer "
        "sweep) unless already queued."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        waiting = _waiting_task_paths()
        for task, command, arguments in CHAINS:
            if task.module_path in waiting:
                self.stdout.write(f"{command}: already queued, left alone")
                continue
            self.stdout.write(f"{command}:")
            call_command(command, *arguments, stdout=self.stdout)
