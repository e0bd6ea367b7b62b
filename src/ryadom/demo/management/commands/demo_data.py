from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ryadom.analytics.services import rollups_rebuild
from ryadom.demo.generate import generate, is_empty
from ryadom.demo.plan import DEFAULT_SEED, SCALES


class Command(BaseCommand):
    help = (
        "Fill the database with repeatable demo data: institutions, NGOs, volunteers, veterans "
        "and 13 weeks of care requests (small: four regions; national: all 89 at full size), "
        "then build the dashboards' figures from them."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--scale", choices=sorted(SCALES), default="small")
        parser.add_argument(
            "--seed", type=int, default=DEFAULT_SEED, help="the same seed gives the same data"
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="do nothing when institutions exist already (so `make demo` can run twice)",
        )
        parser.add_argument("--batch-size", type=int, default=2000, help="rows per INSERT")

    def handle(self, *args: Any, **options: Any) -> None:
        if not is_empty():
            if options["if_empty"]:
                self.stdout.write("Demo data: institutions exist already, nothing generated.")
                return
            raise CommandError(
                "The database has institutions already. Generate into an empty database "
                "(a new RYADOM_VAR_DIR or DATABASE_URL), or pass --if-empty to skip."
            )
        try:
            loader = generate(
                plan=SCALES[options["scale"]],
                seed=options["seed"],
                out=self.stdout,
                batch_size=options["batch_size"],
            )
        except LookupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(loader.summary())
        started = time.monotonic()
        counts = rollups_rebuild()
        self.stdout.write(
            f"Dashboards built from the requests in {time.monotonic() - started:.1f} s "
            f"({counts['facts']:,} request facts): /dashboard/ shows them now."
        )
