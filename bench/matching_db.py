"""Matching from the database: how long loading a region takes, next to the solve.

    .venv/bin/python bench/matching_db.py --region 77 --volunteers 20000 --requests 5000
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ryadom_bench .venv/bin/python \\
        bench/matching_db.py --region 77 --volunteers 20000 --requests 5000

Fills an empty database (by default a fresh SQLite file in a temporary directory; with
DATABASE_URL, that database, which must be empty and is left filled) with the demo-data
generator for one region, adds what the generator does not make (passed checks for
members of NGOs, one open request per veteran in treatment), then times
`dispatch.adapter.load` (the queries and the arrays) and `matching.assign` separately,
as `dispatch.services.matching_run_create` runs them.
"""

from __future__ import annotations

import argparse
import datetime
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path


def _parse() -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--region", default="77", help="region code (default 77, Moscow)")
    p.add_argument("--volunteers", type=int, default=20_000)
    p.add_argument("--requests", type=int, default=5_000, help="veterans, one request each")
    p.add_argument("--institutions", type=int, default=60)
    p.add_argument("--organisations", type=int, default=120)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--repeat", type=int, default=3, help="loads and solves timed (median)")
    return p.parse_args()


def main() -> None:
    args = _parse()
    with tempfile.TemporaryDirectory(prefix="ryadom-bench-db-") as tmp:
        # Never the demo's database in var/ (make exports RYADOM_VAR_DIR): a fresh one here.
        os.environ["RYADOM_VAR_DIR"] = tmp
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ryadom.config.settings")
        import django

        django.setup()
        _run(args)


def _run(args: argparse.Namespace) -> None:
    import numpy as np
    from django.core.management import call_command
    from django.db import connection

    from ryadom.care.models import CareRequest
    from ryadom.dispatch import adapter
    from ryadom.geo.models import Region
    from ryadom.matching import assign
    from ryadom.volunteers.models import Volunteer

    print(f"# Matching from the database ({connection.vendor}, {os.cpu_count()} CPUs)")
    started = time.perf_counter()
    call_command("migrate", verbosity=0)
    _fill(args)
    print(f"made in {time.perf_counter() - started:.0f} s")
    region = Region.objects.get(code=args.region)
    requests = CareRequest.objects.filter(region=region, status__in=adapter.OPEN_FOR_MATCHING)
    volunteers = Volunteer.objects.filter(region=region)
    loads, solves = [], []
    for _ in range(args.repeat):
        loaded = adapter.load(requests, volunteers)
        loads.append(loaded.seconds)
        t = time.perf_counter()
        result = assign(loaded.requests, loaded.volunteers)
        solves.append(time.perf_counter() - t)
    cleared = int(np.diff(loaded.volunteers.clearance.indptr).astype(bool).sum())
    print(
        f"\n| region | requests | volunteers | cleared somewhere | matched | database load s "
        f"(median of {args.repeat}) | solve s | peak RSS MB |\n|---|--:|--:|--:|--:|--:|--:|--:|"
    )
    print(
        f"| {region.code} {region.name_en} | {len(loaded.requests):,} | "
        f"{len(loaded.volunteers):,} | {cleared:,} | {len(result.proposals):,} | "
        f"{sorted(loads)[len(loads) // 2]:.2f} | {sorted(solves)[len(solves) // 2]:.2f} | "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} |"
    )


def _fill(args: argparse.Namespace) -> None:
    """The demo generator for one region, then checks and open requests."""
    from ryadom.demo.generate import generate, is_empty
    from ryadom.demo.plan import Plan

    if not is_empty():
        sys.exit("the database is not empty: give an empty one (DATABASE_URL) or none")
    plan = Plan(
        name="bench",
        region_codes=(args.region,),
        institutions=args.institutions,
        military_regions=1,
        organisations=args.organisations,
        volunteers=args.volunteers,
        veterans=args.requests,
        chunk=10_000,
    )

    class Quiet:
        def write(self, text: str, /) -> object:
            return None

        def flush(self) -> object:
            return None

    generate(plan=plan, out=Quiet(), seed=args.seed)
    rng = random.Random(args.seed)  # noqa: S311 - a benchmark's data
    _checks(rng)
    _requests(rng)


def _checks(rng: random.Random) -> None:
    """Members of an NGO have the checks of a pass; a third also security screening. The demo
    generator has already recorded checks for some members: those rows stay as they are."""
    from django.utils import timezone

    from ryadom.volunteers.models import Check, CheckKind, CheckStatus, Membership

    now = timezone.now()
    members = set(Membership.objects.values_list("volunteer_id", flat=True))
    basic = (CheckKind.IDENTITY, CheckKind.AGREEMENT, CheckKind.TRAINING, CheckKind.MEDICAL)
    rows = [
        Check(volunteer_id=v, kind=kind, status=CheckStatus.PASSED, verified_at=now)
        for v in sorted(members)
        for kind in (*basic, *((CheckKind.SCREENING,) if rng.random() < 0.33 else ()))
    ]
    Check.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)


def _requests(rng: random.Random) -> None:
    """One triaged request per veteran in treatment, at the institution of their stay."""
    from django.utils import timezone

    from ryadom.care.models import CareRequest, Channel, Status
    from ryadom.catalogue.models import ServiceType
    from ryadom.veterans.models import Stay

    now = timezone.now()
    services = list(ServiceType.objects.filter(is_active=True).values_list("pk", flat=True))
    stays = Stay.objects.filter(discharged_on__isnull=True).values_list(
        "veteran_id", "institution_id", "institution__region_id"
    )
    rows = [
        CareRequest(
            region_id=region,
            institution_id=institution,
            veteran_id=veteran,
            service_type_id=rng.choice(services),
            urgency=rng.choice(["normal"] * 6 + ["urgent"] * 3 + ["critical"]),
            channel=Channel.WARD,
            status=Status.TRIAGED,
            created_at=now - datetime.timedelta(hours=rng.uniform(0, 96)),
            deadline=now + datetime.timedelta(hours=rng.uniform(-12, 72)),
            wants_previous_volunteer=rng.random() < 0.1,
        )
        for veteran, institution, region in stays
    ]
    CareRequest.objects.bulk_create(rows, batch_size=5000)


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
    main()
