"""Pure matching engine: volunteers for care requests, online and in batch.

No Django here: callers pass NumPy arrays (`Requests`, `Volunteers`) and get indices back.
See docs/matching.md for the model, the weights and the benchmark.
"""

from __future__ import annotations

from ryadom.matching.batch import Assignment, assign, greedy
from ryadom.matching.data import (
    ANY,
    FEMALE,
    MALE,
    NO_INSTITUTION,
    SLOTS,
    Csr,
    Requests,
    Volunteers,
    pack_slots,
    slots_mask,
)
from ryadom.matching.geo import haversine_km
from ryadom.matching.index import VolunteerIndex
from ryadom.matching.online import recommend, recommend_by_scan
from ryadom.matching.results import (
    Proposal,
    Proposals,
    Reason,
    ReasonCode,
    Unserved,
    UnservedReason,
)
from ryadom.matching.weights import DEFAULT_WEIGHTS, Weights

__all__ = [
    "ANY",
    "DEFAULT_WEIGHTS",
    "FEMALE",
    "MALE",
    "NO_INSTITUTION",
    "SLOTS",
    "Assignment",
    "Csr",
    "Proposal",
    "Proposals",
    "Reason",
    "ReasonCode",
    "Requests",
    "Unserved",
    "UnservedReason",
    "VolunteerIndex",
    "Volunteers",
    "Weights",
    "assign",
    "greedy",
    "haversine_km",
    "pack_slots",
    "recommend",
    "recommend_by_scan",
    "slots_mask",
]
