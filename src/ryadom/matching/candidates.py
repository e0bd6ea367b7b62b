"""Finding each request's best eligible volunteers without scanning all of them.

Two access paths, chosen per request by `plan`:
- a request in an institution looks only at the volunteers cleared for it (the inverted
  clearance list), sorted by distance from the institution plus their own points: in a
  big city a k-d tree ball would return ~10^5 homes within reach, of which a few
  percent are cleared, while the list holds just those few;
- a request with no institution (help at home) walks the k-d trees nearest-first
  (`VolunteerIndex.buckets`: one tree per band of own points and of travel radius),
  always in the tree whose bound is lowest.
Both are threshold walks, all requests together: volunteers come in order of a lower
bound on their cost (travel + continuity + their own feedback and load points; past
volunteers of the veteran are scored up front), and a request stops once its n-th best
cost is no worse than the bound of everyone it has not looked at. The result is the
exact best n by cost. With a `budget`, a request that has a few already stops after
that many volunteers (the batch uses it; `recommend` does not). `per_request=None`
gives every eligible pair instead: the full graph for the exact optimum.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from ryadom.matching.geo import km_for_chord
from ryadom.matching.index import OPEN_ACCESS, Bucket, Prepared, VolunteerIndex
from ryadom.matching.rules import Rank, Scored, chord2, evaluate

Int64Array = npt.NDArray[np.int64]
Float64Array = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# Institutions with more cleared volunteers than this are searched through the k-d trees.
LIST_MAX = 50_000
# Pairs scored at once: ~200 MB of temporaries, small enough for 2 GB in total.
BLOCK = 1 << 21
# A walk scores this many volunteers per request first (per tree: FIRST_TREE), then
# GROWTH times more each step.
FIRST = 64
FIRST_TREE = 32
GROWTH = 4
# A tree walk also waits on trees whose bound is this many points above the lowest one:
# those volunteers are unlikely to make the list, so they are looked at last.
LOOKAHEAD = 30
# Past this many neighbours in one tree a walk takes the whole ball of the tree's radius.
BALL_AFTER = 16_384
BALL_ROWS = 256
# With a budget, a request stops after scoring that many volunteers once it has MIN_FOUND.
MIN_FOUND = 4


@dataclass(frozen=True)
class Candidates:
    """Eligible (request, volunteer) pairs with their cost; load cost is not included."""

    request: Int64Array
    volunteer: Int64Array
    cost: Int64Array
    key: Float64Array  # what they were ranked by

    @classmethod
    def of(cls, s: Scored, n: int | None, rank: Rank, *, new_only: bool = False) -> Candidates:
        """Each request's n best pairs of a scored set; new_only drops past volunteers.

        A walk starts from each request's past volunteers (`_history`), so when it meets
        them again among the neighbours it drops them rather than deduplicating later.
        """
        c = cls(s.request, s.volunteer, s.cost, s.rank_key(rank))
        return (c.take(~s.continuity) if new_only else c).best(n)

    @classmethod
    def concat(cls, parts: list[Candidates]) -> Candidates:
        """All pairs of several sets."""
        if not parts:
            e = np.zeros(0, dtype=np.int64)
            return cls(e, e, e, e.astype(np.float64))
        names = ("request", "volunteer", "cost", "key")
        return cls(*(np.concatenate([getattr(p, f) for p in parts]) for f in names))

    def __len__(self) -> int:
        return len(self.request)

    def take(self, keep: Int64Array | BoolArray) -> Candidates:
        """The pairs at the given positions (or mask)."""
        return Candidates(self.request[keep], self.volunteer[keep], self.cost[keep], self.key[keep])

    def best(self, n: int | None) -> Candidates:
        """Each request's n best pairs, sorted by request then key."""
        # One int64 key (request, key to 1/1024) and a stable sort: merging lists that are
        # already sorted is then linear (timsort finds the runs), far cheaper than lexsort.
        quantum = np.rint(self.key * 1024).astype(np.int64)
        order = np.argsort((self.request << 32) + quantum, kind="stable")
        if n is not None:
            grouped = self.request[order]
            order = order[np.arange(len(order)) - np.searchsorted(grouped, grouped) < n]
        return self.take(order)

    def unique(self, n_volunteers: int) -> Candidates:
        """One of each (request, volunteer) pair (repeats of a pair have the same cost)."""
        _, first = np.unique(self.request * n_volunteers + self.volunteer, return_index=True)
        return self.take(first)

    def count(self, rows: Int64Array) -> Int64Array:
        """Pairs of each (sorted) row (needs `best` order)."""
        hi = np.searchsorted(self.request, rows, side="right")
        return np.asarray(hi - np.searchsorted(self.request, rows), dtype=np.int64)

    def nth_key(self, rows: Int64Array, n: int) -> Float64Array:
        """Key of each (sorted) row's n-th best pair, inf if it has fewer (needs `best` order)."""
        lo = np.searchsorted(self.request, rows)
        hi = np.searchsorted(self.request, rows, side="right")
        nth = np.full(len(rows), np.inf)
        full = hi - lo >= n
        nth[full] = self.key[lo[full] + n - 1]
        return nth


def workers(queries: int) -> int:
    """Threads for a k-d tree query: starting them costs more than small queries take."""
    return -1 if queries >= 2048 else 1


def find_candidates(
    rq: Prepared,
    ix: VolunteerIndex,
    rows: Int64Array,
    free: Int64Array,
    *,
    per_request: int | None,
    rank: Rank = "cost",
    budget: int | None = None,
) -> Candidates:
    """The best `per_request` eligible volunteers of each request row (all if None).

    With a budget, a request that has found MIN_FOUND stops after scoring `budget`
    volunteers, and keeps the best it has seen (exact in all but the densest places).
    """
    by_list, by_tree = plan(rq, ix, np.sort(rows))
    return Candidates.concat(
        [
            _from_pools(rq, ix, by_list, free, per_request, rank, budget),
            _from_trees(rq, ix, by_tree, free, per_request, rank, budget),
        ]
    )


def plan(rq: Prepared, ix: VolunteerIndex, rows: Int64Array) -> tuple[Int64Array, Int64Array]:
    """Split request rows into (inverted-list rows, k-d tree rows); others have nobody."""
    pos = rq.inst_pos[rows]
    sizes = ix.by_institution.sizes()
    size = np.where(pos >= 0, sizes[np.maximum(pos, 0)] if len(sizes) else 0, 0)
    by_list = (pos >= 0) & (size <= LIST_MAX)
    by_tree = (pos == OPEN_ACCESS) | ((pos >= 0) & (size > LIST_MAX))
    return rows[by_list], rows[by_tree]


def pools(
    rq: Prepared, ix: VolunteerIndex, rows: Int64Array, free: Int64Array | None
) -> Iterator[tuple[Int64Array, Int64Array]]:
    """(sorted rows of one institution, its cleared volunteers [with room if free given])."""
    pos = rq.inst_pos[rows]
    order = np.argsort(pos, kind="stable")
    rows, pos = rows[order], pos[order]
    for group in np.split(rows, np.flatnonzero(np.diff(pos)) + 1) if len(rows) else []:
        pool = ix.by_institution.at(int(rq.inst_pos[group[0]]))
        if free is not None:
            pool = pool[free[pool] > 0]
        if len(pool):
            yield np.sort(group), pool


def _history(
    rq: Prepared, ix: VolunteerIndex, rows: Int64Array, free: Int64Array, rank: Rank
) -> Candidates:
    """Eligible pairs of each row with volunteers who helped its veteran before."""
    h_req, h_vol = ix.by_veteran.expand(rows, rq.vet_pos[rows])
    s = evaluate(rq, ix, h_req, h_vol, free, check_clearance=True)
    return Candidates.of(s, None, rank)


@dataclass(frozen=True)
class _SortedPools:
    """Each row's institution pool, sorted by a lower bound on cost, laid end to end."""

    rows: Int64Array
    volunteers: Int64Array
    xyz: Float64Array  # of `volunteers`, copied in order so a range is contiguous
    c2: Float64Array  # squared chord from the pool's centre
    base: Float64Array  # lower bound before the row's own terms; inf after each pool
    lo: Int64Array  # per row: where its pool starts
    hi: Int64Array  # per row: where it ends
    slack: Float64Array  # per row: km from its pool's centre

    @classmethod
    def of(
        cls, rq: Prepared, ix: VolunteerIndex, rows: Int64Array, free: Int64Array, rank: Rank
    ) -> _SortedPools:
        """Sort every institution's pool by distance to its centre (+ own points)."""
        parts: list[tuple[Int64Array, Int64Array, Float64Array, Float64Array, Float64Array]] = []
        for group, pool in pools(rq, ix, rows, free):
            # The centre is a request's own point: requests made in the institution share
            # it exactly, so their distances are the pool's, computed once here.
            center = rq.xyz[group[0]]
            chord = np.linalg.norm(ix.xyz[pool] - center, axis=1)
            dist = km_for_chord(chord)
            base = dist * rq.weights.km + ix.own_points[pool] if rank == "cost" else dist
            order = np.argsort(base, kind="stable")
            slack = km_for_chord(np.linalg.norm(rq.xyz[group] - center, axis=1))
            base = np.append(base[order], np.inf)
            parts.append((group, pool[order], chord[order] ** 2, base, slack))
        return cls._join(parts, ix.xyz)

    @classmethod
    def _join(
        cls,
        parts: list[tuple[Int64Array, Int64Array, Float64Array, Float64Array, Float64Array]],
        xyz: Float64Array,
    ) -> _SortedPools:
        """Lay the sorted pools end to end, each followed by an inf sentinel."""
        sizes = np.array([len(p[1]) + 1 for p in parts], dtype=np.int64)
        starts = np.cumsum(sizes) - sizes
        members = np.array([len(p[0]) for p in parts], dtype=np.int64)
        sentinel = np.array([-1], dtype=np.int64)
        e_int, e_float = np.zeros(0, np.int64), np.zeros(0, np.float64)
        volunteers = np.concatenate([np.append(p[1], sentinel) for p in parts] + [e_int])
        return cls(
            rows=np.concatenate([p[0] for p in parts] + [e_int]),
            volunteers=volunteers,
            xyz=xyz[volunteers],
            c2=np.concatenate([np.append(p[2], 0.0) for p in parts] + [e_float]),
            base=np.concatenate([p[3] for p in parts] + [e_float]),
            lo=np.repeat(starts, members),
            hi=np.repeat(starts + sizes - 1, members),
            slack=np.concatenate([p[4] for p in parts] + [e_float]),
        )


def _expand(
    owner: Int64Array, start: Int64Array, stop: Int64Array
) -> tuple[Int64Array, Int64Array]:
    """(owner, position) for every position in each owner's [start, stop)."""
    counts = np.maximum(stop - start, 0)
    rep = np.repeat(owner, counts)
    offset = np.arange(len(rep)) - np.repeat(np.cumsum(counts) - counts, counts)
    return rep, np.repeat(start, counts) + offset


def _score_ranges(
    rq: Prepared,
    ix: VolunteerIndex,
    sp: _SortedPools,
    at: Int64Array,
    start: Int64Array,
    stop: Int64Array,
    free: Int64Array,
    n: int | None,
    rank: Rank,
) -> Candidates:
    """Score rows sp.rows[at] against their pools' [start, stop), BLOCK pairs at a time."""
    cum = np.cumsum(np.maximum(stop - start, 0))
    cuts = np.searchsorted(cum, np.arange(BLOCK, cum[-1] if len(cum) else 0, BLOCK))
    bounds = np.unique(np.concatenate(([0], cuts, [len(at)])))
    parts = []
    for lo, hi in zip(bounds[:-1], bounds[1:], strict=True):
        ri, pos = _expand(at[lo:hi], start[lo:hi], stop[lo:hi])
        c2 = sp.c2[pos]
        off = np.flatnonzero(sp.slack[ri] > 0)  # rows not at their pool's centre
        a, b = rq.xyz[sp.rows[ri[off]]], sp.xyz[pos[off]]
        c2[off] = np.maximum(2.0 - 2.0 * np.einsum("ij,ij->i", a, b), 0.0)
        ri = sp.rows[ri]
        s = evaluate(rq, ix, ri, sp.volunteers[pos], free, check_clearance=False, c2=c2)
        parts.append(Candidates.of(s, n, rank, new_only=True))
    return Candidates.concat(parts)


def _from_pools(
    rq: Prepared,
    ix: VolunteerIndex,
    rows: Int64Array,
    free: Int64Array,
    n: int | None,
    rank: Rank,
    budget: int | None,
) -> Candidates:
    """Walk each institution's sorted pool, all rows together, as far as each row needs."""
    sp = _SortedPools.of(rq, ix, rows, free, rank)
    at = np.arange(len(sp.rows))
    if n is None:
        every = _score_ranges(rq, ix, sp, at, sp.lo, sp.hi, free, None, rank)
        return Candidates.concat([_history(rq, ix, sp.rows, free, rank), every])
    w = rq.weights.km if rank == "cost" else 1.0
    own = rq.absence[sp.rows] if rank == "cost" else np.zeros(len(sp.rows))
    best, parts = _history(rq, ix, sp.rows, free, rank).best(n), []
    done, step = np.zeros(len(at), dtype=np.int64), np.full(len(at), FIRST)
    while len(at):
        start = np.minimum(sp.lo[at] + done, sp.hi[at])
        stop = np.minimum(start + step, sp.hi[at])
        new = _score_ranges(rq, ix, sp, at, start, stop, free, n, rank)
        best = Candidates.concat([best, new]).best(n)
        # Nobody not yet scored can cost less than this (see the module docstring).
        bound = np.floor(sp.base[stop] - w * sp.slack[at]) + own[at]
        done, found = stop - sp.lo[at], best.count(sp.rows[at])
        go_on = best.nth_key(sp.rows[at], n) > bound
        if budget is not None:
            go_on &= (done < budget) | (found < MIN_FOUND)
        parts.append(best.take(~np.isin(best.request, sp.rows[at[go_on]])))
        best = best.take(np.isin(best.request, sp.rows[at[go_on]]))
        step = _next_step(done, found, n)
        at, done, step = at[go_on], done[go_on], step[go_on]
    return Candidates.concat([*parts, best])


def _next_step(done: Int64Array, found: Int64Array, n: int) -> Int64Array:
    """How many more to score: enough for the rest at the rate found so far, within reason."""
    rate = np.maximum(found, 1) / np.maximum(done, 1)
    want = np.where(found < n, 1.5 * (n - found) / rate, done)
    return np.clip(want, max(1, FIRST // 2), GROWTH * np.maximum(done, 1)).astype(np.int64)


def _from_trees(
    rq: Prepared,
    ix: VolunteerIndex,
    rows: Int64Array,
    free: Int64Array,
    n: int | None,
    rank: Rank,
    budget: int | None,
) -> Candidates:
    """Walk the k-d trees nearest-first, lowest bound first, until each row's best n are sure."""
    known = _history(rq, ix, rows, free, rank)
    if n is None or not len(rows):
        everyone = np.arange(len(ix.volunteers))
        found = _ball(rq, ix, rows, ix.tree, everyone, ix.max_chord, free, rank)
        return Candidates.concat([known, found])
    walk = _TreeWalk.start(rq, ix, rows, rank)
    best, parts = known.best(n), []
    while len(walk.rows):
        need = _needs(best, walk.rows, walk.bound, walk.fetched, n, budget)
        going = np.asarray(need.any(axis=1), dtype=bool)
        parts.append(best.take(~np.isin(best.request, walk.rows[going])))
        best = best.take(np.isin(best.request, walk.rows[going]))
        walk = walk.keep(going)
        if not len(walk.rows):
            break
        ri, vj, c2, repeats = walk.step(rq, ix, need[going])
        # One evaluation for every tree's neighbours: far fewer calls for one request.
        s = evaluate(rq, ix, ri, vj, free, check_clearance=True, c2=c2)
        merged = Candidates.concat([best, Candidates.of(s, None, rank, new_only=True)])
        best = (merged.unique(len(ix.volunteers)) if repeats else merged).best(n)
    return Candidates.concat(parts)


@dataclass
class _TreeWalk:
    """Where each row's walk stands in each tree: how many fetched, and the bound beyond."""

    rows: Int64Array
    own: Float64Array  # the row's points every new volunteer pays (continuity)
    per_km: float
    floor_pts: Float64Array  # per tree: the least own points of its volunteers
    bound: Float64Array  # (rows, trees): nobody unfetched in that tree costs less
    fetched: Int64Array  # (rows, trees)

    @classmethod
    def start(cls, rq: Prepared, ix: VolunteerIndex, rows: Int64Array, rank: Rank) -> _TreeWalk:
        """Nothing fetched yet: the bound is each tree's least own points."""
        cost = rank == "cost"
        floor_pts = np.array([b.points if cost else 0 for b in ix.buckets], np.float64)
        own = rq.absence[rows].astype(np.float64) if cost else np.zeros(len(rows))
        bound = floor_pts[None, :] + own[:, None]
        per_km = float(rq.weights.km) if cost else 1.0
        return cls(rows, own, per_km, floor_pts, bound, np.zeros(bound.shape, dtype=np.int64))

    def keep(self, going: BoolArray) -> _TreeWalk:
        """The walk of the rows still going."""
        return _TreeWalk(
            self.rows[going], self.own[going], self.per_km, self.floor_pts,
            self.bound[going], self.fetched[going],
        )  # fmt: skip

    def step(
        self, rq: Prepared, ix: VolunteerIndex, need: BoolArray
    ) -> tuple[Int64Array, Int64Array, Float64Array, bool]:
        """Fetch the next neighbours in every tree a row needs; (rows, vols, chord2, repeats)."""
        got, repeats = [], False
        for b, bucket in enumerate(ix.buckets):
            for f in np.unique(self.fetched[need[:, b], b]):
                sel = np.flatnonzero(need[:, b] & (self.fetched[:, b] == f))
                ri, vj, c2, last_km, ball = _fetch(rq, ix, self.rows[sel], bucket, int(f))
                got.append((ri, vj, c2))
                repeats |= ball
                self.fetched[sel, b] = max(FIRST_TREE, f * GROWTH)
                bound = self.floor_pts[b] + np.floor(last_km * self.per_km) + self.own[sel]
                self.bound[sel, b] = bound
        ri, vj = (np.concatenate([g[i] for g in got]) for i in range(2))
        return ri, vj, np.concatenate([g[2] for g in got]), repeats


def _needs(
    best: Candidates,
    rows: Int64Array,
    bound: Float64Array,
    fetched: Int64Array,
    n: int,
    budget: int | None,
) -> BoolArray:
    """Which trees each row still has to look further into (none: its best n are found)."""
    low = bound.min(axis=1, keepdims=True, initial=np.inf)
    need = (bound < best.nth_key(rows, n)[:, None]) & (bound <= low + LOOKAHEAD)
    if budget is not None:
        under = (fetched.sum(axis=1) < budget) | (best.count(rows) < MIN_FOUND)
        need &= under[:, None]
    return np.asarray(need)


def _fetch(
    rq: Prepared, ix: VolunteerIndex, rows: Int64Array, bucket: Bucket, fetched: int
) -> tuple[Int64Array, Int64Array, Float64Array, Float64Array, bool]:
    """The next nearest volunteers of one tree, as (request, volunteer, squared chord).

    Also how far the farthest was (inf: the tree is exhausted), and whether a ball query
    was used, which repeats volunteers that earlier steps fetched.
    """
    k = max(FIRST_TREE, fetched * GROWTH)
    if k > BALL_AFTER:
        parts = list(_ball_pairs(rq, rows, bucket.tree, bucket.members, bucket.max_chord))
        ri, vj = (np.concatenate([p[i] for p in parts]) for i in range(2))
        return ri, vj, chord2(rq, ix, ri, vj), np.full(len(rows), np.inf), True
    k = min(k, len(bucket.members))
    # Only ranks fetched+1..k: the nearer ones were scored in earlier steps.
    chord, nb = bucket.tree.query(
        rq.xyz[rows], k=range(fetched + 1, k + 1), distance_upper_bound=bucket.max_chord,
        workers=workers(len(rows)),
    )  # fmt: skip
    found = nb < len(bucket.members)
    ri = np.repeat(rows, k - fetched)[found.ravel()]
    more = found[:, -1] & (k < len(bucket.members))
    last = np.where(more, km_for_chord(np.where(more, chord[:, -1], 0.0)), np.inf)
    return ri, bucket.members[nb[found]], chord[found] ** 2, last, False


def _ball(
    rq: Prepared,
    ix: VolunteerIndex,
    rows: Int64Array,
    tree: cKDTree,
    members: Int64Array,
    reach: float,
    free: Int64Array,
    rank: Rank,
) -> Candidates:
    """Every eligible pair within `reach` (chord) of each row, from one tree."""
    parts = []
    for ri, vj in _ball_pairs(rq, rows, tree, members, reach):
        s = evaluate(rq, ix, ri, vj, free, check_clearance=True)
        parts.append(Candidates.of(s, None, rank, new_only=True))
    return Candidates.concat(parts)


def _ball_pairs(
    rq: Prepared, rows: Int64Array, tree: cKDTree, members: Int64Array, reach: float
) -> Iterator[tuple[Int64Array, Int64Array]]:
    """(request, volunteer) for every tree member within `reach` of each row, in chunks."""
    # A few hundred rows at a time: the ball query answers with Python lists, ~100 bytes
    # a hit, and a big city's ball holds 10^5 homes.
    for start in range(0, max(len(rows), 1), BALL_ROWS):
        chunk = rows[start : start + BALL_ROWS]
        hits = tree.query_ball_point(
            rq.xyz[chunk], r=reach, workers=workers(len(chunk)), return_sorted=False
        )
        counts = np.fromiter((len(h) for h in hits), dtype=np.int64, count=len(chunk))
        vj = np.concatenate([np.asarray(h, dtype=np.int64) for h in hits] + [np.zeros(0, np.int64)])
        yield np.repeat(chunk, counts), members[vj]
