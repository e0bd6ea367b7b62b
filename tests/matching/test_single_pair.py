"""One volunteer and one request: the obvious answer, and the reason when there is none."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ryadom.matching import (
    ANY,
    FEMALE,
    MALE,
    NO_INSTITUTION,
    Csr,
    ReasonCode,
    Requests,
    UnservedReason,
    VolunteerIndex,
    Volunteers,
    assign,
    greedy,
    recommend,
    slots_mask,
)

MONDAY_MORNING = slots_mask([(9, 12)])
TUESDAY = slots_mask([(24, 48)])


def one_request(**change: object) -> Requests:
    """A request in hospital 7 in central Kazan, Monday 10:00-11:00, veteran 501."""
    base = Requests(
        lat=np.array([55.7900]),
        lon=np.array([49.1200]),
        institution=np.array([7]),
        service=np.array([3]),
        skills=np.array([0b10], dtype=np.uint64),
        needs=np.array([0], dtype=np.uint64),
        gender=np.array([ANY], dtype=np.int8),
        urgency=np.array([2], dtype=np.int8),
        waited_h=np.array([30.0]),
        deadline_h=np.array([20.0]),
        window=slots_mask([(10, 11)])[None, :],
        veteran=np.array([501]),
        wants_same=np.array([False]),
    )
    return dataclasses.replace(base, **change)  # type: ignore[arg-type]


def one_volunteer(**change: object) -> Volunteers:
    """A volunteer ~2.2 km north, radius 5 km, cleared for hospital 7, free on Monday morning."""
    base = Volunteers(
        lat=np.array([55.8100]),
        lon=np.array([49.1200]),
        radius_km=np.array([5.0]),
        skills=np.array([0b110], dtype=np.uint64),
        checks=np.array([0b1], dtype=np.uint64),
        interests=np.array([1 << 3], dtype=np.uint64),
        gender=np.array([FEMALE], dtype=np.int8),
        availability=MONDAY_MORNING[None, :],
        cap=np.array([3]),
        load=np.array([1]),
        feedback=np.array([0.9]),
        clearance=Csr.from_lists([[2, 7]]),
        served=Csr.from_lists([[]]),
    )
    return dataclasses.replace(base, **change)  # type: ignore[arg-type]


def test_the_only_eligible_volunteer_is_proposed_with_reasons() -> None:
    result = assign(one_request(), one_volunteer())
    [proposal] = list(result.proposals)
    assert (proposal.request, proposal.volunteer) == (0, 0)
    reasons = {r.code: r.value for r in proposal.reasons}
    assert reasons[ReasonCode.DISTANCE_KM] == pytest.approx(2.2, abs=0.05)
    assert reasons[ReasonCode.HAS_THE_SKILLS] == 1
    assert reasons[ReasonCode.AVAILABLE_HOURS] == 1
    assert reasons[ReasonCode.TASKS_THIS_WEEK] == 2
    assert ReasonCode.CLEARED_FOR_INSTITUTION in reasons
    assert ReasonCode.LIKES_THIS_HELP in reasons
    assert ReasonCode.SAME_VOLUNTEER_AS_BEFORE not in reasons
    # 22 km-points of travel, 60 for a new face, 4 for feedback 0.9; the first task is free.
    assert proposal.cost == 22 + 60 + 4
    assert result.objective == proposal.cost + 33  # the second task of three: load 100 * 1/3
    assert len(result.unserved) == 0


def test_the_same_volunteer_as_before_is_said_so_and_costs_less() -> None:
    req = one_request(wants_same=np.array([True]))
    result = assign(req, one_volunteer(served=Csr.from_lists([[501]])))
    [proposal] = list(result.proposals)
    codes = {r.code for r in proposal.reasons}
    assert {ReasonCode.SAME_VOLUNTEER_AS_BEFORE, ReasonCode.ASKED_FOR_BY_VETERAN} <= codes
    assert proposal.cost == 22 + 4


@pytest.mark.parametrize(
    ("volunteer", "care_request", "why"),
    [
        ({"radius_km": np.array([2.0])}, {}, UnservedReason.NO_ELIGIBLE_WITHIN_RADIUS),
        ({"clearance": Csr.from_lists([[2]])}, {}, UnservedReason.NO_ELIGIBLE_WITHIN_RADIUS),
        ({"skills": np.array([0b100], np.uint64)}, {}, UnservedReason.NO_SKILL_CHECK_OR_GENDER),
        ({}, {"needs": np.array([0b10], np.uint64)}, UnservedReason.NO_SKILL_CHECK_OR_GENDER),
        ({}, {"gender": np.array([MALE], np.int8)}, UnservedReason.NO_SKILL_CHECK_OR_GENDER),
        ({"availability": TUESDAY[None, :]}, {}, UnservedReason.NO_AVAILABILITY_IN_WINDOW),
        ({"load": np.array([3])}, {}, UnservedReason.ALL_AT_CAPACITY),
    ],
)
def test_an_unserved_request_says_which_rule_nobody_passed(
    volunteer: dict[str, object], care_request: dict[str, object], why: UnservedReason
) -> None:
    req, vol = one_request(**care_request), one_volunteer(**volunteer)
    for result in (assign(req, vol), assign(req, vol, per_request=None), greedy(req, vol)):
        assert len(result.proposals) == 0
        assert list(result.unserved) == [(0, why)]


def test_a_request_at_home_needs_no_clearance() -> None:
    req = one_request(institution=np.array([NO_INSTITUTION]))
    vol = one_volunteer(clearance=Csr.from_lists([[]]))
    assert len(assign(req, vol).proposals) == 1
    assert [p.volunteer for p in recommend(VolunteerIndex.build(vol), req, 0)] == [0]


def test_the_more_urgent_of_two_requests_gets_the_last_place() -> None:
    req = one_request()
    two = Requests(**{f: np.concatenate([getattr(req, f)] * 2) for f in req.__dataclass_fields__})
    two = dataclasses.replace(two, urgency=np.array([0, 3], np.int8), lat=np.array([55.80, 55.79]))
    result = assign(two, one_volunteer(load=np.array([2])))
    assert result.proposals.request.tolist() == [1]
    assert list(result.unserved) == [(0, UnservedReason.TAKEN_BY_OTHER_REQUESTS)]


def test_fair_spread_gives_near_requests_to_two_volunteers_rather_than_one() -> None:
    req = one_request()
    two = Requests(**{f: np.concatenate([getattr(req, f)] * 2) for f in req.__dataclass_fields__})
    vol = one_volunteer()
    both = Volunteers(
        **{
            f: np.concatenate([getattr(vol, f)] * 2)
            for f in vol.__dataclass_fields__
            if f not in ("clearance", "served", "task_hours")
        },
        clearance=Csr.from_lists([[7], [7]]),
        served=Csr.from_lists([[], []]),
    )
    # The second volunteer lives 1 km farther; a second task for the first costs more.
    both = dataclasses.replace(both, lat=np.array([55.81, 55.819]), load=np.array([0, 0]))
    assert sorted(assign(two, both).proposals.volunteer.tolist()) == [0, 1]


def test_a_volunteer_at_their_ngo_hour_limit_is_not_proposed_and_the_reason_says_so() -> None:
    # Room for two more tasks by the cap, but half an hour left under the NGO's limit.
    result = assign(one_request(), one_volunteer(hours_left=np.array([0.5])))
    assert not len(result.proposals)
    assert list(result.unserved) == [(0, UnservedReason.AT_HOUR_LIMIT)]
    # A full week by the cap is still told as such, whatever the hours.
    full = assign(one_request(), one_volunteer(load=np.array([3]), hours_left=np.array([0.5])))
    assert list(full.unserved) == [(0, UnservedReason.ALL_AT_CAPACITY)]


def test_hours_left_limit_the_tasks_and_are_quoted_as_a_reason() -> None:
    req = one_request()
    two = Requests(**{f: np.concatenate([getattr(req, f)] * 2) for f in req.__dataclass_fields__})
    vol = one_volunteer(hours_left=np.array([2.5]), task_hours=1.5)  # room for one task
    result = assign(two, vol)
    assert len(result.proposals) == 1
    assert [why for _, why in result.unserved] == [UnservedReason.TAKEN_BY_OTHER_REQUESTS]
    reasons = {r.code: r.value for r in next(iter(result.proposals)).reasons}
    assert reasons[ReasonCode.HOURS_LEFT] == 1.0
    # Without a limit there is no such reason.
    plain = {r.code for r in next(iter(assign(req, one_volunteer()).proposals)).reasons}
    assert ReasonCode.HOURS_LEFT not in plain


def test_an_hour_limit_does_not_make_the_next_task_look_further_into_the_week() -> None:
    # The load cost counts tasks held, not the room left: the same cost with or without
    # a limit that leaves room.
    plain = assign(one_request(), one_volunteer())
    limited = assign(one_request(), one_volunteer(hours_left=np.array([1.0])))
    assert plain.objective == limited.objective
