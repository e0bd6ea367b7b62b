"""Load figures of the production topology, as ratios to GET /api/v1/health in the same run.

    python bench/load/run.py                      # start the cluster, run every phase, stop it
    python bench/load/run.py --seconds 5 --signups 200   # a short run
    python bench/load/run.py --phases soak --soak-minutes 30     # the soak alone

Phases, each with the same number of closed-loop clients (no think time), after a short
warm-up whose requests are not counted:
  health   GET /api/v1/health only: the baseline
  intake   a relative asks for help (POST /api/v1/requests with an Idempotency-Key)
  mix      relatives asking, coordinators' queue and triage, volunteers' pages, dashboards,
           the public directory (bench/load/locustfile.py MIX)
  surge    volunteers signing up at /join/ (a code by e-mail each), until --signups are in;
           then every code message must be in the outbox, and sent or waiting to be sent
  soak     the mix for --soak-minutes, reading every program's memory and the task queue's
           depth (bench/load/soak.py); only when asked: --phases soak --soak-minutes 30
The cluster starts from a fresh database with the small demo and an empty Redis database.
Also: how many SQL queries one API intake runs. The rate limits are raised for the run (all
clients come from one address and a few accounts), as is the staff second factor, which
costs a sign-in and not a request.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser
from locust.env import Environment

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]
import locustfile as lf  # noqa: E402
from cluster import BIN, Cluster  # noqa: E402
from cluster_check import tokens  # noqa: E402
from soak import soak, soak_report  # noqa: E402

LOAD_ENV = {
    "RYADOM_RATE_INTAKE": "1000000/h",
    "RYADOM_RATE_LOGIN": "1000000/h",
    "RYADOM_RATE_SIGNUP": "1000000/h",
    "RYADOM_RATE_ONE_TIME_CODE": "1000000/h",
    "RYADOM_2FA_REQUIRED": "0",
}
QUERIES = """
import django, json, sys, uuid
django.setup()
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
body = json.loads(sys.argv[1])
client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION="Bearer " + sys.argv[2])
client.post("/api/v1/requests", body, content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))  # warm: first-use caches
with CaptureQueriesContext(connection) as queries:
    answer = client.post("/api/v1/requests", body, content_type="application/json",
                         HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()))
assert answer.status_code == 201, answer.content
print(len(queries))
"""


PHASES = ("health", "intake", "mix", "surge", "soak")


def phase(
    host: str, classes: list[type[HttpUser]], users: int, seconds: float, until: Any = None
) -> Environment:
    env = Environment(user_classes=classes, host=host)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=users)
    gevent.sleep(min(3.0, seconds / 3))  # warm-up: logins, first pages
    env.stats.reset_all()
    started = time.monotonic()
    while time.monotonic() - started < seconds and not (until and until(env)):
        gevent.sleep(0.2)
    runner.quit()
    return env


def row(name: str, entry: Any, health_rps: float, phase_of: Any = None) -> dict[str, Any]:
    """Figures of one stats entry; a part of a phase is timed over the whole phase."""
    whole = phase_of or entry
    took = (whole.last_request_timestamp or whole.start_time) - whole.start_time
    rps = entry.num_requests / max(took, 1e-9)
    return {
        "what": name,
        "requests": entry.num_requests,
        "failures": entry.num_failures,
        "rps": round(rps, 1),
        "ratio": round(rps / health_rps, 3) if health_rps else None,
        "p50_ms": entry.get_response_time_percentile(0.5),
        "p95_ms": entry.get_response_time_percentile(0.95),
    }


def intake_queries(env: dict[str, str], relative: str, body: dict[str, Any]) -> int:
    out = subprocess.run(
        [str(BIN / "python"), "-c", QUERIES, json.dumps(body), relative],
        env={**env, "DJANGO_SETTINGS_MODULE": "ryadom.config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return int(out.stdout.split()[-1])


def surge_outbox(env: dict[str, str], joined: list[str], timeout: float) -> dict[str, int]:
    """The code messages to the accepted sign-ups by status (missing: none in the outbox),
    once the workers have sent them all or the timeout is over."""
    import psycopg

    query = (
        "SELECT DISTINCT ON (address) address, status FROM notifications_message "
        "WHERE kind = 'one_time_code' AND address = ANY(%s) ORDER BY address, status"
    )
    deadline = time.monotonic() + timeout
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
        while True:
            status = dict(db.execute(query, [joined]).fetchall())
            counts: dict[str, int] = {"missing": len(set(joined) - set(status))}
            for value in status.values():
                counts[value] = counts.get(value, 0) + 1
            waiting = counts.get("pending", 0) + counts.get("sending", 0)
            if waiting == 0 or time.monotonic() > deadline:
                return counts
            time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=16)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--signups", type=int, default=2000)
    parser.add_argument(
        "--phases",
        default="health,intake,mix,surge",
        help=f"which phases, in this order, of {','.join(PHASES)}",
    )
    parser.add_argument("--soak-minutes", type=float, default=30)
    parser.add_argument("--every", type=float, default=30, help="seconds between soak readings")
    parser.add_argument(
        "--drain-seconds",
        type=float,
        default=120,
        help="how long to wait after the surge for the code messages to be sent",
    )
    parser.add_argument("--json", type=Path, help="write the figures here too")
    args = parser.parse_args()
    phases = [p for p in args.phases.split(",") if p]
    if unknown := set(phases) - set(PHASES):
        parser.error(f"unknown phases: {', '.join(sorted(unknown))}")
    run = str(int(time.time()))
    figures: dict[str, Any] = {"rows": []}
    problems: list[str] = []
    with Cluster(fresh=True, extra_env={**LOAD_ENV, "RYADOM_LOAD_RUN": run}) as cluster:
        env, host = cluster.env, cluster.env["RYADOM_SITE_URL"]
        keys = tokens(env, "relative", "coord-moscow")
        os.environ["RYADOM_LOAD_TOKENS"] = json.dumps(keys)
        os.environ["RYADOM_LOAD_RUN"] = run
        rows = figures["rows"]
        base = 0.0
        if "health" in phases:
            health = phase(host, [lf.Health], args.users, args.seconds).stats.total
            base = health.num_requests / max(
                health.last_request_timestamp - health.start_time, 1e-9
            )
            rows.append(row("health", health, base))
        if "intake" in phases:
            intake = phase(host, [lf.Relative], args.users, args.seconds).stats
            rows.append(row("intake", intake.get("POST /api/v1/requests", "POST"), base))
        if "mix" in phases:
            mix = phase(host, lf.weights(lf.MIX), args.users, args.seconds).stats
            rows.append(row("mix: all", mix.total, base))
            rows += [
                row(f"  {e.name}", e, base, mix.total)
                for e in mix.entries.values()
                if e.name != "/login/"
            ]
        if "surge" in phases:
            signups = phase(
                host,
                [lf.SignUp],
                args.users,
                3600,
                until=lambda e: e.stats.get("POST /join/", "POST").num_requests >= args.signups,
            )
            rows.append(row("surge: POST /join/", signups.stats.get("POST /join/", "POST"), base))
            drained = time.monotonic()
            outbox = surge_outbox(env, lf.JOINED, timeout=args.drain_seconds)
            figures["surge"] = {
                "accepted": len(lf.JOINED),
                "messages": outbox,
                "seconds_after": round(time.monotonic() - drained),
            }
            if outbox["missing"]:
                problems.append(f"{outbox['missing']} sign-ups have no code message")
        if "soak" in phases:
            soaked = soak(cluster, args.users, args.soak_minutes * 60, args.every)
            rows.append(row("soak: all", soaked.pop("total"), base))
            figures["soak"] = soaked
            problems += soaked["problems"]
        figures["queries"] = intake_queries(
            env, keys["relative"], body_of_relative(host, keys["relative"])
        )
        figures["processes"] = cluster.ctl("status")
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=1, default=str))
    problems += [f"{r['failures']} failed: {r['what'].strip()}" for r in rows if r["failures"]]
    if problems:
        sys.exit("load run failed: " + "; ".join(problems))


def report(figures: dict[str, Any]) -> None:
    print(f"{'what':42} {'requests':>8} {'fail':>5} {'rps':>7} {'ratio':>6} {'p50':>6} {'p95':>6}")
    for r in figures["rows"]:
        print(
            f"{r['what'][:42]:42} {r['requests']:8} {r['failures']:5} {r['rps']:7} "
            f"{r['ratio']!s:>6} {r['p50_ms']!s:>6} {r['p95_ms']!s:>6}"
        )
    if surge := figures.get("surge"):
        print(
            f"surge: {surge['accepted']} sign-ups accepted; their code messages: "
            f"{surge['messages']} ({surge['seconds_after']} s after the last sign-up); "
            f"lost {surge['messages']['missing']}"
        )
    if soaked := figures.get("soak"):
        soak_report(soaked)
    print(f"one API intake runs {figures['queries']} SQL queries")
    print(figures["processes"])


def body_of_relative(host: str, relative: str) -> dict[str, Any]:
    import requests

    auth = {"Authorization": f"Bearer {relative}"}
    veteran = requests.get(f"{host}/api/v1/veterans", headers=auth, timeout=30).json()
    veteran = veteran["items"][0] if isinstance(veteran, dict) else veteran[0]
    detail = requests.get(f"{host}/api/v1/veterans/{veteran['id']}", headers=auth, timeout=30)
    stay = next(s for s in detail.json()["stays"] if s["discharged_on"] is None)
    return {
        "service": "laundry.wash",
        "institution": stay["institution_id"],
        "veteran": veteran["id"],
        "details": "Постирать вещи",
    }


if __name__ == "__main__":
    main()
