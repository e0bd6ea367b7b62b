"""Online: the k best volunteers for one request, with reasons, in milliseconds."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import numpy.typing as npt

from ryadom.matching.candidates import Candidates, find_candidates
from ryadom.matching.data import Requests
from ryadom.matching.explain import describe
from ryadom.matching.index import Prepared, VolunteerIndex
from ryadom.matching.results import Proposal
from ryadom.matching.rules import evaluate

# Institutions with at most this many cleared volunteers are scored in one go.
POOL_SCAN_MAX = 20_000


def recommend(
    index: VolunteerIndex,
    requests: Requests,
    row: int,
    k: int = 10,
) -> list[Proposal]:
    """The k cheapest eligible volunteers for request `row`, best first, with reasons."""
    rq = Prepared.of(requests.take(np.array([row], dtype=np.int64)), index)
    one = np.zeros(1, dtype=np.int64)
    pos = int(rq.inst_pos[0])
    if pos >= 0 and index.by_institution.sizes()[pos] <= POOL_SCAN_MAX:
        # Score the whole clearance list (and past volunteers) at once: for one request
        # a few thousand pairs cost less than the steps of a walk.
        _, past = index.by_veteran.expand(one, rq.vet_pos)
        vj = np.union1d(index.by_institution.at(pos), past)
        s = evaluate(rq, index, np.zeros(len(vj), np.int64), vj, index.free, check_clearance=True)
        cand = Candidates.of(s, k, "cost")
    else:
        cand = find_candidates(rq, index, one, index.free, per_request=k)
    return _ranked(rq, index, cand.volunteer, cand.key, cand.cost, row)


def recommend_by_scan(
    index: VolunteerIndex,
    requests: Requests,
    row: int,
    k: int = 10,
) -> list[Proposal]:
    """The same answer as `recommend` by scoring every volunteer: the baseline to beat."""
    rq = Prepared.of(requests.take(np.array([row], dtype=np.int64)), index)
    everyone = np.arange(len(index.volunteers), dtype=np.int64)
    s = evaluate(rq, index, np.zeros(1, dtype=np.int64), everyone, index.free, check_clearance=True)
    key = s.rank_key("cost")
    best = np.argpartition(key, k)[:k] if len(key) > k else np.arange(len(key))
    return _ranked(rq, index, s.volunteer[best], key[best], s.cost[best], row)


def _ranked(
    rq: Prepared,
    index: VolunteerIndex,
    volunteer: npt.NDArray[np.int64],
    key: npt.NDArray[np.float64],
    cost: npt.NDArray[np.int64],
    row: int,
) -> list[Proposal]:
    """Proposals ordered by rank key then volunteer row, reasons attached."""
    order = np.lexsort((volunteer, key))
    v, c = volunteer[order], cost[order]
    tasks = index.volunteers.load[v] + 1
    props = describe(rq, index, np.zeros(len(v), dtype=np.int64), v, c, tasks)
    return [replace(p, request=row) for p in props]  # the row in the caller's numbering
