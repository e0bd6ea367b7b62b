"""Reading figures off summed measures: medians from cumulative histograms, shares."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from ryadom.analytics.models import ASSIGN_HIST, BUCKET_EDGES, COMPLETE_HIST


def median_minutes(total: int, cumulative: Sequence[int]) -> float | None:
    """The median, interpolated inside the bucket that holds it; None when nothing counted.

    `cumulative[i]` is how many of `total` took under BUCKET_EDGES[i] minutes. A median past
    the last edge is reported as that edge (a lower bound).
    """
    if total <= 0:
        return None
    half = total / 2
    previous, lower = 0, 0
    for count, edge in zip(cumulative, BUCKET_EDGES, strict=True):
        if count >= half and count > previous:
            return lower + (half - previous) / (count - previous) * (edge - lower)
        previous, lower = count, edge
    return float(BUCKET_EDGES[-1])


def share(part: int | None, whole: int | None) -> float | None:
    return None if not whole else (part or 0) / whole


def median_to_assign(m: Mapping[str, int]) -> float | None:
    return median_minutes(m.get("assigned") or 0, [m.get(c) or 0 for c in ASSIGN_HIST])


def median_to_complete(m: Mapping[str, int]) -> float | None:
    return median_minutes(m.get("completed") or 0, [m.get(c) or 0 for c in COMPLETE_HIST])
