from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ryadom.referrals.tasks import sweep_answers, sweep_now


class Command(BaseCommand):
    help = (
        "Start the sweep of referrals waiting for the partner's answer: partners are reminded "
        "before the deadline, coordinators told after it; it then enqueues itself."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Sweep once in this process, without a chain."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            reminded, escalated = sweep_now()
            self.stdout.write(f"reminded {reminded}, escalated {escalated}")
        else:
            result = sweep_answers.enqueue()
            self.stdout.write(f"enqueued {result.id}")
