"""The soak phase of bench/load/run.py: the mixed load for a long time, watching the cluster.

    python bench/load/run.py --phases soak --soak-minutes 30     # the soak alone

While the mix of bench/load/locustfile.py runs with closed-loop clients, every --every seconds
it reads the proportional resident memory (PSS) of every program of the cluster (a program's
whole process tree: a gunicorn instance with its workers; an RQ worker without the process
it forks for each job, which ends with the job; pages a forked child shares with its parent
count once), Redis's memory, the depth of the task queues, the jobs scheduled for later
(messages held for a recipient's quiet hours, retries, watchdogs) and the messages past
their time and not yet sent. Memory is compared with the first reading
after the warm-up (a fifth of the run, at most 5 minutes: first requests fill Django's
caches and the workers' first jobs import their modules). The soak fails, naming what, when
a program's memory grows by more than 10 % after the warm-up or the task queue is not bounded
(its depth in the second half of the run goes above twice its highest in the first half,
plus 50); run.py adds failed requests. A soak shorter than 5 minutes is not judged: it only
shows that the phase works.
"""

from __future__ import annotations

import statistics
import time
from typing import Any

import gevent
import locustfile as lf
import psutil
from cluster import Cluster
from locust.env import Environment

GROWTH = 0.10
JUDGED_AFTER = 300


def tree_pss(pid: int, *, children: bool = True) -> int:
    """Proportional resident bytes of a process and its children (0 when it is gone)."""
    try:
        root = psutil.Process(pid)
        procs = [root, *(root.children(recursive=True) if children else [])]
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for proc in procs:
        try:
            total += proc.memory_full_info().pss
        except psutil.NoSuchProcess:
            pass
    return total


def reading(cluster: Cluster, redis: Any, db: Any) -> dict[str, Any]:
    # An RQ worker forks a work-horse for each job, which ends with it: the worker itself is
    # what lives on. A gunicorn instance is its master and its long-lived workers.
    memory = {
        name: tree_pss(pid, children=not name.startswith("rqworker"))
        for name, pid in sorted(cluster.pids().items())
    }
    memory["redis"] = int(redis.info("memory")["used_memory"])
    # RQ keeps each queue's waiting jobs in a list "rq:queue:<name>" (beside other keys).
    queues = [key for key in redis.keys("rq:queue:*") if redis.type(key) == b"list"]
    queues = [key for key in queues if not key.endswith(b":intermediate")]
    # Messages past their time and not sent yet; those held for later (a recipient's quiet
    # hours) wait as scheduled jobs, counted apart.
    outbox = db.execute(
        "SELECT count(*) FROM notifications_message "
        "WHERE status IN ('pending', 'sending') AND due_at <= now()"
    ).fetchone()[0]
    scheduled = sum(redis.zcard(key) for key in redis.keys("rq:scheduled:*"))
    return {
        "memory": memory,
        "queue": sum(redis.llen(q) for q in queues),
        "scheduled": scheduled,
        "outbox": outbox,
    }


def problems_of(samples: list[dict[str, Any]], warm: int, seconds: float) -> list[str]:
    """What breaks the soak's rules; nothing is judged of a run shorter than JUDGED_AFTER
    seconds (a short run, as in make bench-smoke, only shows the phase still works)."""
    if seconds < JUDGED_AFTER:
        return []
    problems = []
    for name, start in samples[warm]["memory"].items():
        peak = max(s["memory"].get(name, 0) for s in samples[warm:])
        if start and peak > start * (1 + GROWTH):
            problems.append(f"{name}: memory grew {peak / start - 1:.0%} ({start} → {peak} bytes)")
    half = len(samples) // 2
    first = max(s["queue"] for s in samples[: max(half, 1)])
    second = max(s["queue"] for s in samples[half:])
    if second > 2 * first + 50:
        problems.append(
            f"task queue not bounded: at most {first} in the first half, {second} after"
        )
    return problems


def soak(cluster: Cluster, users: int, seconds: float, every: float) -> dict[str, Any]:
    """Run the mix for `seconds`, reading the cluster every `every` seconds."""
    import psycopg
    import redis as redis_lib

    env = cluster.env
    redis = redis_lib.Redis.from_url(env["RYADOM_REDIS_URL"])
    load = Environment(user_classes=lf.weights(lf.MIX), host=env["RYADOM_SITE_URL"])
    runner = load.create_local_runner()
    with psycopg.connect(env["DATABASE_URL"], autocommit=True) as db:
        runner.start(users, spawn_rate=users)
        gevent.sleep(min(3.0, seconds / 3))  # as every phase: sign-ins and first pages
        load.stats.reset_all()
        started = time.monotonic()
        samples: list[dict[str, Any]] = []
        warm = 0
        while (elapsed := time.monotonic() - started) < seconds:
            samples.append({"second": round(elapsed), **reading(cluster, redis, db)})
            if elapsed < min(seconds / 5, 300):
                warm = len(samples)
            print(
                f"soak {samples[-1]['second']:>5} s: queue {samples[-1]['queue']}, scheduled "
                f"{samples[-1]['scheduled']}, outbox overdue {samples[-1]['outbox']}, memory MB "
                + " ".join(f"{k} {v / 2**20:.0f}" for k, v in samples[-1]["memory"].items()),
                flush=True,
            )
            gevent.sleep(min(every, max(seconds - elapsed, 0.1)))
        runner.quit()
        samples.append({"second": round(time.monotonic() - started), **reading(cluster, redis, db)})
    warm = min(warm, len(samples) - 1)
    return {
        "total": load.stats.total,
        "samples": samples,
        "warm": warm,
        "problems": problems_of(samples, warm, seconds),
        "judged": seconds >= JUDGED_AFTER,
    }


def soak_report(soaked: dict[str, Any]) -> None:
    samples, warm = soaked["samples"], soaked["warm"]
    print(f"soak: memory from the reading at {samples[warm]['second']} s to the highest after it")
    for name, start in samples[warm]["memory"].items():
        peak = max(s["memory"].get(name, 0) for s in samples[warm:])
        end = samples[-1]["memory"].get(name, 0)
        growth = peak / start - 1 if start else 0
        print(
            f"  {name:24} {start / 2**20:7.1f} MB → highest {peak / 2**20:7.1f} MB "
            f"({growth:+.1%}), at the end {end / 2**20:7.1f} MB"
        )
    depths = [s["queue"] for s in samples]
    print(
        f"soak: task queue depth median {statistics.median(depths)}, highest {max(depths)}, "
        f"at the end {depths[-1]}; jobs scheduled for later at the end "
        f"{samples[-1]['scheduled']}; messages overdue at the end {samples[-1]['outbox']}"
    )
    if soaked["problems"]:
        print("soak: " + "; ".join(soaked["problems"]))
    elif soaked["judged"]:
        print("soak: memory flat within 10 %, the task queue bounded")
    else:
        print("soak: too short to judge memory and the queue")
