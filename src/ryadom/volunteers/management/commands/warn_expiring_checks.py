from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ryadom.volunteers.tasks import warn_expiring_checks


class Command(BaseCommand):
    help = (
        "Start the daily sweep of checks expiring within 30 days: it runs today (once, however "
        "often this is called) and then enqueues itself for each next morning."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--now", action="store_true", help="Sweep in this process instead of enqueuing."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["now"]:
            self.stdout.write(warn_expiring_checks.call())
        else:
            result = warn_expiring_checks.enqueue()
            self.stdout.write(f"enqueued {result.id}")
