"""Bulk import benchmark: N volunteer rows from the template, checked and imported.

    .venv/bin/python bench/imports.py [--rows 100000] [--format xlsx|csv] [--database-url URL]

Fills a fresh database (a SQLite file in a temporary directory, or with --database-url a
PostgreSQL database that is dropped and made again) with the reference data and one NGO,
writes N volunteers into the volunteers' template, then times, as the pages and the task
run them: the upload with its dry run, the import after confirmation, and importing the
same file again (which must change nothing). It fails when the counts are wrong, and at
100,000 rows or more when the import takes longer than 60 s.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from urllib.parse import urlsplit, urlunsplit

TARGET_ROWS, TARGET_SECONDS = 100_000, 60.0


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--rows", type=int, default=100_000)
    p.add_argument("--format", choices=("xlsx", "csv"), default="xlsx")
    p.add_argument("--database-url", default="", help="PostgreSQL (made again); default SQLite")
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args()


def _prepare_postgres(url: str) -> None:
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(server, autocommit=True) as c:
        c.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(name)))
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def main() -> None:
    args = _parse()
    with tempfile.TemporaryDirectory(prefix="ryadom-bench-imports-") as tmp:
        os.environ["RYADOM_VAR_DIR"] = tmp
        if args.database_url:
            _prepare_postgres(args.database_url)
            os.environ["DATABASE_URL"] = args.database_url
        else:
            os.environ.pop("DATABASE_URL", None)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ryadom.config.settings")
        import django

        django.setup()
        sys.exit(_run(args))


def _rows(n: int, inn: str, seed: int) -> list[dict[str, str]]:
    rng = random.Random(seed)
    towns = ["Москва", "Зеленоград", "Троицк"]
    skills = ["driving", "first_aid", "sign_language", "computer"]
    return [
        {
            "last_name": rng.choice(["Иванова", "Петров", "Смирнова", "Кузнецов"]),
            "first_name": rng.choice(["Анна", "Иван", "Мария", "Пётр"]),
            "phone": f"+7900{i:07d}",
            "email": f"volunteer{i}@example.org" if i % 3 == 0 else "",
            "gender": "ж" if i % 2 else "м",
            "birth_year": str(rng.randint(1950, 2005)),
            "region": "77",
            "settlement": rng.choice(towns),
            "skills": "; ".join(rng.sample(skills, rng.randint(0, 2))),
            "languages": "ru",
            "travel_radius_km": str(rng.randint(5, 40)),
            "ngo": inn,
            "consent": "да",
            "consent_date": f"{rng.randint(1, 28):02d}.0{rng.randint(1, 9)}.2025",
        }
        for i in range(n)
    ]


def _run(args: argparse.Namespace) -> int:
    from django.core.management import call_command
    from django.db import connection

    from ryadom.accounts.models import Role, User
    from ryadom.accounts.services import role_assign
    from ryadom.catalogue.models import Skill
    from ryadom.geo.models import Region
    from ryadom.imports import runner, services
    from ryadom.imports.models import ImportBatch
    from ryadom.imports.report import template_csv, template_xlsx
    from ryadom.organisations.services import organisation_register
    from ryadom.volunteers.models import Volunteer

    print(f"# Bulk import of volunteers ({connection.vendor}, {os.cpu_count()} CPUs)")
    call_command("migrate", verbosity=0)
    moscow = Region.objects.get(code="77")
    ngo = organisation_register(
        actor=None,
        name="АНО «Рядом»",
        inn="7707083893",
        ogrn="1027700132195",
        kind="ano",
        home_region=moscow,
        regions=[moscow],
    )
    federal = User.objects.create(username="federal")
    role_assign(actor=None, user=federal, role=Role.FEDERAL_COORDINATOR)
    sheet = runner.KINDS["volunteers"].sheet
    rows = _rows(args.rows, ngo.inn, args.seed)
    known = set(Skill.objects.values_list("code", flat=True))
    for row in rows:
        row["skills"] = "; ".join(s for s in row["skills"].split("; ") if s in known)
    started = time.perf_counter()
    if args.format == "xlsx":
        content = template_xlsx(sheet, "ru", rows)
    else:
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerows([r.get(c.key, "") for c in sheet.columns] for r in rows)
        content = template_csv(sheet, "ru") + out.getvalue().encode()
    made = time.perf_counter() - started
    figures = []

    def timed(label: str, work: object) -> ImportBatch:
        t, cpu = time.perf_counter(), time.process_time()
        batch = work()  # type: ignore[operator]
        figures.append((label, time.perf_counter() - t, time.process_time() - cpu, batch))
        return batch

    def check() -> ImportBatch:
        batch = services.batch_upload(
            actor=federal, kind="volunteers", filename=f"v.{args.format}", content=content
        )
        return runner.batch_check(batch) if batch.status == "checking" else batch

    def confirm(batch: ImportBatch) -> ImportBatch:
        batch = services.batch_confirm(actor=federal, batch=batch)
        return runner.batch_import(batch) if batch.status == "importing" else batch

    first = timed("upload and dry run", check)
    if first.problem_count:
        print("FAILED: the dry run found problems:", first.problems[:5])
        return 1
    done = timed("import after confirming", lambda: confirm(first))
    again = timed("the same file again: dry run", check)
    timed("the same file again: import", lambda: confirm(again))
    size = len(content) / 1024 / 1024
    print(
        f"\n{args.rows:,} rows, {args.format.upper()} of {size:.1f} MB (written in {made:.1f} s)\n"
    )
    # CPU seconds are this process's own: on a shared machine they say what the work costs.
    print("| step | seconds | CPU s | rows/s | new | changed | unchanged | problems |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for label, seconds, cpu, batch in figures:
        c = batch.counts
        print(
            f"| {label} | {seconds:.1f} | {cpu:.1f} | {args.rows / seconds:,.0f} | "
            f"{c.get('create', 0)} | "
            f"{c.get('update', 0)} | {c.get('unchanged', 0)} | {batch.problem_count} |"
        )
    failures = []
    if done.status != "done" or Volunteer.objects.count() != args.rows:
        failures.append(f"import: {done.status}, {Volunteer.objects.count()} volunteers")
    if figures[-1][3].counts.get("unchanged") != args.rows:
        failures.append("the same file again changed rows")
    if args.rows >= TARGET_ROWS and figures[1][1] > TARGET_SECONDS:
        failures.append(f"the import took {figures[1][1]:.0f} s, over {TARGET_SECONDS:.0f} s")
    for failure in failures:
        print("FAILED:", failure)
    return 1 if failures else 0


if __name__ == "__main__":
    main()
