"""One request end to end through the production topology: `make cluster-check`.

Starts the cluster (bench/cluster.py: nginx, two gunicorn instances, RQ workers, PostgreSQL,
Redis), then, through nginx only:
1. the demo relative asks for help over the API with an Idempotency-Key, and asks again with
   the same key (the two may land on different instances): one request;
2. the Moscow coordinator sees it in their queue;
3. the "request received" message to the relative leaves the outbox through an RQ worker
   (the message is sent, the mail sink holds it, and RQ, not the database queue, ran it);
4. the intake rate limit counts across both instances (one shared Redis count);
and stops everything, checking that no process of the cluster is left. Exits non-zero on
any failure. Takes about a minute on a 2-core machine with the small demo already loaded.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import psycopg  # noqa: E402
from cluster import BIN, Cluster  # noqa: E402 - the sibling module, run as a script


def call(
    base: str, method: str, path: str, token: str, body: Any = None, **headers: str
) -> tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(  # noqa: S310 - our own address
        base + path,
        data=data,
        method=method,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json", **headers},
    )
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


TOKENS = """
import sys, django
django.setup()
from django.core.management import call_command
for username in sys.argv[1:]:
    call_command("token", username, name="cluster check")
"""


def tokens(env: dict[str, str], *usernames: str) -> dict[str, str]:
    """API tokens of demo accounts, as `ryadom token NAME` issues them (in one process)."""
    out = subprocess.run(
        [str(BIN / "python"), "-c", TOKENS, *usernames],
        env={**env, "DJANGO_SETTINGS_MODULE": "ryadom.config.settings"},
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(zip(usernames, out.stdout.split(), strict=True))


def wait_for(what: str, check: Any, timeout: float = 30) -> Any:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        value = check()
        if value:
            return value
        time.sleep(0.2)
    raise AssertionError(f"{what}: not within {timeout:.0f} s")


def intake(base: str, relative: str, db: psycopg.Connection[Any]) -> int:
    status, veterans = call(base, "GET", "/api/v1/veterans", relative)
    assert status == 200, veterans
    items = veterans["items"] if isinstance(veterans, dict) else veterans
    veteran = items[0]["id"]
    status, detail = call(base, "GET", f"/api/v1/veterans/{veteran}", relative)
    assert status == 200, detail
    stay = next(s for s in detail["stays"] if s["discharged_on"] is None)
    body = {
        "service": "laundry.wash",
        "institution": stay["institution_id"],
        "veteran": veteran,
        "details": "Постирать вещи (cluster check)",
    }
    key = f"cluster-check-{uuid.uuid4()}"
    first = call(base, "POST", "/api/v1/requests", relative, body, **{"Idempotency-Key": key})
    again = call(base, "POST", "/api/v1/requests", relative, body, **{"Idempotency-Key": key})
    assert first[0] == 201, first
    assert again[0] in (200, 201) and again[1]["id"] == first[1]["id"], (first, again)
    request_id = int(first[1]["id"])
    stored = db.execute(
        "SELECT count(*) FROM care_carerequest WHERE details = %s", [body["details"]]
    ).fetchone()
    assert stored is not None and stored[0] >= 1
    print(f"  asked: request #{request_id}, the same key again gave the same request")
    return request_id


def coordinator_sees(base: str, coordinator: str, request_id: int) -> None:
    status, page = call(base, "GET", "/api/v1/requests?status=new&limit=200", coordinator)
    assert status == 200, page
    assert request_id in [r["id"] for r in page["items"]], "not in the coordinator's queue"
    status, one = call(base, "GET", f"/api/v1/requests/{request_id}", coordinator)
    assert status == 200 and one["status"] == "new", one
    print(f"  coord-moscow sees #{request_id} in the queue of new requests")


def message_sent(env: dict[str, str], db: psycopg.Connection[Any], request_id: int) -> None:
    key = f"request:{request_id}:received"

    def sent() -> Any:
        return db.execute(
            "SELECT uid, status, attempts FROM notifications_message "
            "WHERE dedupe_key = %s AND status = 'sent'",
            [key],
        ).fetchone()

    uid, _status, attempts = wait_for("the request_received message sent", sent)
    mail = Path(env["RYADOM_RUN_DIR"]) / "mail" / "new"
    held = wait_for(
        "the mail in the sink",
        lambda: [p for p in mail.iterdir() if str(uid) in p.read_text(errors="replace")],
        timeout=10,
    )
    db_tasks = db.execute("SELECT count(*) FROM django_tasks_database_dbtaskresult").fetchone()
    assert db_tasks == (0,), f"{db_tasks} tasks went to the database queue, not RQ"
    print(
        f"  message {uid} sent by an RQ worker after {attempts} attempt(s), "
        f"{len(held)} copy in the mail sink"
    )


def rate_limits_reset(env: dict[str, str]) -> None:
    """Forget the counts of earlier runs within the hour (the cluster's own Redis database)."""
    import redis

    client = redis.Redis.from_url(env["RYADOM_CACHE_URL"])
    for key in client.scan_iter(match="*ratelimit:*"):
        client.delete(key)


def rate_limit_shared(env: dict[str, str], relative: str) -> None:
    """One person's POSTs go to each instance in turn (straight, not through nginx); the
    limit counts them together: one instance alone sees only half of them."""
    limit = int(env["RYADOM_RATE_INTAKE"].split("/")[0])
    instances = [f"http://{env['RYADOM_WEB1_BIND']}", f"http://{env['RYADOM_WEB2_BIND']}"]
    body = {"service": "?", "institution": 0}
    codes = [
        call(instances[i % 2], "POST", "/api/v1/requests", relative, body)[0]
        for i in range(limit + 2)
    ]
    assert 429 in codes, codes
    refused_from = codes.index(429)
    print(
        f"  rate limit {env['RYADOM_RATE_INTAKE']}, POSTs to each instance in turn: "
        f"refused from attempt {refused_from + 1} of this person"
    )
    # Two were made in step 1; each instance alone would allow `limit` of its own.
    assert refused_from == limit - 2, codes


def left_over(env: dict[str, str]) -> list[str]:
    """Processes of this cluster still running (its run directory is in their command)."""
    out = subprocess.run(["ps", "-eo", "pid,args"], capture_output=True, text=True, check=True)
    return [
        line
        for line in out.stdout.splitlines()
        if env["RYADOM_RUN_DIR"] in line and "ps -eo" not in line
    ]


def main() -> None:
    started = time.monotonic()
    # A low intake limit, so that step 4 reaches it in a few requests (the earlier steps
    # make three POSTs of the same person).
    extra = {"RYADOM_RATE_INTAKE": os.environ.get("RYADOM_CLUSTER_CHECK_RATE", "12/h")}
    with Cluster(extra_env=extra) as cluster:
        up = time.monotonic() - started
        print(f"cluster up in {up:.1f} s: {', '.join(sorted(cluster.pids()))}")
        base, env = cluster.env["RYADOM_SITE_URL"], cluster.env
        rate_limits_reset(env)
        with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
            keys = tokens(env, "relative", "coord-moscow")
            request_id = intake(base, keys["relative"], db)
            coordinator_sees(base, keys["coord-moscow"], request_id)
            message_sent(env, db, request_id)
            rate_limit_shared(env, keys["relative"])
        stopping = time.monotonic()
    print(f"stopped in {time.monotonic() - stopping:.1f} s")
    rest = left_over(env)
    assert not rest, f"left running: {rest}"
    print(f"cluster check passed in {time.monotonic() - started:.1f} s")


if __name__ == "__main__":
    main()
