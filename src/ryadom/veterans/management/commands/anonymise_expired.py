"""`ryadom anonymise_expired [--enqueue]`: run the retention task now or hand it to a worker.

Run daily (a timer of the host, or a worker's own schedule): the task itself is idempotent.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from ryadom.veterans.tasks import anonymise_expired


class Command(BaseCommand):
    help = "Anonymise veterans whose retention period has ended."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--enqueue", action="store_true", help="Run it in a worker.")

    def handle(self, *args: Any, enqueue: bool = False, **options: Any) -> None:
        if enqueue:
            result = anonymise_expired.enqueue()
            self.stdout.write(f"enqueued {result.id}")
            return
        self.stdout.write(f"anonymised {anonymise_expired.call()}")
