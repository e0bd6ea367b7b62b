"""The batch problem as a min-cost flow, and the objective every method is judged by.

Network: each request node has supply 1 and two kinds of arcs to the sink: through a
candidate volunteer (pair cost), or straight, "unserved" (urgency-weighted penalty).
Each volunteer node reaches the sink through one unit arc per task it can still take,
costing that task's marginal load cost; those costs grow, which spreads the load.
All capacities are integral, so the optimal flow is integral and equals the LP bound.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from ortools.graph.python import min_cost_flow
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

from ryadom.matching.candidates import Candidates
from ryadom.matching.index import Prepared, VolunteerIndex

Int64Array = npt.NDArray[np.int64]

# Arcs per solver call when small parts are packed together.
PACK_ARCS = 50_000


class SolverError(RuntimeError):
    """The flow solver did not report an optimum (a bug or an overflow, never bad data)."""


@dataclass(frozen=True)
class Solution:
    """Optimal (request, volunteer) pairs and their costs."""

    request: Int64Array
    volunteer: Int64Array
    cost: Int64Array


def solve(
    rq: Prepared,
    ix: VolunteerIndex,
    cand: Candidates,
    free: Int64Array,
) -> Solution:
    """Optimal (request, volunteer, pair cost) over the candidate arcs.

    Rows without candidates are unserved whatever happens, so they stay out. The rest
    splits into connected parts (a town, a region), solved a few at a time: the solver
    takes several times longer on one country-wide network than on its parts.
    """
    label = _part_of_each_arc(cand)
    order = np.argsort(label, kind="stable")
    # Consecutive parts go together until a pack holds PACK_ARCS arcs.
    pack = (np.cumsum(np.bincount(label)) // PACK_ARCS)[label[order]] if len(label) else label
    packs = np.split(order, np.flatnonzero(np.diff(pack)) + 1) if len(order) else []
    got = [_solve_part(rq, ix, cand.take(p), free) for p in packs]
    e = np.zeros(0, dtype=np.int64)
    r, v, c = zip(*got, strict=True) if got else ((e,), (e,), (e,))
    return Solution(np.concatenate(r), np.concatenate(v), np.concatenate(c))


def _part_of_each_arc(cand: Candidates) -> Int64Array:
    """Label of the connected part (of the request-volunteer graph) of each candidate arc."""
    reqs, r_node = np.unique(cand.request, return_inverse=True)
    vols, v_node = np.unique(cand.volunteer, return_inverse=True)
    n = len(reqs) + len(vols)
    graph = coo_matrix((np.ones(len(cand)), (r_node, len(reqs) + v_node)), shape=(n, n))
    _, label = connected_components(graph, directed=False)
    return np.asarray(label[r_node], dtype=np.int64)


@dataclass(frozen=True)
class Network:
    """The flow network over some candidate arcs: arc 0..len(cand)-1 are the candidates.

    Nodes: requests 0..n_req-1 (supply 1 each), volunteers, then the sink (demand n_req).
    """

    tails: Int64Array
    heads: Int64Array
    costs: Int64Array
    n_req: int
    sink: int


def network(rq: Prepared, ix: VolunteerIndex, cand: Candidates, free: Int64Array) -> Network:
    """Candidate, unserved and per-task load arcs for the requests the candidates mention."""
    rows, r_node = np.unique(cand.request, return_inverse=True)
    vols, v_node = np.unique(cand.volunteer, return_inverse=True)
    n_req, sink = len(rows), len(rows) + len(vols)
    slots = np.minimum(free[vols], np.bincount(v_node, minlength=len(vols)))
    tails = np.concatenate(
        (r_node, np.arange(n_req), n_req + np.repeat(np.arange(len(vols)), slots))
    )
    heads = np.concatenate((n_req + v_node, np.full(n_req + slots.sum(), sink)))
    costs = np.concatenate(
        (
            cand.cost,
            rq.weights.unserved_cost(rq.priority[rows]),
            _load_arc_costs(rq, ix, vols, slots, free),
        )
    )
    return Network(tails, heads, costs, n_req, sink)


def _solve_part(
    rq: Prepared, ix: VolunteerIndex, cand: Candidates, free: Int64Array
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """Optimal flow over one set of candidate arcs, for the requests they mention."""
    net = network(rq, ix, cand, free)
    flow = _min_cost_flow(net)
    used = np.flatnonzero(flow[: len(cand)] > 0)
    return cand.request[used], cand.volunteer[used], cand.cost[used]


def _load_arc_costs(
    rq: Prepared, ix: VolunteerIndex, vols: Int64Array, slots: Int64Array, free: Int64Array
) -> Int64Array:
    """Cost of each volunteer's 1st, 2nd... extra task, given the room each has left."""
    v = ix.volunteers
    cap = np.repeat(v.cap[vols], slots)
    held = np.repeat(v.load[vols] + (ix.free[vols] - free[vols]), slots)  # see next_load_cost
    nth_extra = np.arange(slots.sum()) - np.repeat(np.cumsum(slots) - slots, slots) + 1
    return rq.weights.load_cost(held + nth_extra, cap)


def _min_cost_flow(net: Network) -> Int64Array:
    """Flow on each arc of an optimal solution (unit capacities, n_req units to the sink)."""
    smcf = min_cost_flow.SimpleMinCostFlow()
    arcs = smcf.add_arcs_with_capacity_and_unit_cost(
        net.tails.astype(np.int32),
        net.heads.astype(np.int32),
        np.ones(len(net.tails), dtype=np.int64),
        net.costs.astype(np.int64),
    )
    supplies = np.zeros(net.sink + 1, dtype=np.int64)
    supplies[: net.n_req], supplies[net.sink] = 1, -net.n_req
    smcf.set_nodes_supplies(np.arange(net.sink + 1, dtype=np.int32), supplies)
    status = smcf.solve()
    if status != smcf.OPTIMAL:
        raise SolverError(f"min-cost flow ended with status {status}")
    return np.asarray(smcf.flows(arcs), dtype=np.int64)


def objective(
    rq: Prepared,
    ix: VolunteerIndex,
    request: Int64Array,
    volunteer: Int64Array,
    cost: Int64Array,
) -> int:
    """Pair costs + load costs + penalties of unserved requests: lower is better."""
    vols = ix.volunteers
    served = np.zeros(len(rq), dtype=bool)
    served[request] = True
    taken = np.bincount(volunteer, minlength=len(vols))
    who = np.flatnonzero(taken)
    load = _load_arc_costs(rq, ix, who, taken[who], ix.free)
    penalty = rq.weights.unserved_cost(rq.priority[~served])
    return int(cost.sum() + load.sum() + penalty.sum())
