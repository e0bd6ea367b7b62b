"""What the engine hands back: proposals with their reasons, and unserved requests with why."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, fields
from enum import StrEnum

import numpy as np
import numpy.typing as npt

Int64Array = npt.NDArray[np.int64]
Float64Array = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


class ReasonCode(StrEnum):
    """Why a volunteer is proposed; stable codes the adapter translates for people."""

    DISTANCE_KM = "distance_km"
    SAME_VOLUNTEER_AS_BEFORE = "same_volunteer_as_before"
    ASKED_FOR_BY_VETERAN = "asked_for_by_veteran"
    HAS_THE_SKILLS = "has_the_skills"
    GENDER_AS_ASKED = "gender_as_asked"
    CLEARED_FOR_INSTITUTION = "cleared_for_institution"
    AVAILABLE_HOURS = "available_hours_in_window"
    LIKES_THIS_HELP = "likes_this_kind_of_help"
    RECENT_FEEDBACK = "recent_feedback"
    TASKS_THIS_WEEK = "tasks_this_week"
    HOURS_LEFT = "hours_left_this_week"


class UnservedReason(StrEnum):
    """Why a request got nobody, from the first rule that nobody passed."""

    NO_ELIGIBLE_WITHIN_RADIUS = "no_eligible_volunteer_within_radius"
    NO_SKILL_CHECK_OR_GENDER = "no_volunteer_with_the_skills_checks_or_gender"
    NO_AVAILABILITY_IN_WINDOW = "no_availability_in_the_window"
    ALL_AT_CAPACITY = "all_eligible_volunteers_at_capacity"
    AT_HOUR_LIMIT = "eligible_volunteers_at_their_weekly_hour_limit"
    TAKEN_BY_OTHER_REQUESTS = "eligible_volunteers_went_to_more_pressing_requests"
    NOT_PROPOSED = "eligible_volunteer_left_but_not_among_candidates"


_TEXT = {
    ReasonCode.DISTANCE_KM: "{:.1f} km from home",
    ReasonCode.SAME_VOLUNTEER_AS_BEFORE: "same volunteer as before",
    ReasonCode.ASKED_FOR_BY_VETERAN: "the veteran asked for a volunteer they know",
    ReasonCode.HAS_THE_SKILLS: "has the {:.0f} skill(s) needed",
    ReasonCode.GENDER_AS_ASKED: "gender as asked",
    ReasonCode.CLEARED_FOR_INSTITUTION: "cleared for the institution",
    ReasonCode.AVAILABLE_HOURS: "available {:.0f} h in the window",
    ReasonCode.LIKES_THIS_HELP: "likes this kind of help",
    ReasonCode.RECENT_FEEDBACK: "recent feedback {:.2f}",
    ReasonCode.TASKS_THIS_WEEK: "{:.0f} task(s) this week with this one",
    ReasonCode.HOURS_LEFT: "{:g} h left this week under the NGO's limit",
}


@dataclass(frozen=True)
class Reason:
    """One reason code and its number (km, hours, score...), None when it has none."""

    code: ReasonCode
    value: float | None = None

    @property
    def text(self) -> str:
        """English text for logs and the benchmark; pages translate the code instead."""
        return _TEXT[self.code].format(self.value)


@dataclass(frozen=True)
class Proposal:
    """Volunteer row `volunteer` for request row `request`, its cost and why."""

    request: int
    volunteer: int
    cost: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True)
class Proposals:
    """Proposals as arrays (one row each); iterate for `Proposal` objects with reasons."""

    request: Int64Array
    volunteer: Int64Array
    cost: Int64Array  # pair cost in points, load excluded (see `weights`)
    km: Float64Array
    continuity: BoolArray
    wanted: BoolArray
    skills: Int64Array
    gender_rule: BoolArray
    cleared: BoolArray
    hours: Int64Array
    likes: BoolArray
    feedback: Float64Array
    tasks: Int64Array  # tasks this week including this one
    hours_left: Float64Array  # hours left this week after these tasks; inf: no limit

    def __len__(self) -> int:
        return len(self.request)

    def __iter__(self) -> Iterator[Proposal]:
        for p in range(len(self)):
            yield self.proposal(p)

    def proposal(self, p: int) -> Proposal:
        """Row p as a `Proposal`."""
        r, v, c = int(self.request[p]), int(self.volunteer[p]), int(self.cost[p])
        return Proposal(r, v, c, self.reasons(p))

    def reasons(self, p: int) -> tuple[Reason, ...]:
        """Reasons for row p, the most telling first."""
        out = [Reason(ReasonCode.DISTANCE_KM, round(float(self.km[p]), 1))]
        flags = (
            (self.continuity[p], ReasonCode.SAME_VOLUNTEER_AS_BEFORE, None),
            (self.wanted[p], ReasonCode.ASKED_FOR_BY_VETERAN, None),
            (self.skills[p] > 0, ReasonCode.HAS_THE_SKILLS, float(self.skills[p])),
            (self.gender_rule[p], ReasonCode.GENDER_AS_ASKED, None),
            (self.cleared[p], ReasonCode.CLEARED_FOR_INSTITUTION, None),
            (True, ReasonCode.AVAILABLE_HOURS, float(self.hours[p])),
            (self.likes[p], ReasonCode.LIKES_THIS_HELP, None),
            (not np.isnan(self.feedback[p]), ReasonCode.RECENT_FEEDBACK, float(self.feedback[p])),
            (True, ReasonCode.TASKS_THIS_WEEK, float(self.tasks[p])),
            (
                bool(np.isfinite(self.hours_left[p])),
                ReasonCode.HOURS_LEFT,
                round(float(self.hours_left[p]), 1),
            ),
        )
        out += [Reason(code, value) for holds, code, value in flags if holds]
        return tuple(out)

    def take(self, rows: Int64Array) -> Proposals:
        """A new Proposals holding only the given rows, in that order."""
        return Proposals(**{f.name: getattr(self, f.name)[rows] for f in fields(self)})


@dataclass(frozen=True)
class Unserved:
    """Requests the engine could not serve, each with why."""

    request: Int64Array
    reason: npt.NDArray[np.int8]  # index into list(UnservedReason)

    def __len__(self) -> int:
        return len(self.request)

    def __iter__(self) -> Iterator[tuple[int, UnservedReason]]:
        codes = list(UnservedReason)
        for r, why in zip(self.request, self.reason, strict=True):
            yield int(r), codes[why]

    def counts(self) -> dict[UnservedReason, int]:
        """How many requests were left for each reason."""
        n = np.bincount(self.reason, minlength=len(UnservedReason))
        return {code: int(k) for code, k in zip(UnservedReason, n, strict=True) if k}
