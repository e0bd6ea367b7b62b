"""Analytics benchmark: the federal dashboard's data from rollups vs plain GROUP BY.

    .venv/bin/python bench/analytics.py [--requests 5000000] [--keep] [--database-url URL]

Makes (or, with --keep, reuses) a PostgreSQL database, `ryadom_bench` unless --database-url
names another (it is dropped and made again): the demo generator's national shape (every
region, 1,000 institutions; fewer volunteers than the national demo) and N care requests
with their timelines, visits, feedback and complaints, inserted by `INSERT … SELECT
generate_series` in the database itself. Then it times the full rollup rebuild, the
federal page's figures from the rollups (warm, median of 20) and the same figures by plain
GROUP BY over the raw tables (median of 3), and prints a table.
It fails when the rollups and the raw tables disagree, and, at 1,000,000 requests or more,
when the targets are not met. A smoke run (`make bench-smoke`) is tiny:
--requests 3000 --volunteers 300 --institutions 200 --organisations 30 --veterans 200.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit, urlunsplit

BENCH_URL = "postgres://postgres@127.0.0.1:5432/ryadom_bench"
# Below this many requests a run checks that the benchmark works, not how fast it is.
TARGETS_FROM = 1_000_000


def _prepare_database(url: str, keep: bool) -> bool:
    """Create the bench database; True when it already exists and `keep` says reuse it."""
    import psycopg
    from psycopg import sql

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    server = urlunsplit(parts._replace(scheme="postgresql", path="/postgres"))
    with psycopg.connect(server, autocommit=True) as c:
        exists = c.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        if exists and keep:
            return True
        if exists:
            c.execute(sql.SQL("DROP DATABASE {}").format(sql.Identifier(name)))
        c.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    return False


def _sql(statement: str, params: list[Any] | None = None) -> None:
    from django.db import connection

    with connection.cursor() as cursor:
        if params is None:
            cursor.execute(statement)
        else:
            cursor.execute(statement, params)


def _generate_base(args: argparse.Namespace) -> None:
    import io

    from django.core.management import call_command

    from ryadom.demo.generate import generate
    from ryadom.demo.plan import NATIONAL, Plan

    call_command("migrate", verbosity=0)
    plan = Plan(
        name="bench",
        region_codes=(),
        institutions=args.institutions,
        # As many regions with military hospitals as the national shape has per institution.
        military_regions=max(
            1, args.institutions * NATIONAL.military_regions // NATIONAL.institutions
        ),
        organisations=args.organisations,
        volunteers=args.volunteers,
        veterans=args.veterans,
        chunk=10_000,
    )
    started = time.monotonic()
    generate(plan=plan, out=io.StringIO())
    print(f"  base data (demo generator, {args.volunteers} volunteers): {_since(started)}")


def _generate_requests(requests: int) -> None:
    _sql("TRUNCATE care_carerequest, care_event, care_visit, care_feedback, care_complaint CASCADE")
    _sql("SET synchronous_commit = off")
    started = time.monotonic()
    # Pseudo-random but repeatable per row: u(k) is a uniform number in [0, 1) from the id.
    steps = [
        "SELECT setseed(0.42)",
        "CREATE TEMP TABLE b_inst AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id,"
        " region_id FROM institutions_institution",
        "CREATE TEMP TABLE b_org AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id"
        " FROM organisations_organisation",
        "CREATE TEMP TABLE b_vol AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id"
        " FROM volunteers_volunteer",
        "CREATE TEMP TABLE b_svc AS SELECT row_number() OVER (ORDER BY id) - 1 AS n, id,"
        " standard_hours FROM catalogue_servicetype",
        # Statuses: most requests of the last two years are done; the recent ones are open.
        """INSERT INTO care_carerequest (region_id, institution_id, service_type_id, details,
             urgency, channel, requester_name, wants_previous_volunteer, status,
             organisation_id, volunteer_id, deadline, escalation_level, idempotency_key,
             idempotency_hash, to_announce, created_at, updated_at)
           SELECT i.region_id, i.id, s.id, '', 'normal', 'web', '', false, st.status,
             CASE WHEN st.status IN ('new', 'triaged') THEN NULL ELSE o.id END,
             CASE WHEN st.status IN ('new', 'triaged', 'cancelled') THEN NULL ELSE v.id END,
             g.created + make_interval(hours => s.standard_hours),
             CASE WHEN st.status IN ('new', 'triaged', 'assigned') AND random() < 0.3
                  THEN 1 ELSE 0 END,
             '', '', false, g.created, g.created
           FROM (SELECT n, now() - (random() * interval '730 days') AS created, random() AS u
                 FROM generate_series(1, %s) AS n) AS g
           JOIN b_inst i ON i.n = mod(g.n, (SELECT count(*) FROM b_inst))
           JOIN b_svc s ON s.n = mod(g.n / 7, (SELECT count(*) FROM b_svc))
           JOIN b_org o ON o.n = mod(g.n * 31, (SELECT count(*) FROM b_org))
           JOIN b_vol v ON v.n = mod(g.n * 17, (SELECT count(*) FROM b_vol))
           CROSS JOIN LATERAL (SELECT CASE
               WHEN g.created > now() - interval '3 days' THEN
                 (ARRAY['new', 'triaged', 'assigned', 'scheduled', 'in_progress'])
                 [1 + floor(g.u * 5)::int]
               WHEN g.u < 0.70 THEN 'confirmed'
               WHEN g.u < 0.82 THEN 'completed'
               WHEN g.u < 0.90 THEN 'cancelled'
               WHEN g.u < 0.94 THEN 'triaged'
               ELSE 'assigned' END AS status) AS st""",
        "CREATE TEMP TABLE b_req AS SELECT id, status, created_at, volunteer_id,"
        " mod(id * 2654435761, 4294967296) / 4294967296.0 AS u1,"
        " mod(id * 40503 + 12345, 65536) / 65536.0 AS u2 FROM care_carerequest",
        """INSERT INTO care_event
             (request_id, at, action, from_status, to_status, note, code, params)
           SELECT id, created_at, 'create', '', 'new', '', '', '{}' FROM b_req""",
        """INSERT INTO care_event
             (request_id, at, action, from_status, to_status, note, code, params)
           SELECT id, created_at + make_interval(mins => floor(-ln(1 - u1) * 600)::int),
             'assign', 'triaged', 'assigned', '', '', '{}'
           FROM b_req WHERE status NOT IN ('new', 'triaged', 'cancelled')""",
        """INSERT INTO care_event
             (request_id, at, action, from_status, to_status, note, code, params)
           SELECT id, created_at + make_interval(mins => floor(-ln(1 - u1) * 600)::int
                                                   + 60 + floor(u2 * 4000)::int),
             'complete', 'in_progress', 'completed', '', '', '{}'
           FROM b_req WHERE status IN ('completed', 'confirmed')""",
        """INSERT INTO care_visit (request_id, volunteer_id, starts, ends, checked_in_at,
             checked_out_at, outcome)
           SELECT id, volunteer_id,
             created_at + make_interval(mins => floor(-ln(1 - u1) * 600)::int + 30),
             created_at + make_interval(mins => floor(-ln(1 - u1) * 600)::int + 150),
             created_at + make_interval(mins => floor(-ln(1 - u1) * 600)::int + 30),
             created_at + make_interval(mins => floor(-ln(1 - u1) * 600)::int + 60
                                          + floor(u2 * 4000)::int),
             ''
           FROM b_req WHERE status IN ('completed', 'confirmed')""",
        """INSERT INTO care_feedback (request_id, given_by_id, at, done, rating, respectful,
             comment)
           SELECT id, (SELECT min(id) FROM accounts_user), created_at + interval '4 days',
             true, 1 + floor(u2 * 5)::int, u1 > 0.04, ''
           FROM b_req WHERE status = 'confirmed'""",
        """INSERT INTO care_complaint (request_id, feedback_id, opened_at, answer, upheld,
             answered_at)
           SELECT request_id, id, at, 'answered', mod(request_id, 3) = 0, at + interval '1 day'
           FROM care_feedback WHERE NOT respectful""",
        "ANALYZE",
    ]
    for statement in steps:
        _sql(statement, [requests] if "generate_series" in statement else None)
    print(f"  {requests:,} requests with timelines, visits, feedback: {_since(started)}")


def _since(started: float) -> str:
    return f"{time.monotonic() - started:.1f} s"


# The federal page's figures straight from the raw tables, as one would write them
# without rollups: per region, for requests created in the period, and the backlog now.
RAW_PERIOD = """
SELECT c.region_id, count(*) AS created, count(a.first_at) AS assigned,
  count(*) FILTER (WHERE c.status IN ('completed', 'confirmed')) AS completed,
  count(*) FILTER (WHERE c.status = 'confirmed') AS confirmed,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM a.first_at - c.created_at))
    / 3600 AS median_assign_hours,
  percentile_cont(0.5) WITHIN GROUP (ORDER BY EXTRACT(EPOCH FROM d.last_at - c.created_at))
    FILTER (WHERE c.status IN ('completed', 'confirmed')) / 3600 AS median_complete_hours,
  sum(fb.n) AS feedback, sum(fb.r) AS respectful
FROM care_carerequest c
LEFT JOIN (SELECT request_id, min(at) AS first_at FROM care_event
           WHERE action IN ('assign', 'claim') GROUP BY request_id) a ON a.request_id = c.id
LEFT JOIN (SELECT request_id, max(at) AS last_at FROM care_event
           WHERE action = 'complete' GROUP BY request_id) d ON d.request_id = c.id
LEFT JOIN (SELECT request_id, count(*) AS n, count(*) FILTER (WHERE respectful) AS r
           FROM care_feedback GROUP BY request_id) fb ON fb.request_id = c.id
WHERE c.created_at >= %s AND c.created_at < %s
GROUP BY c.region_id
"""
RAW_NOW = """
SELECT region_id, count(*) FILTER (WHERE status <> 'completed' AND escalation_level > 0),
  count(*) FILTER (WHERE status IN ('new', 'triaged')), count(*)
FROM care_carerequest WHERE status NOT IN ('confirmed', 'cancelled') GROUP BY region_id
"""
RAW_NGOS = """
SELECT region_id, count(DISTINCT organisation_id) FROM care_carerequest
WHERE created_at >= %s AND created_at < %s AND organisation_id IS NOT NULL GROUP BY region_id
"""
RAW_VETERANS = """
SELECT i.region_id, count(DISTINCT s.veteran_id) FROM veterans_stay s
JOIN institutions_institution i ON i.id = s.institution_id
WHERE s.discharged_on IS NULL GROUP BY i.region_id
"""
RAW_VOLUNTEERS = """
SELECT v.region_id,
  count(*) FILTER (WHERE last.at >= %s OR held.volunteer_id IS NOT NULL) AS active,
  count(*) FILTER (WHERE (last.at IS NULL OR last.at < %s) AND held.volunteer_id IS NULL
    AND EXISTS (SELECT 1 FROM volunteers_membership m WHERE m.volunteer_id = v.id
                AND m.status = 'approved')
    AND EXISTS (SELECT 1 FROM volunteers_check k WHERE k.volunteer_id = v.id
                AND k.kind = 'identity' AND k.status = 'passed'
                AND (k.valid_until IS NULL OR k.valid_until >= CURRENT_DATE))) AS idle
FROM volunteers_volunteer v
LEFT JOIN (SELECT volunteer_id, max(starts) AS at FROM care_visit GROUP BY volunteer_id) last
  ON last.volunteer_id = v.id
LEFT JOIN (SELECT DISTINCT volunteer_id FROM care_carerequest
           WHERE status IN ('assigned', 'scheduled', 'in_progress')) held
  ON held.volunteer_id = v.id
GROUP BY v.region_id
"""


def _raw_figures(start: Any, end: Any, idle_since: Any) -> dict[str, list[Any]]:
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        for name, sql, params in (
            ("period", RAW_PERIOD, [start, end]),
            ("now", RAW_NOW, []),
            ("ngos", RAW_NGOS, [start, end]),
            ("veterans", RAW_VETERANS, []),
            ("volunteers", RAW_VOLUNTEERS, [idle_since, idle_since]),
        ):
            cursor.execute(sql, params or None)
            out[name] = cursor.fetchall()
    return out


def _median_of(runs: int, call: Callable[[], Any]) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(runs):
        started = time.perf_counter()
        result = call()
        times.append(time.perf_counter() - started)
    return statistics.median(times), result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5_000_000)
    parser.add_argument("--volunteers", type=int, default=50_000)
    parser.add_argument("--institutions", type=int, default=1000)
    parser.add_argument("--organisations", type=int, default=2000)
    parser.add_argument("--veterans", type=int, default=20_000)
    parser.add_argument(
        "--database-url",
        default=BENCH_URL,
        help=f"the PostgreSQL database to make (dropped first if it exists); {BENCH_URL}",
    )
    parser.add_argument("--keep", action="store_true", help="reuse the data of an earlier run")
    parser.add_argument(
        "--reuse-base",
        action="store_true",
        help="keep an earlier run's institutions, NGOs and volunteers; make new requests",
    )
    args = parser.parse_args()

    os.environ["DATABASE_URL"] = args.database_url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ryadom.config.settings")
    reused = _prepare_database(args.database_url, args.keep or args.reuse_base)
    import django

    django.setup()
    import datetime

    from django.db import connection
    from django.utils import timezone

    from ryadom.accounts.models import Role, User
    from ryadom.accounts.services import role_assign
    from ryadom.analytics.reports import federal_page
    from ryadom.analytics.selectors import IDLE_AFTER, Filters
    from ryadom.analytics.services import rollups_rebuild
    from ryadom.care.models import CareRequest

    print(f"# Analytics benchmark ({os.cpu_count()} CPUs, load {os.getloadavg()[0]:.1f})")
    if reused:
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
    else:
        _generate_base(args)
    if not reused or (args.reuse_base and not args.keep):
        _generate_requests(args.requests)
    total = CareRequest.objects.count()
    started = time.monotonic()
    counts = rollups_rebuild()
    rebuild = time.monotonic() - started
    print(f"  rebuild: {rebuild:.1f} s ({', '.join(f'{k} {v:,}' for k, v in counts.items())})")

    federal = User.objects.filter(username="bench-federal").first()
    if federal is None:
        federal = User.objects.create(username="bench-federal")
        role_assign(actor=None, user=federal, role=Role.FEDERAL_COORDINATOR)
    filters = Filters.last_weeks(12)

    def from_rollups() -> Any:
        # What the page's view gets: the figures, the coverage gaps and the map, from a
        # fresh user (the scope is read again).
        actor = User.objects.get(pk=federal.pk)
        return federal_page(actor=actor, filters=filters, measure="waiting")["rows"]

    from_rollups()  # warm the cache
    rollup_time, rows = _median_of(20, from_rollups)
    start = datetime.datetime.combine(
        filters.first_week, datetime.time(), tzinfo=timezone.get_current_timezone()
    )
    end = timezone.now() + datetime.timedelta(days=1)
    idle_since = timezone.localdate() - IDLE_AFTER
    _raw_figures(start, end, idle_since)  # warm the cache
    raw_time, raw = _median_of(3, lambda: _raw_figures(start, end, idle_since))
    queries = len(connection.queries) if connection.queries_log else "n/a"
    del queries

    created_rollup = sum(r.created for r in rows)
    created_raw = sum(r[1] for r in raw["period"])
    open_rollup = sum(r.open for r in rows)
    open_raw = sum(r[3] for r in raw["now"])
    print()
    print(f"| measure ({total:,} requests, 2 years; period: last 12 weeks) | value |")
    print("|---|---|")
    print(f"| full rebuild of facts and rollups | {rebuild:.1f} s |")
    print(f"| federal page data from rollups, warm, median of 20 | {rollup_time * 1000:.0f} ms |")
    print(f"| same figures by GROUP BY over raw tables, median of 3 | {raw_time * 1000:.0f} ms |")
    print(f"| ratio | {raw_time / rollup_time:.0f}× |")
    print(f"| requests in period: rollups / raw | {created_rollup:,} / {created_raw:,} |")
    print(f"| open now: rollups / raw | {open_rollup:,} / {open_raw:,} |")
    moscow = next((r for r in rows if r.code == "77"), None)
    if moscow is not None:
        raw_moscow = next((r for r in raw["period"] if r[0] == moscow.key), None)
        print(
            f"| Moscow median hours to assignment: histogram / exact | "
            f"{moscow.median_assign_hours or 0:.1f} / {(raw_moscow or [0] * 9)[5] or 0:.1f} |"
        )
    if (created_rollup, open_rollup) != (created_raw, open_raw):
        sys.exit("the rollups disagree with the raw tables")
    if total < TARGETS_FROM:
        print(f"\ntargets not judged below {TARGETS_FROM:,} requests")
        return
    ok = rollup_time <= 0.3 and raw_time / rollup_time >= 10 and rebuild <= 600
    print(f"\ntargets (≤ 300 ms, ≥ 10×, rebuild ≤ 10 min): {'met' if ok else 'NOT met'}")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
