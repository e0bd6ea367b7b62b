"""The HSDS 3.0 export of a whole demo country, built and validated (docs/hsds.md).

    .venv/bin/python bench/hsds_export.py --database-url postgres://…/ryadom_national
    .venv/bin/python bench/hsds_export.py            # the small demo, in a temporary SQLite

Builds the data package (`interop/datapackage.py::build`, as GET /api/v1/hsds/datapackage.zip
does when its cache is cold) from the database given, which must hold a demo
(`ryadom demo-data --scale national`), or from a small demo made for the run; then reads every
table back and validates every row, as the object it stands for, against the pinned HSDS 3.0
schemas (tests/interop/hsds_schema), with the same check as the tests. Prints the rows of
each table and the time of the build and of the check; fails when a row does not validate.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--database-url", default="", help="a demo's database; default: make one")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ryadom-bench-hsds-") as tmp:
        os.environ["RYADOM_VAR_DIR"] = tmp
        if args.database_url:
            os.environ["DATABASE_URL"] = args.database_url
        else:
            os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ryadom.config.settings")
        sys.path.insert(0, str(ROOT))
        import django

        django.setup()
        sys.exit(_run(made=not args.database_url))


def _run(*, made: bool) -> int:
    from django.core.management import call_command
    from django.utils import translation
    from tests.interop.schemas import package_problems, read_package

    from ryadom.interop.datapackage import build
    from ryadom.organisations.models import Organisation

    if made:
        call_command("migrate", verbosity=0)
        call_command("demo_data", scale="small", stdout=io.StringIO())
    if not Organisation.objects.exists():
        print("The database holds no directory: make a demo first (ryadom demo-data).")
        return 2
    with translation.override("ru"):
        began = time.monotonic()
        body = build()
        built = time.monotonic() - began
    began = time.monotonic()
    descriptor, tables = read_package(body)
    problems = package_problems(descriptor, tables)
    checked = time.monotonic() - began
    print(f"# HSDS 3.0 data package ({django_database()})\n")
    print(f"{len(body) / 1024:,.0f} KB zip, built in {built:.1f} s, checked in {checked:.1f} s\n")
    print("| table | rows |\n|---|---:|")
    for name, rows in tables.items():
        print(f"| {name} | {len(rows):,} |")
    rows = sum(len(r) for r in tables.values())
    for line in problems[:20]:
        print(line)
    print(f"\n{rows:,} rows in {len(tables)} tables: {len(problems)} problems against the schemas")
    return 1 if problems else 0


def django_database() -> str:
    from django.db import connection

    return f"{connection.vendor}, {connection.settings_dict['NAME']}"


if __name__ == "__main__":
    main()
