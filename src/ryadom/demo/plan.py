"""How much of everything each scale makes."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SEED = 20261122


@dataclass(frozen=True)
class Plan:
    name: str
    region_codes: tuple[str, ...]  # empty: every region
    institutions: int  # national only; the small scale uses a hand-written list
    military_regions: int  # military hospitals are concentrated in this many regions
    organisations: int
    volunteers: int
    veterans: int
    chunk: int  # volunteers (and requests) built and inserted at a time, to bound memory
    requests: int = 0  # care requests of the last 13 weeks, with their timelines
    # Volunteers per region follow population ** this: 1 is in proportion; less gives the
    # smaller regions of a small demo enough people to match.
    volunteer_spread: float = 1.0
    # Share of institutions (with a partner NGO) that have openings posted: every one in a
    # small demo, fewer in a country, where each opening costs service calls.
    openings_share: float = 0.3


SMALL = Plan(
    name="small",
    region_codes=("77", "50", "61", "46"),
    institutions=12,
    military_regions=3,
    organisations=10,
    volunteers=240,
    veterans=60,
    requests=600,
    chunk=240,
    volunteer_spread=0.3,
    openings_share=1.0,
)
NATIONAL = Plan(
    name="national",
    region_codes=(),
    institutions=1000,
    military_regions=25,
    organisations=5000,
    volunteers=200_000,
    veterans=20_000,
    requests=150_000,
    chunk=10_000,
)
SCALES = {plan.name: plan for plan in (SMALL, NATIONAL)}
