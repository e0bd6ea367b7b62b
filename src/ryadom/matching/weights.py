"""Every number that trades one good against another in matching, in one place.

Costs are integers ("points") because the min-cost-flow solver works in integers.
One point is 100 m of travel, so every weight below reads as "worth this many km".
A proposal's cost is the sum of:

- travel: ``km`` points per km from the volunteer's home to the request;
- continuity: ``no_continuity`` points unless the volunteer has helped this veteran
  before, plus ``not_the_wanted_one`` when the veteran asked to keep their volunteer;
- feedback: ``feedback`` points times (1 - recent score), a neutral score when none;
- interest: ``no_interest`` points unless the volunteer said they like this kind of help;
- fair spread: the t-th task of a volunteer's week costs ``load * (t - 1) / cap`` points,
  so the first task is free and a nearly full volunteer is the last resort; because the
  marginal cost grows, the solver spreads near requests over several volunteers.

A request left unserved costs ``unserved * priority`` points, where priority grows with
urgency, days waited and a near deadline. The smallest such penalty is larger than the
largest possible proposal cost (checked below), so the solver never leaves a request
unserved to save travel or anything else. When two requests compete for one place, the
one with the higher priority wins whenever the two differ by 6 units or more (6,000
points, more than any proposal costs); urgency levels are 10 to 40 units apart, a day
of waiting is 2 units, so only near-equal priorities are traded against travel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

# Volunteers may set a travel radius up to this (the database allows 1..500 km).
MAX_RADIUS_KM = 500.0


@dataclass(frozen=True)
class Weights:
    """Soft-cost weights in points (1 point = 100 m of travel); see the module docstring."""

    km: int = 10
    no_continuity: int = 60
    not_the_wanted_one: int = 300
    feedback: int = 40
    neutral_feedback: float = 0.7
    no_interest: int = 20
    load: int = 100
    # Priority of a request: urgency level 0 (routine) .. 3 (critical), then waiting time.
    urgency: tuple[int, int, int, int] = (10, 20, 40, 80)
    per_day_waited: int = 2
    max_days_counted: int = 14
    deadline_within_24h: int = 20
    unserved: int = 1_000

    def __post_init__(self) -> None:
        if min(self.urgency) * self.unserved <= self.max_pair_cost():
            raise ValueError("unserved penalty must exceed the largest proposal cost")

    def max_pair_cost(self) -> int:
        """The largest cost a single proposal can have, load included."""
        return (
            round(self.km * MAX_RADIUS_KM)
            + self.no_continuity
            + self.not_the_wanted_one
            + self.feedback
            + self.no_interest
            + self.load
        )

    def load_cost(
        self, nth_task: npt.NDArray[np.int64], cap: npt.NDArray[np.int64]
    ) -> npt.NDArray[np.int64]:
        """Marginal cost of a volunteer's nth task this week (n counts from 1)."""
        share = (nth_task - 1) * self.load // np.maximum(cap, 1)
        return np.minimum(share, self.load).astype(np.int64)

    def priority(
        self,
        urgency: npt.NDArray[np.int8],
        waited_h: npt.NDArray[np.float64],
        deadline_h: npt.NDArray[np.float64],
    ) -> npt.NDArray[np.int64]:
        """Integer priority of each request: urgent, long-waiting and due-soon come first."""
        levels = np.asarray(self.urgency, dtype=np.int64)
        days = np.clip(np.floor(waited_h / 24.0), 0, self.max_days_counted).astype(np.int64)
        soon = np.where(deadline_h <= 24.0, self.deadline_within_24h, 0)
        return levels[np.clip(urgency, 0, 3)] + days * self.per_day_waited + soon

    def unserved_cost(self, priority: npt.NDArray[np.int64]) -> npt.NDArray[np.int64]:
        """Penalty for leaving each request unserved."""
        return (priority * self.unserved).astype(np.int64)


DEFAULT_WEIGHTS = Weights()
