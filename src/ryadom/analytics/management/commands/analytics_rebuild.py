"""Rebuild every fact and rollup from the raw tables (what the nightly task does)."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand

from ryadom.analytics.services import rollups_rebuild


class Command(BaseCommand):
    help = "Rebuild analytics facts, rollups and volunteer snapshots from the raw tables."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--nightly",
            action="store_true",
            help="Queue the rebuild for the worker tonight, and every night after.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["nightly"]:
            from ryadom.analytics.tasks import next_night, rebuild_rollups

            due = next_night()
            rebuild_rollups.using(run_after=due).enqueue(reschedule=True)
            self.stdout.write(f"rebuild queued for {due:%Y-%m-%d %H:%M %Z}, then nightly")
            return
        started = time.monotonic()
        counts = rollups_rebuild()
        took = time.monotonic() - started
        rows = ", ".join(f"{name} {n}" for name, n in counts.items())
        self.stdout.write(f"rebuilt in {took:.1f} s: {rows}")
