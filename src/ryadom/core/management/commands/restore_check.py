"""`ryadom restore_check --source URL --target URL`: does a restored database match?"""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from ryadom.core.dbcheck import differences, figures


class Command(BaseCommand):
    help = (
        "Compare two PostgreSQL databases table by table (row count and an md5 of the rows "
        "in primary-key order) and sequence by sequence: the restore drill of "
        "docs/operations.md. Fails, naming each difference, unless they match."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--source", required=True, help="the database backed up")
        parser.add_argument("--target", required=True, help="the database restored")

    def handle(self, *args: Any, **options: Any) -> None:
        for option in ("source", "target"):
            if not options[option].startswith(("postgres://", "postgresql://")):
                raise CommandError(f"--{option} must be a postgres:// URL of the database")
        started = time.monotonic()
        try:
            source, target = figures(options["source"]), figures(options["target"])
        except Exception as exc:  # noqa: BLE001 - a database that cannot be read is the answer
            raise CommandError(f"cannot read the figures: {type(exc).__name__}: {exc}") from exc
        wrong = differences(source, target)
        rows = sum(n for n, _sum in source.tables.values())
        took = time.monotonic() - started
        if wrong:
            raise CommandError(
                f"{len(wrong)} difference(s) between the source and the restored database:\n"
                + "\n".join(wrong)
            )
        self.stdout.write(
            f"{len(source.tables)} tables ({rows} rows) and {len(source.sequences)} sequences "
            f"match: counts and checksums are the same ({took:.1f} s)"
        )
