"""The hard rules and the cost of one (request, volunteer) pair, in one place.

Every function takes request rows `ri` and volunteer rows `vj` that broadcast against
each other: (R, 1) with (1, C) scores a block, (P,) with (P,) scores a list of pairs
(the clearance check takes only the latter).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import numpy as np
import numpy.typing as npt

from ryadom.matching.data import ANY
from ryadom.matching.geo import km_for_chord
from ryadom.matching.index import Prepared, VolunteerIndex

Int64Array = npt.NDArray[np.int64]
Float64Array = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

# What candidates are ranked by: full cost (the engine) or distance alone (the baseline).
Rank = Literal["cost", "km"]

# How far a request got through the rules with its best volunteer (see `stage`).
NOT_IN_REACH = 0  # nobody cleared for the institution lives within their radius of it
IN_REACH = 1  # ... but lacks a skill, a check or the gender the request needs
QUALIFIED = 2  # ... but is not available in the request's window
AVAILABLE = 3  # ... but has no room left this week
ELIGIBLE = 4


@dataclass(frozen=True)
class Scored:
    """The pairs that pass every hard rule (flat), with their costs."""

    request: Int64Array
    volunteer: Int64Array
    cost: Int64Array  # travel, continuity, feedback, interest; load is separate
    next_load_cost: Int64Array  # what one more task costs the volunteer (fair spread)
    km: Float64Array
    continuity: BoolArray

    def rank_key(self, by: Rank) -> Float64Array:
        """Ordering of pairs for "best first": full cost, or distance alone."""
        if by == "km":
            return self.km
        return (self.cost + self.next_load_cost).astype(np.float64)


def chord2(rq: Prepared, ix: VolunteerIndex, ri: Int64Array, vj: Int64Array) -> Float64Array:
    """Squared chord between request and volunteer on the unit sphere."""
    a, b = rq.xyz[ri], ix.xyz[vj]
    dot = a[..., 0] * b[..., 0] + a[..., 1] * b[..., 1] + a[..., 2] * b[..., 2]
    return np.maximum(2.0 - 2.0 * dot, 0.0)


def in_reach(
    rq: Prepared, ix: VolunteerIndex, ri: Int64Array, vj: Int64Array, *, check_clearance: bool
) -> tuple[BoolArray, Float64Array]:
    """Within the volunteer's radius and cleared for the institution; and the squared chord."""
    c2 = chord2(rq, ix, ri, vj)
    ok = within_radius(ix, vj, c2)
    if check_clearance:
        ok &= ix.is_cleared(vj, rq.inst_pos[ri])
    return ok, c2


def within_radius(ix: VolunteerIndex, vj: Int64Array, c2: Float64Array) -> BoolArray:
    """The great-circle distance is within the volunteer's radius (chords are monotone)."""
    return np.asarray(c2 <= ix.reach2[vj])


def qualified(rq: Prepared, ix: VolunteerIndex, ri: Int64Array, vj: Int64Array) -> BoolArray:
    """Holds every needed skill and check, and is of the gender the request needs."""
    v, r = ix.volunteers, rq.req
    ok = (r.skills[ri] & ~v.skills[vj]) == 0
    ok &= (r.needs[ri] & ~v.checks[vj]) == 0
    gender = r.gender[ri]
    return np.asarray(ok & ((gender == ANY) | (gender == v.gender[vj])))


def available(rq: Prepared, ix: VolunteerIndex, ri: Int64Array, vj: Int64Array) -> BoolArray:
    """Some hour of the request's window is in the volunteer's weekly availability."""
    w, a = rq.window_words, ix.availability_words
    meet = (w[0][ri] & a[0][vj]) | (w[1][ri] & a[1][vj]) | (w[2][ri] & a[2][vj])
    return np.asarray(meet != 0)


def evaluate(
    rq: Prepared,
    ix: VolunteerIndex,
    ri: Int64Array,
    vj: Int64Array,
    free: Int64Array,
    *,
    check_clearance: bool,
    c2: Float64Array | None = None,
) -> Scored:
    """Apply every hard rule to the pairs, and cost the ones that pass.

    `c2`, the squared chords, may be passed when known (a k-d tree query returns them).
    """
    # Reach and room first, on the broadcast shape; then keep only survivors before each
    # further rule, so the costlier rules look at a fraction of the pairs.
    if c2 is None:
        c2 = chord2(rq, ix, ri, vj)
    ok = within_radius(ix, vj, c2) & (free[vj] > 0)
    r = np.broadcast_to(ri, ok.shape)[ok]
    v = np.broadcast_to(vj, ok.shape)[ok]
    c2 = c2[ok]
    for rule in (available, qualified):
        keep = rule(rq, ix, r, v)
        r, v, c2 = r[keep], v[keep], c2[keep]
    if check_clearance:
        keep = ix.is_cleared(v, rq.inst_pos[r])
        r, v, c2 = r[keep], v[keep], c2[keep]
    km = km_for_chord(np.sqrt(c2))
    continuity = knows_veteran(rq, ix, r, v)
    return Scored(
        request=r,
        volunteer=v,
        cost=pair_cost(rq, ix, r, v, km, continuity),
        next_load_cost=next_load_cost(rq, ix, v, free),
        km=km,
        continuity=continuity,
    )


def knows_veteran(rq: Prepared, ix: VolunteerIndex, ri: Int64Array, vj: Int64Array) -> BoolArray:
    """Whether each volunteer has helped the request's veteran before."""
    rows = np.unique(ri[rq.vet_pos[ri] >= 0])
    h_req, h_vol = ix.by_veteran.expand(rows, rq.vet_pos[rows])
    if not len(h_req):
        return np.zeros(len(ri), dtype=bool)
    n = len(ix.volunteers)
    return np.isin(ri * n + vj, h_req * n + h_vol)


def pair_cost(
    rq: Prepared,
    ix: VolunteerIndex,
    ri: Int64Array,
    vj: Int64Array,
    km: Float64Array,
    continuity: BoolArray,
) -> Int64Array:
    """Travel + continuity + feedback + interest points of flat pairs (see `weights`)."""
    w = rq.weights
    likes = likes_the_service(rq, ix, ri, vj)
    cost = np.rint(km * w.km).astype(np.int64)
    cost += np.where(continuity, 0, rq.absence[ri])
    cost += ix.feedback_points[vj]
    cost += np.where(likes, 0, w.no_interest)
    return cost


def likes_the_service(
    rq: Prepared, ix: VolunteerIndex, ri: Int64Array, vj: Int64Array
) -> BoolArray:
    """The volunteer said they like the request's kind of help."""
    bit = rq.req.service[ri].astype(np.uint64)
    return np.asarray(((ix.volunteers.interests[vj] >> bit) & np.uint64(1)) != 0)


def next_load_cost(
    rq: Prepared, ix: VolunteerIndex, vj: Int64Array, free: Int64Array
) -> Int64Array:
    """Marginal cost of one more task for each volunteer, given the room they have left.

    The tasks held are the load plus those this batch gave them (the room used since the
    index was built); not `cap - free`, since an hour limit can leave less room than the cap.
    """
    v = ix.volunteers
    return rq.weights.load_cost(v.load[vj] + (ix.free[vj] - free[vj]) + 1, v.cap[vj])


def stage(
    rq: Prepared,
    ix: VolunteerIndex,
    ri: Int64Array,
    vj: Int64Array,
    free: Int64Array,
    *,
    check_clearance: bool,
) -> npt.NDArray[np.int8]:
    """How far each pair gets through the rules: NOT_IN_REACH .. ELIGIBLE."""
    reach, _ = in_reach(rq, ix, ri, vj, check_clearance=check_clearance)
    qual = reach & qualified(rq, ix, ri, vj)
    avail = qual & available(rq, ix, ri, vj)
    room = avail & (free[vj] > 0)
    return (reach.astype(np.int8) + qual + avail + room).astype(np.int8)
