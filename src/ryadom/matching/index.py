"""What is built once per set of volunteers: k-d trees and inverted lists.

The k-d trees hold volunteers' homes as 3-D unit vectors (see `geo`): one over everyone
(diagnosis, the exact full graph) and a few over volunteers with room, by band (search).
The inverted clearance list answers "who may work in institution g" without touching
anyone else, and the inverted history answers "who has helped veteran x before".
An index is a snapshot: rebuild it when volunteers, their load or clearances change.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from scipy.spatial import cKDTree

from ryadom.matching.data import NO_INSTITUTION, Csr, Requests, Volunteers
from ryadom.matching.geo import chord_for_km, unit_vectors
from ryadom.matching.weights import DEFAULT_WEIGHTS, Weights

Int64Array = npt.NDArray[np.int64]
Float64Array = npt.NDArray[np.float64]
UInt64Array = npt.NDArray[np.uint64]

# Request institution positions that are not an index into the inverted list.
OPEN_ACCESS = -1  # the request has no institution: no clearance is needed
NOBODY_CLEARED = -2  # nobody is cleared for the request's institution


@dataclass(frozen=True)
class Inverted:
    """Volunteers per key (institution or veteran), keys sorted, volunteers sorted per key."""

    keys: Int64Array
    indptr: Int64Array
    volunteers: Int64Array

    @classmethod
    def of(cls, csr: Csr) -> Inverted:
        """Invert per-volunteer sets into per-key volunteer lists."""
        order = np.argsort(csr.values, kind="stable")  # stable: volunteers stay ascending
        keys_flat = csr.values[order]
        keys, counts = np.unique(keys_flat, return_counts=True)
        indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
        return cls(keys.astype(np.int64), indptr, csr.row_of_each_value()[order])

    def position(self, key: Int64Array) -> Int64Array:
        """Position of each key in `keys`, -1 where absent."""
        if not len(self.keys):
            return np.full(np.shape(key), -1, dtype=np.int64)
        pos = np.minimum(np.searchsorted(self.keys, key), len(self.keys) - 1)
        return np.where(self.keys[pos] == key, pos, -1).astype(np.int64)

    def sizes(self) -> Int64Array:
        """Number of volunteers under each key."""
        return np.diff(self.indptr)

    def at(self, pos: int) -> Int64Array:
        """Volunteers under the key at one position."""
        return self.volunteers[self.indptr[pos] : self.indptr[pos + 1]]

    def expand(self, owners: Int64Array, pos: Int64Array) -> tuple[Int64Array, Int64Array]:
        """(owner, volunteer) for every volunteer under each owner's key position (-1: none)."""
        has = pos >= 0
        owners, pos = owners[has], pos[has]
        counts = self.indptr[pos + 1] - self.indptr[pos]
        rep_owner = np.repeat(owners, counts)
        starts = np.repeat(self.indptr[pos] - np.cumsum(counts) + counts, counts)
        return rep_owner, self.volunteers[starts + np.arange(len(rep_owner))]


# Volunteers with room are split by their own points (feedback + next task's load) and
# by travel radius, one k-d tree each: a search reaches far only into trees whose
# volunteers could still beat what it has, and never beyond the radius of a tree's
# members, instead of fetching every home on the way.
POINTS_EDGES = (20, 50)
RADIUS_EDGES_KM = (10.0, 25.0)


@dataclass(frozen=True)
class Bucket:
    """A k-d tree over volunteers with room, own points >= `points`, radius <= max_chord."""

    tree: cKDTree
    members: Int64Array
    points: int
    max_chord: float


@dataclass(frozen=True)
class VolunteerIndex:
    """Volunteers plus the structures that find candidates without scanning everyone."""

    volunteers: Volunteers
    weights: Weights
    free: Int64Array  # tasks each can still take this week, when the index was built
    feedback_points: Int64Array
    own_points: Int64Array  # feedback + next task's load points, when the index was built
    xyz: Float64Array
    availability_words: tuple[UInt64Array, ...]  # contiguous per word: gathers are faster
    reach2: Float64Array  # squared chord of each volunteer's travel radius
    max_chord: float
    tree: cKDTree  # everyone, for diagnosis
    buckets: tuple[Bucket, ...]  # volunteers with room, by own points
    by_institution: Inverted
    clear_keys: Int64Array  # sorted volunteer * n_institutions + institution position
    by_veteran: Inverted

    @classmethod
    def build(cls, volunteers: Volunteers, weights: Weights = DEFAULT_WEIGHTS) -> VolunteerIndex:
        """Build the trees and inverted lists (about 2 s for a million volunteers)."""
        xyz = unit_vectors(volunteers.lat, volunteers.lon)
        by_inst = Inverted.of(volunteers.clearance)
        inst_pos = by_inst.position(volunteers.clearance.values)
        owner = volunteers.clearance.row_of_each_value()
        free = volunteers.free()
        fb = feedback_points(volunteers, weights)
        own = fb + weights.load_cost(volunteers.load + 1, volunteers.cap)
        radius_max = float(volunteers.radius_km.max()) if len(volunteers) else 0.0
        return cls(
            volunteers=volunteers,
            weights=weights,
            free=free,
            feedback_points=fb,
            own_points=own,
            xyz=xyz,
            availability_words=_words(volunteers.availability),
            reach2=chord_for_km(volunteers.radius_km) ** 2,
            max_chord=float(chord_for_km(radius_max)),
            tree=_tree(xyz),
            buckets=_buckets(xyz, own, free, volunteers.radius_km),
            by_institution=by_inst,
            clear_keys=np.sort(owner * max(len(by_inst.keys), 1) + inst_pos),
            by_veteran=Inverted.of(volunteers.served),
        )

    def is_cleared(self, vol: Int64Array, inst_pos: Int64Array) -> npt.NDArray[np.bool_]:
        """Whether each volunteer may work in the institution at that position."""
        ok = inst_pos == OPEN_ACCESS
        look = np.flatnonzero(inst_pos >= 0)  # only these need the sorted keys
        if len(look) and len(self.clear_keys):
            key = vol[look] * max(len(self.by_institution.keys), 1) + inst_pos[look]
            at = np.minimum(np.searchsorted(self.clear_keys, key), len(self.clear_keys) - 1)
            ok[look] = self.clear_keys[at] == key
        return np.asarray(ok)


def feedback_points(volunteers: Volunteers, weights: Weights) -> Int64Array:
    """Points for each volunteer's recent feedback (a neutral score when there is none)."""
    fb = volunteers.feedback
    score = np.clip(np.where(np.isnan(fb), weights.neutral_feedback, fb), 0.0, 1.0)
    return np.rint(weights.feedback * (1.0 - score)).astype(np.int64)


def _words(slots: UInt64Array) -> tuple[UInt64Array, ...]:
    """The columns of an (n, 3) slot mask as contiguous arrays."""
    return tuple(np.ascontiguousarray(slots[:, w]) for w in range(slots.shape[1]))


def _tree(xyz: Float64Array) -> cKDTree:
    """A k-d tree over unit vectors."""
    # balanced_tree=False builds in a third of the time; queries are as fast here.
    return cKDTree(xyz, balanced_tree=False, compact_nodes=False)


def _buckets(
    xyz: Float64Array, own: Int64Array, free: Int64Array, radius_km: Float64Array
) -> tuple[Bucket, ...]:
    """One tree per band of own points and band of radius, over volunteers with room."""
    points_band = np.searchsorted(np.asarray(POINTS_EDGES), own, side="right")
    radius_band = np.searchsorted(np.asarray(RADIUS_EDGES_KM), radius_km, side="left")
    band = points_band * (len(RADIUS_EDGES_KM) + 1) + radius_band
    out = []
    for b in np.unique(band[free > 0]):
        members = np.flatnonzero((band == b) & (free > 0))
        reach = float(chord_for_km(radius_km[members].max()))
        out.append(Bucket(_tree(xyz[members]), members, int(own[members].min()), reach))
    return tuple(out)


@dataclass(frozen=True)
class Prepared:
    """Requests with what every candidate search needs computed once."""

    req: Requests
    weights: Weights
    xyz: Float64Array
    window_words: tuple[UInt64Array, ...]
    inst_pos: Int64Array  # into the inverted clearance list, or OPEN_ACCESS / NOBODY_CLEARED
    vet_pos: Int64Array  # into the inverted history, -1 when nobody helped this veteran
    absence: Int64Array  # continuity points a volunteer new to this veteran pays
    priority: Int64Array

    @classmethod
    def of(cls, req: Requests, ix: VolunteerIndex) -> Prepared:
        """Prepare requests against an index (and its weights)."""
        weights = ix.weights
        pos = ix.by_institution.position(req.institution)
        inst_pos = np.where(
            req.institution == NO_INSTITUTION, OPEN_ACCESS, np.where(pos >= 0, pos, NOBODY_CLEARED)
        )
        absence = weights.no_continuity + weights.not_the_wanted_one * req.wants_same
        return cls(
            req=req,
            weights=weights,
            xyz=unit_vectors(req.lat, req.lon),
            window_words=_words(req.window),
            inst_pos=inst_pos.astype(np.int64),
            vet_pos=ix.by_veteran.position(req.veteran),
            absence=absence.astype(np.int64),
            priority=weights.priority(req.urgency, req.waited_h, req.deadline_h),
        )

    def __len__(self) -> int:
        return len(self.req)
