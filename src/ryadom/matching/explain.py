"""Reasons: why each proposal, and why each unserved request got nobody."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from ryadom.matching.candidates import BLOCK, plan, pools
from ryadom.matching.data import ANY
from ryadom.matching.geo import km_for_chord
from ryadom.matching.index import NOBODY_CLEARED, Prepared, VolunteerIndex
from ryadom.matching.results import Proposals, Unserved, UnservedReason
from ryadom.matching.rules import (
    AVAILABLE,
    ELIGIBLE,
    NOT_IN_REACH,
    chord2,
    knows_veteran,
    likes_the_service,
    stage,
)

Int64Array = npt.NDArray[np.int64]

# Stage reached -> reason; ELIGIBLE is split further by what is left after the batch.
_BY_STAGE = [
    UnservedReason.NO_ELIGIBLE_WITHIN_RADIUS,
    UnservedReason.NO_SKILL_CHECK_OR_GENDER,
    UnservedReason.NO_AVAILABILITY_IN_WINDOW,
    UnservedReason.ALL_AT_CAPACITY,
]
_CODES = list(UnservedReason)


def describe(
    rq: Prepared,
    ix: VolunteerIndex,
    request: Int64Array,
    volunteer: Int64Array,
    cost: Int64Array,
    tasks: Int64Array,
) -> Proposals:
    """Proposals with the numbers their reasons quote."""
    r, v = rq.req, ix.volunteers
    continuity = knows_veteran(rq, ix, request, volunteer)
    meet = r.window[request] & v.availability[volunteer]
    return Proposals(
        request=request,
        volunteer=volunteer,
        cost=cost,
        km=km_for_chord(np.sqrt(chord2(rq, ix, request, volunteer))),
        continuity=continuity,
        wanted=continuity & r.wants_same[request],
        skills=np.bitwise_count(r.skills[request]).astype(np.int64),
        gender_rule=r.gender[request] != ANY,
        cleared=r.institution[request] >= 0,
        hours=np.bitwise_count(meet).sum(axis=1).astype(np.int64),
        likes=likes_the_service(rq, ix, request, volunteer),
        feedback=v.feedback[volunteer],
        tasks=tasks,
        hours_left=v.hours_left[volunteer] - v.task_hours * (tasks - v.load[volunteer]),
    )


def diagnose(
    rq: Prepared, ix: VolunteerIndex, rows: Int64Array, free_after: Int64Array
) -> Unserved:
    """Why each unserved request row got nobody (see `UnservedReason`)."""
    rows = np.sort(rows)
    best = best_stage(rq, ix, rows, ix.free)
    reason = np.array([_CODES.index(_BY_STAGE[min(s, 3)]) for s in best], dtype=np.int8)
    # Nobody had room: was it the task cap, or an NGO's hour limit that the cap alone would
    # have let through? The second is worth telling apart: the NGO can raise its limit.
    full = np.flatnonzero(best == AVAILABLE)
    if len(full):
        by_cap = best_stage(rq, ix, rows[full], ix.volunteers.task_room()) == ELIGIBLE
        reason[full[by_cap]] = _CODES.index(UnservedReason.AT_HOUR_LIMIT)
    left = best == ELIGIBLE
    still = best_stage(rq, ix, rows[left], free_after) == ELIGIBLE
    reason[np.flatnonzero(left)] = np.where(
        still,
        _CODES.index(UnservedReason.NOT_PROPOSED),
        _CODES.index(UnservedReason.TAKEN_BY_OTHER_REQUESTS),
    )
    return Unserved(rows, reason)


def best_stage(
    rq: Prepared, ix: VolunteerIndex, rows: Int64Array, free: Int64Array
) -> npt.NDArray[np.int8]:
    """Furthest stage any volunteer reaches for each (sorted) request row."""
    best = np.full(len(rows), NOT_IN_REACH, dtype=np.int8)
    by_list, by_tree = plan(rq, ix, rows)
    for group, pool in pools(rq, ix, by_list, None):
        step = max(1, BLOCK // len(pool))
        for lo in range(0, len(group), step):
            ri = np.repeat(group[lo : lo + step], len(pool))
            vj = np.tile(pool, len(group[lo : lo + step]))
            reached = stage(rq, ix, ri, vj, free, check_clearance=False)
            np.maximum.at(best, np.searchsorted(rows, ri), reached)
    _tree_stage(rq, ix, rows, by_tree, free, best)
    best[rq.inst_pos[rows] == NOBODY_CLEARED] = NOT_IN_REACH
    return best


def _tree_stage(
    rq: Prepared,
    ix: VolunteerIndex,
    rows: Int64Array,
    pending: Int64Array,
    free: Int64Array,
    best: npt.NDArray[np.int8],
) -> None:
    """Nearest-first over everyone until a row meets an eligible volunteer or runs out."""
    fetched, k = 0, 256
    while len(pending):
        chord, nb = ix.tree.query(
            rq.xyz[pending], k=range(fetched + 1, k + 1), distance_upper_bound=ix.max_chord,
            workers=-1,
        )  # fmt: skip
        found = nb < len(ix.volunteers)
        ri = np.repeat(pending, k - fetched)[found.ravel()]
        reached = stage(rq, ix, ri, nb[found].astype(np.int64), free, check_clearance=True)
        np.maximum.at(best, np.searchsorted(rows, ri), reached)
        more = found[:, -1] & (best[np.searchsorted(rows, pending)] < ELIGIBLE)
        pending, fetched, k = pending[more], k, k * 4
