"""Matching benchmark: greedy vs the engine vs the exact optimum, and `recommend` latency.

    .venv/bin/python bench/matching.py --sizes small,target,national --seed 1

Every method runs in a fresh process (spawned, so nothing is inherited), from the
instance's arrays loaded into memory to proposals with reasons; its peak RSS is that
process's own. Timings are medians of --repeat runs for the cheap methods; the exact
optimum and the LP run once. The machine's load average is printed next to each table:
on a shared machine, compare ratios measured in the same run rather than absolute times.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import resource
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
from instances import SIZES, Instance, generate, load, save
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from ryadom.matching import (
    Assignment,
    Proposal,
    ReasonCode,
    VolunteerIndex,
    assign,
    greedy,
    recommend,
)
from ryadom.matching import recommend_by_scan as scan
from ryadom.matching.candidates import find_candidates, plan
from ryadom.matching.flow import network
from ryadom.matching.index import Prepared

# Methods that are exact (or an LP) are run once; the others --repeat times.
EXACT_SIZES = {"tiny", "small", "target"}  # where the full eligible graph fits (~4M arcs at most)
LP_SIZES = {"tiny", "small"}
DEFAULT_REPEAT = {"tiny": 1, "small": 5, "target": 3, "national": 1}
Metrics = dict[str, Any]


def main() -> None:
    """Parse flags, run every size, print the tables."""
    args = _parse()
    print(f"# Matching benchmark (seed {args.seed}, {os.cpu_count()} CPUs, {_cpu_model()})")
    for size in args.sizes:
        with tempfile.TemporaryDirectory(prefix="ryadom-bench-") as tmp:
            path = Path(tmp) / f"{size}.npz"
            inst = generate(size, args.seed)
            save(inst, path)
            _report(size, inst, path, args)


def _parse() -> argparse.Namespace:
    """Command-line flags."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--sizes",
        type=lambda s: s.split(","),
        default=["small", "target", "national"],
        help="comma-separated: small (3k x 12k), target (50k x 200k), national (200k x 1M);"
        " tiny (200 x 800) is a smoke run",
    )
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--repeat", type=int, help="runs per cheap method (default by size)")
    parser.add_argument("--calls", type=int, default=1000, help="recommend calls timed")
    parser.add_argument("--scan-calls", type=int, default=100, help="brute-force scans timed")
    args = parser.parse_args()
    unknown = set(args.sizes) - set(SIZES)
    if unknown:
        parser.error(f"--sizes: unknown {', '.join(sorted(unknown))}; choose from {list(SIZES)}")
    return args


def _report(size: str, inst: Instance, path: Path, args: argparse.Namespace) -> None:
    """Run every method on one instance and print its two tables."""
    n_req, n_vol, regions = SIZES[size]
    where = f"regions {', '.join(sorted(regions))}" if regions else "all regions"
    print(f"\n## {size}: {n_req:,} requests x {n_vol:,} volunteers ({where})\n")
    load_before = os.getloadavg()[0]
    repeat = args.repeat or DEFAULT_REPEAT[size]
    rows = {m: _runs(path, size, m, repeat) for m in ("greedy", "engine")}
    if size in EXACT_SIZES:
        rows["exact"] = _runs(path, size, "exact", 1)
    if size in LP_SIZES:
        rows["lp"] = _runs(path, size, "lp", 1)
    rec = _in_child(_recommend_bench, str(path), size, args.calls, args.scan_calls, args.seed)
    _print_methods(rows, repeat)
    _print_recommend(rec)
    print(f"\nload average (1 min) before {load_before:.1f}, after {os.getloadavg()[0]:.1f}")


def _runs(path: Path, size: str, method: str, repeat: int) -> Metrics:
    """Median wall/CPU and largest RSS over `repeat` fresh-process runs of a method."""
    runs = [_in_child(_run_method, str(path), size, method) for _ in range(repeat)]
    out = dict(runs[0])
    out["wall"] = statistics.median(r["wall"] for r in runs)
    out["cpu"] = statistics.median(r["cpu"] for r in runs)
    out["rss_mb"] = max(r["rss_mb"] for r in runs)
    out["runs"] = repeat
    return out


def _in_child(fn: Callable[..., Metrics], *args: Any) -> Metrics:
    """Run fn(*args) in a freshly spawned process and return its result."""
    with multiprocessing.get_context("spawn").Pool(1) as pool:
        return pool.apply(fn, args)


def _run_method(path: str, size: str, method: str) -> Metrics:
    """In a fresh process: load the instance, run one method, measure it."""
    inst = load(size, Path(path))
    wall, cpu = time.perf_counter(), time.process_time()
    if method == "lp":
        metrics = _lp_bound(inst)
    else:
        metrics = _metrics(_METHODS[method](inst))
    metrics["wall"] = time.perf_counter() - wall
    metrics["cpu"] = time.process_time() - cpu
    metrics["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return metrics


_METHODS: dict[str, Callable[[Instance], Assignment]] = {
    "greedy": lambda i: greedy(i.requests, i.volunteers),
    "engine": lambda i: assign(i.requests, i.volunteers),
    "exact": lambda i: assign(i.requests, i.volunteers, per_request=None),
}


def _metrics(result: Assignment) -> Metrics:
    """The columns of the table for one assignment."""
    p = result.proposals
    return {
        "matched": len(p),
        "objective": result.objective,
        "km": float(p.km.sum()),
        "max_load": int(np.bincount(p.volunteer).max()) if len(p) else 0,
        "arcs": result.arcs,
    }


def _lp_bound(inst: Instance) -> Metrics:
    """LP relaxation of the full eligible network, solved by HiGHS (no integrality asked)."""
    ix = VolunteerIndex.build(inst.volunteers)
    rq = Prepared.of(inst.requests, ix)
    rows = np.arange(len(rq))
    cand = find_candidates(rq, ix, rows, ix.free, per_request=None)
    net = network(rq, ix, cand, ix.free)
    arcs = np.arange(len(net.costs))
    # Flow conservation at every node but the sink: out - in = supply.
    a_eq = csr_matrix(
        (
            np.concatenate((np.ones(len(arcs)), -np.ones(len(arcs)))),
            (np.concatenate((net.tails, net.heads)), np.concatenate((arcs, arcs))),
        ),
        shape=(net.sink + 1, len(arcs)),
    )[: net.sink]
    b_eq = np.zeros(net.sink)
    b_eq[: net.n_req] = 1
    lp = linprog(net.costs, A_eq=a_eq, b_eq=b_eq, bounds=(0, 1), method="highs")
    no_candidates = np.setdiff1d(rows, cand.request)
    penalty = rq.weights.unserved_cost(rq.priority[no_candidates]).sum()
    x = lp.x[: len(cand)]
    return {
        "matched": float(x.sum()),
        "objective": float(lp.fun + penalty),
        "km": None,
        "max_load": None,
        "arcs": len(cand),
        "fractional": int(((x > 1e-9) & (x < 1 - 1e-9)).sum()),
    }


def _recommend_bench(path: str, size: str, calls: int, scan_calls: int, seed: int) -> Metrics:
    """In a fresh process: build the index, time `recommend`, and a full scan as baseline."""
    inst = load(size, Path(path))
    start = time.perf_counter()
    ix = VolunteerIndex.build(inst.volunteers)
    build = time.perf_counter() - start
    req = inst.requests
    rows = np.random.default_rng(seed).choice(len(req), min(calls, len(req)), replace=False)
    for row in rows[:20]:  # warm caches and lazy imports
        recommend(ix, req, int(row))
    timed = np.array([_timed(recommend, ix, req, int(r))[:2] for r in rows]) * 1000
    fast, fast_cpu = timed[:, 0], timed[:, 1]
    by_list, _ = plan(Prepared.of(req.take(rows), ix), ix, np.arange(len(rows)))
    listed = np.isin(np.arange(len(rows)), by_list)
    slow, slow_cpu, same = [], [], 0
    for row in rows[:scan_calls]:
        t_scan, c_scan, got = _timed(scan, ix, req, int(row))
        slow.append(t_scan * 1000)
        slow_cpu.append(c_scan * 1000)
        same += _keys(ix, got) == _keys(ix, recommend(ix, req, int(row)))
    slow_ms = np.array(slow)
    return {
        "volunteers": len(inst.volunteers),
        "build": build,
        "calls": len(rows),
        "p50": float(np.percentile(fast, 50)),
        "p95": float(np.percentile(fast, 95)),
        "p99": float(np.percentile(fast, 99)),
        "cpu_p50": float(np.percentile(fast_cpu, 50)),
        "cpu_p95": float(np.percentile(fast_cpu, 95)),
        "cpu_p99": float(np.percentile(fast_cpu, 99)),
        "p95_list": float(np.percentile(fast[listed], 95)) if listed.any() else None,
        "p95_tree": float(np.percentile(fast[~listed], 95)) if (~listed).any() else None,
        "tree_share": float((~listed).mean()),
        "scan_calls": len(slow_ms),
        "scan_p50": float(np.percentile(slow_ms, 50)),
        "scan_p95": float(np.percentile(slow_ms, 95)),
        "scan_cpu_p50": float(np.percentile(slow_cpu, 50)),
        "scan_cpu_p95": float(np.percentile(slow_cpu, 95)),
        "same": same,
        "rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def _keys(ix: VolunteerIndex, props: list[Proposal]) -> list[int]:
    """What recommendations rank by: pair cost + the load cost of this task (ties aside)."""
    tasks = [
        next(r.value for r in p.reasons if r.code == ReasonCode.TASKS_THIS_WEEK) for p in props
    ]
    cap = ix.volunteers.cap[[p.volunteer for p in props]]
    load = ix.weights.load_cost(np.array(tasks, dtype=np.int64), cap)
    return [p.cost + int(x) for p, x in zip(props, load, strict=True)]


def _timed(fn: Callable[..., Any], *args: Any) -> tuple[float, float, Any]:
    """(wall seconds, CPU seconds, result) of one call: on a busy machine the CPU time is
    what the call costs, the wall time also what it waited for a core."""
    start, cpu = time.perf_counter(), time.process_time()
    out = fn(*args)
    return time.perf_counter() - start, time.process_time() - cpu, out


_LABELS = {
    "greedy": "(a) greedy, nearest eligible by deadline",
    "engine": "(b) engine: top-12 candidates + min-cost flow",
    "exact": "(c) exact: min-cost flow on the full eligible graph (= LP bound)",
    "lp": "(d) LP relaxation of (c), HiGHS",
}


def _print_methods(rows: dict[str, Metrics], repeat: int) -> None:
    """The method table: gaps are against the exact optimum, or the engine without one."""
    ref = "exact" if "exact" in rows else "engine"
    best = rows[ref]["objective"]
    print(
        f"| method | matched | objective | gap to {ref} | total km | max load | arcs "
        f"| wall s (median of {repeat}) | CPU s | peak RSS MB |"
    )
    print("|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|")
    for name, m in rows.items():
        gap = "-" if name == ref else f"{100 * (m['objective'] - best) / best:+.3f}%"
        km = "-" if m["km"] is None else f"{m['km']:,.0f}"
        load = "-" if m["max_load"] is None else str(m["max_load"])
        matched = f"{m['matched']:,.0f}" if name != "lp" else f"{m['matched']:,.2f}"
        wall = f"{m['wall']:.2f}" + ("" if m["runs"] == repeat else " (1 run)")
        print(
            f"| {_LABELS[name]} | {matched} | {m['objective']:,.0f} | {gap} | {km} "
            f"| {load} | {m['arcs']:,} | {wall} | {m['cpu']:.2f} | {m['rss_mb']:,.0f} |"
        )
    if "lp" in rows:
        print(f"\nLP: {rows['lp']['fractional']} fractional arcs at the optimum found.")


def _print_recommend(r: Metrics) -> None:
    """The recommend latency table."""
    print(
        f"\n`recommend(k=10)` over {r['volunteers']:,} volunteers: index built in "
        f"{r['build']:.2f} s; {r['calls']} calls ({100 * r['tree_share']:.0f}% through the "
        f"k-d trees, the rest through the clearance lists); {r['scan_calls']} full scans "
        f"as baseline, {r['same']} of them ranking the same (cost + load) as `recommend`.\n"
    )
    print("| | p50 ms | p95 ms | p99 ms | CPU p50 ms | CPU p95 ms | CPU p99 ms |")
    print("|---|--:|--:|--:|--:|--:|--:|")
    print(
        f"| recommend | {r['p50']:.2f} | {r['p95']:.2f} | {r['p99']:.2f} "
        f"| {r['cpu_p50']:.2f} | {r['cpu_p95']:.2f} | {r['cpu_p99']:.2f} |"
    )
    for path in ("list", "tree"):
        if r[f"p95_{path}"] is not None:
            print(f"| recommend, {path} path only | | {r[f'p95_{path}']:.2f} | | | | |")
    print(
        f"| brute-force NumPy scan | {r['scan_p50']:.2f} | {r['scan_p95']:.2f} | "
        f"| {r['scan_cpu_p50']:.2f} | {r['scan_cpu_p95']:.2f} | |"
    )
    print(
        f"| scan / recommend | {r['scan_p50'] / r['p50']:.1f}x "
        f"| {r['scan_p95'] / r['p95']:.1f}x | "
        f"| {r['scan_cpu_p50'] / r['cpu_p50']:.1f}x | {r['scan_cpu_p95'] / r['cpu_p95']:.1f}x | |"
    )


def _cpu_model() -> str:
    """The CPU's model name, when Linux says."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


if __name__ == "__main__":
    main()
