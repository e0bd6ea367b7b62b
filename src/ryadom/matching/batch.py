"""Batch assignment for a region or the whole country, and the greedy baseline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from ryadom.matching.candidates import Candidates, find_candidates
from ryadom.matching.data import Requests, Volunteers
from ryadom.matching.explain import describe, diagnose
from ryadom.matching.flow import objective, solve
from ryadom.matching.index import Prepared, VolunteerIndex
from ryadom.matching.results import Proposals, Unserved
from ryadom.matching.weights import DEFAULT_WEIGHTS, Weights

Int64Array = npt.NDArray[np.int64]

# Volunteers a request scores before settling for the best it has seen (see candidates).
SEARCH_BUDGET = 2048
# A request left unserved though it has candidates lost them to requests that had
# other options beyond their own first n. Those get WIDEN times more candidates and
# that corner of the network is solved again, up to REPAIR_ROUNDS times (see _repair).
REPAIR_ROUNDS = 3
WIDEN = 4


@dataclass(frozen=True)
class Assignment:
    """The outcome of a batch: proposals, unserved requests with why, and the objective."""

    proposals: Proposals
    unserved: Unserved
    objective: int  # pair costs + load costs + unserved penalties, in points
    arcs: int  # candidate pairs the solver saw


def assign(
    requests: Requests,
    volunteers: Volunteers,
    *,
    weights: Weights | None = None,
    per_request: int | None = 12,
    index: VolunteerIndex | None = None,
) -> Assignment:
    """Serve as many urgency-weighted requests as possible at the least cost."""
    ix = _index(volunteers, weights, index)
    rq = Prepared.of(requests, ix)
    rows = np.arange(len(requests), dtype=np.int64)
    cand = find_candidates(rq, ix, rows, ix.free, per_request=per_request, budget=SEARCH_BUDGET)
    got = solve(rq, ix, cand, ix.free)
    r, v, c = got.request, got.volunteer, got.cost
    if per_request is not None:
        cand, r, v, c = _repair(rq, ix, cand, (r, v, c), per_request)
    free = ix.free - np.bincount(v, minlength=len(ix.free))
    return _outcome(rq, ix, (r, v, c), free, len(cand))


def _repair(
    rq: Prepared,
    ix: VolunteerIndex,
    cand: Candidates,
    pairs: tuple[Int64Array, Int64Array, Int64Array],
    per_request: int,
) -> tuple[Candidates, Int64Array, Int64Array, Int64Array]:
    """Serve requests whose candidates all went to others, by widening those others' lists.

    Each round reaches one step further along the chain (the requests holding the
    volunteers that the stuck or already widened requests could use), then solves the
    flow again over the widened requests only, everyone else's volunteers held fixed:
    the old answer is feasible there, so the objective can only improve.
    """
    r, v, c = pairs
    widened = np.zeros(0, dtype=np.int64)
    for _ in range(REPAIR_ROUNDS):
        stuck = np.setdiff1d(cand.request, r)
        if not len(stuck):
            break
        reach = np.union1d(stuck, widened)
        holders = r[np.isin(v, cand.volunteer[np.isin(cand.request, reach)])]
        new = np.setdiff1d(np.union1d(stuck, holders), widened)
        widened = np.union1d(widened, new)
        more = find_candidates(
            rq, ix, new, ix.free, per_request=WIDEN * per_request, budget=WIDEN * SEARCH_BUDGET
        )
        cand = Candidates.concat([cand, more]).unique(len(ix.volunteers))
        # Solved again: the widened requests and whoever holds a volunteer they could use.
        near = np.union1d(widened, r[np.isin(v, cand.volunteer[np.isin(cand.request, widened)])])
        fixed = ~np.isin(r, near)
        free = ix.free - np.bincount(v[fixed], minlength=len(ix.free))
        got = solve(rq, ix, cand.take(np.isin(cand.request, near)), free)
        r = np.concatenate((r[fixed], got.request))
        v = np.concatenate((v[fixed], got.volunteer))
        c = np.concatenate((c[fixed], got.cost))
    return cand, r, v, c


def greedy(
    requests: Requests,
    volunteers: Volunteers,
    *,
    weights: Weights | None = None,
    per_request: int | None = 64,
    index: VolunteerIndex | None = None,
) -> Assignment:
    """Baseline: earliest deadline first, each takes the nearest eligible volunteer with room."""
    ix = _index(volunteers, weights, index)
    rq = Prepared.of(requests, ix)
    rows = np.arange(len(requests), dtype=np.int64)
    cand = find_candidates(
        rq, ix, rows, ix.free, per_request=per_request, rank="km", budget=SEARCH_BUDGET
    )
    turn = np.empty(len(rows), dtype=np.int64)
    turn[np.lexsort((-requests.urgency.astype(np.int64), requests.deadline_h))] = rows
    order = np.lexsort((cand.key, turn[cand.request]))
    pos = order[_first_with_room(cand.request[order], cand.volunteer[order], ix.free.copy())]
    req, vol = cand.request[pos], cand.volunteer[pos]
    free = ix.free - np.bincount(vol, minlength=len(ix.free))
    return _outcome(rq, ix, (req, vol, cand.cost[pos]), free, len(cand))


def _index(
    volunteers: Volunteers, weights: Weights | None, index: VolunteerIndex | None
) -> VolunteerIndex:
    """The index given (its weights must agree with `weights`), or a new one."""
    if index is None:
        return VolunteerIndex.build(volunteers, weights or DEFAULT_WEIGHTS)
    if index.volunteers is not volunteers:
        raise ValueError("index: built for other volunteers")
    if weights is not None and weights != index.weights:
        raise ValueError("weights: differ from the weights the index was built with")
    return index


def _first_with_room(request: Int64Array, volunteer: Int64Array, free: Int64Array) -> Int64Array:
    """Walk pairs grouped by request, in order: each request takes the first with room."""
    starts = np.flatnonzero(np.r_[True, request[1:] != request[:-1]]).tolist()
    ends = starts[1:] + [len(request)]
    vols, room, taken = volunteer.tolist(), free.tolist(), []
    for start, end in zip(starts, ends, strict=True):
        for p in range(start, end):
            if room[vols[p]] > 0:
                room[vols[p]] -= 1
                taken.append(p)
                break
    return np.asarray(taken, dtype=np.int64)


def _outcome(
    rq: Prepared,
    ix: VolunteerIndex,
    pairs: tuple[Int64Array, Int64Array, Int64Array],
    free_after: Int64Array,
    arcs: int,
) -> Assignment:
    """Proposals with reasons, unserved requests with why, and the objective."""
    order = np.argsort(pairs[0], kind="stable")
    r, v, c = (a[order] for a in pairs)
    tasks = ix.volunteers.load + (ix.free - free_after)  # load at the end of the batch
    return Assignment(
        proposals=describe(rq, ix, r, v, c, tasks[v]),
        unserved=diagnose(rq, ix, np.setdiff1d(np.arange(len(rq)), r), free_after),
        objective=objective(rq, ix, r, v, c),
        arcs=arcs,
    )
