"""Week slots: hours of the week in UTC (Monday 00:00 UTC = slot 0) as the engine's bit words.

Volunteers and institutions of different time zones meet correctly in a national run.
"""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from ryadom.matching import SLOTS, slots_mask

Int64Array = npt.NDArray[np.int64]

WEEK_MIN = SLOTS * 60
WORDS = 3
ALL_BITS = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
WHOLE_WEEK = slots_mask([(0, SLOTS)])


def offset_min(zone: str, now: datetime.datetime) -> int:
    offset = now.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def slot_bits(
    n: int, owner: Int64Array, start: Int64Array, end: Int64Array
) -> npt.NDArray[np.uint64]:
    """(n, 3) week-slot words of [start, end) minute intervals of the UTC week, by owner.

    Intervals may stick out of the week on either side (a local Monday morning is a UTC
    Sunday evening): they wrap around. A partly covered hour counts as covered. Built as
    words directly (slot s is bit s % 64 of word s // 64, as `pack_slots` lays them out),
    so a million volunteers never need a (n, 168) matrix.
    """
    shift = np.floor_divide(start, WEEK_MIN) * WEEK_MIN
    start, end = start - shift, end - shift  # start now in [0, week)
    wraps = end > WEEK_MIN
    owner = np.concatenate((owner, owner[wraps]))
    start, end = (
        np.concatenate((start, np.zeros(int(wraps.sum()), dtype=np.int64))),
        np.concatenate((np.minimum(end, WEEK_MIN), end[wraps] - WEEK_MIN)),
    )
    first, last = start // 60, -(-end // 60)  # hours touched: floor of start, ceil of end
    out = np.zeros((n, WORDS), dtype=np.uint64)
    for w in range(WORDS):
        lo = np.clip(first - 64 * w, 0, 64)
        hi = np.clip(last - 64 * w, 0, 64)
        np.bitwise_or.at(out[:, w], owner, _ones(hi) & ~_ones(lo))
    return out


def _ones(k: Int64Array) -> npt.NDArray[np.uint64]:
    """The k lowest bits set, for k in 0..64."""
    low = (np.uint64(1) << np.minimum(k, 63).astype(np.uint64)) - np.uint64(1)
    return np.where(k >= 64, ALL_BITS, low).astype(np.uint64)


def weekly_rows(
    rows: Sequence[tuple[int, int, datetime.time, datetime.time, int]],
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """(owner, start, end) in UTC week minutes of (owner, weekday, starts, ends, offset) rows."""
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    a = np.array(
        [
            (o, d * 1440 + s.hour * 60 + s.minute - off, d * 1440 + e.hour * 60 + e.minute - off)
            for o, d, s, e, off in rows
        ],
        dtype=np.int64,
    )
    return a[:, 0], a[:, 1], a[:, 2]


def window_minutes(starts: datetime.datetime, ends: datetime.datetime) -> tuple[int, int] | None:
    """A dated window as UTC week minutes; None when it covers the whole week."""
    if ends - starts >= datetime.timedelta(days=7):
        return None
    s = starts.astimezone(datetime.UTC)
    start = s.weekday() * 1440 + s.hour * 60 + s.minute
    return start, start + int((ends - starts).total_seconds() // 60) + (1 if s.second else 0)
