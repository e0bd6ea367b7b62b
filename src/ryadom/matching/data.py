"""Inputs of the engine as struct-of-arrays, so a million volunteers fit in memory.

Row i of every array in `Requests` describes request i; likewise for `Volunteers`.
Indices into these arrays are what the engine returns; the caller maps them back to ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields

import numpy as np
import numpy.typing as npt

from ryadom.matching.weights import MAX_RADIUS_KM

# A week is 168 one-hour slots (slot = weekday * 24 + hour, Monday 00:00 = 0), stored as
# bits in three uint64 words so "does the window meet the availability" is three ANDs.
SLOTS = 168
WORDS = 3

# Genders as small integers; a request's gender rule names the gender it needs, or ANY.
ANY = 0
FEMALE = 1
MALE = 2

NO_INSTITUTION = -1

Int64Array = npt.NDArray[np.int64]
Float64Array = npt.NDArray[np.float64]
UInt64Array = npt.NDArray[np.uint64]


def slots_mask(intervals: Iterable[tuple[int, int]]) -> UInt64Array:
    """Bitmask (3 words) of the week's hour slots covered by [start, end) hour intervals."""
    bits = np.zeros(WORDS * 64, dtype=bool)
    for start, end in intervals:
        if not 0 <= start < end <= SLOTS:
            raise ValueError(f"slot interval [{start}, {end}) is outside the week 0..{SLOTS}")
        bits[start:end] = True
    return pack_slots(bits[None, :])[0]


def pack_slots(bits: npt.NDArray[np.bool_]) -> UInt64Array:
    """Pack an (n, 168 or 192) boolean matrix of slots into (n, 3) uint64 words."""
    padded = np.zeros((bits.shape[0], WORDS * 64), dtype=bool)
    padded[:, : bits.shape[1]] = bits
    packed = np.packbits(padded, axis=1, bitorder="little")
    return packed.view("<u8").astype(np.uint64)


@dataclass(frozen=True)
class Csr:
    """Per-row sets of integers (CSR): row r holds values[indptr[r] : indptr[r + 1]]."""

    indptr: Int64Array
    values: Int64Array

    @classmethod
    def from_lists(cls, rows: Sequence[Iterable[int]]) -> Csr:
        """Build from one iterable of values per row."""
        lists = [sorted(set(r)) for r in rows]
        lengths = np.array([len(r) for r in lists], dtype=np.int64)
        indptr = np.concatenate(([0], np.cumsum(lengths))).astype(np.int64)
        flat = [v for r in lists for v in r]
        return cls(indptr, np.array(flat, dtype=np.int64))

    @classmethod
    def empty(cls, n: int) -> Csr:
        """n empty rows."""
        return cls(np.zeros(n + 1, dtype=np.int64), np.zeros(0, dtype=np.int64))

    @property
    def rows(self) -> int:
        """Number of rows."""
        return len(self.indptr) - 1

    def row_of_each_value(self) -> Int64Array:
        """The row each stored value belongs to."""
        return np.repeat(np.arange(self.rows, dtype=np.int64), np.diff(self.indptr))

    def get(self, row: int) -> Int64Array:
        """The values of one row."""
        return self.values[self.indptr[row] : self.indptr[row + 1]]


def _check_rows(obj: object, n: int) -> None:
    """Every array field has n rows; raise naming the first that does not."""
    for f in fields(obj):  # type: ignore[arg-type]
        value = getattr(obj, f.name)
        if isinstance(value, np.ndarray) and value.shape[:1] != (n,):
            raise ValueError(f"{f.name}: expected {n} rows, got shape {value.shape}")
        if isinstance(value, Csr) and value.rows != n:
            raise ValueError(f"{f.name}: expected {n} rows, got {value.rows}")


@dataclass(frozen=True)
class Requests:
    """Open care requests; bitmasks are over the caller's numbering of skills and checks."""

    lat: Float64Array
    lon: Float64Array
    institution: Int64Array  # NO_INSTITUTION: only `needs` decides eligibility
    service: Int64Array  # service type number, 0..63, matched to volunteers' interests
    skills: UInt64Array  # every skill bit here must be held by the volunteer
    needs: UInt64Array  # checks the service needs beyond the institution's (e.g. screening)
    gender: npt.NDArray[np.int8]  # ANY, FEMALE or MALE: the helper must be of this gender
    urgency: npt.NDArray[np.int8]  # 0 routine .. 3 critical
    waited_h: Float64Array  # hours since the request was made
    deadline_h: Float64Array  # hours from now until it must be done
    window: UInt64Array  # (n, 3): the week's slots when the help can happen
    veteran: Int64Array  # who is helped; matched against volunteers' `served`
    wants_same: npt.NDArray[np.bool_]  # the veteran asked for a volunteer they already know

    def __post_init__(self) -> None:
        _check_rows(self, len(self.lat))

    def __len__(self) -> int:
        return len(self.lat)

    def take(self, rows: Int64Array) -> Requests:
        """A new Requests holding only the given rows, in that order."""
        return Requests(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


@dataclass(frozen=True)
class Volunteers:
    """Volunteers with what they may do (clearance, checks) and how much they can take."""

    lat: Float64Array
    lon: Float64Array
    radius_km: Float64Array
    skills: UInt64Array
    checks: UInt64Array  # checks that hold today, as bits
    interests: UInt64Array  # bit s: likes service type s
    gender: npt.NDArray[np.int8]
    availability: UInt64Array  # (n, 3) week slots
    cap: Int64Array  # tasks a week at most
    load: Int64Array  # tasks already taken this week
    feedback: Float64Array  # recent score 0..1, NaN when there is none
    clearance: Csr  # institutions the volunteer may work in (caller decides: checks, NGO)
    served: Csr = field(default_factory=lambda: Csr.empty(0))  # veterans helped before
    # Hours the volunteer may still give this week (their NGO's weekly limit less the hours
    # already planned); inf when no limit is set. Empty (the default): nobody has a limit.
    hours_left: Float64Array = field(default_factory=lambda: np.zeros(0))
    task_hours: float = 1.0  # what one more task counts against `hours_left`

    def __post_init__(self) -> None:
        n = len(self.lat)
        if self.served.rows == 0 and n:
            object.__setattr__(self, "served", Csr.empty(n))
        if len(self.hours_left) == 0 and n:
            object.__setattr__(self, "hours_left", np.full(n, np.inf))
        _check_rows(self, n)
        if self.task_hours <= 0:
            raise ValueError("task_hours: must be positive")
        if n and np.isnan(self.hours_left).any():
            raise ValueError("hours_left: NaN; use inf for no limit")
        if n and (self.radius_km.min() <= 0 or self.radius_km.max() > MAX_RADIUS_KM):
            raise ValueError(f"radius_km: must be in (0, {MAX_RADIUS_KM:g}] km")

    def __len__(self) -> int:
        return len(self.lat)

    def task_room(self) -> Int64Array:
        """Tasks each volunteer can still take this week by their task cap alone."""
        return np.maximum(self.cap - self.load, 0)

    def hour_room(self) -> Int64Array:
        """Tasks each volunteer's hours left allow (the cap where no limit is set)."""
        limited = np.isfinite(self.hours_left)
        # A small tolerance: 3 hours left at 1 hour a task is 3 tasks, not 2.999...
        tasks = np.floor(np.where(limited, self.hours_left, 0.0) / self.task_hours + 1e-9)
        return np.where(limited, np.maximum(tasks, 0), self.cap).astype(np.int64)

    def free(self) -> Int64Array:
        """Tasks each volunteer can still take this week: room by the cap and by the hours."""
        return np.minimum(self.task_room(), self.hour_room())
