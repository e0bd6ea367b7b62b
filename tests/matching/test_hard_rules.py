"""No proposal of any method ever breaks a hard rule, whatever the instance."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from ryadom.matching import VolunteerIndex, assign, greedy, recommend
from tests.matching.factory import assert_hard_rules, breaks, make_instance

seeds = st.integers(0, 2**32 - 1)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, n_req=st.integers(1, 30), n_vol=st.integers(1, 40))
def test_engine_proposals_keep_every_hard_rule(seed: int, n_req: int, n_vol: int) -> None:
    req, vol = make_instance(seed, n_req, n_vol)
    result = assign(req, vol)
    assert_hard_rules(req, vol, result.proposals)
    assert len(result.proposals) + len(result.unserved) == n_req


@settings(max_examples=25, deadline=None)
@given(seed=seeds, n_req=st.integers(1, 30), n_vol=st.integers(1, 40))
def test_exact_and_greedy_proposals_keep_every_hard_rule(seed: int, n_req: int, n_vol: int) -> None:
    req, vol = make_instance(seed, n_req, n_vol)
    for result in (assign(req, vol, per_request=None), greedy(req, vol)):
        assert_hard_rules(req, vol, result.proposals)


@settings(max_examples=25, deadline=None)
@given(seed=seeds, n_req=st.integers(5, 40), n_vol=st.integers(1, 6))
def test_capacity_is_never_exceeded_when_volunteers_are_scarce(
    seed: int, n_req: int, n_vol: int
) -> None:
    req, vol = make_instance(seed, n_req, n_vol, radius=(20.0, 40.0), cap=(1, 2))
    result = assign(req, vol)
    assert_hard_rules(req, vol, result.proposals)
    assert len(result.proposals) <= vol.free().sum()


@settings(max_examples=25, deadline=None)
@given(seed=seeds, n_req=st.integers(5, 40), n_vol=st.integers(1, 8))
def test_an_ngo_hour_limit_is_never_exceeded(seed: int, n_req: int, n_vol: int) -> None:
    req, vol = make_instance(seed, n_req, n_vol, radius=(20.0, 40.0), hour_limits=True)
    for result in (assign(req, vol), assign(req, vol, per_request=None), greedy(req, vol)):
        assert_hard_rules(req, vol, result.proposals)
    index = VolunteerIndex.build(vol)
    for i in range(n_req):
        for p in recommend(index, req, i, 5):
            assert vol.hours_left[p.volunteer] >= vol.task_hours


@settings(max_examples=25, deadline=None)
@given(seed=seeds, n_req=st.integers(1, 8), n_vol=st.integers(1, 40), k=st.integers(1, 6))
def test_recommendations_keep_every_hard_rule(seed: int, n_req: int, n_vol: int, k: int) -> None:
    req, vol = make_instance(seed, n_req, n_vol)
    index = VolunteerIndex.build(vol)
    for i in range(n_req):
        got = recommend(index, req, i, k)
        assert len(got) <= k
        assert len({p.volunteer for p in got}) == len(got)
        for p in got:
            assert p.request == i
            assert not breaks(req, vol, i, p.volunteer)
            assert vol.free()[p.volunteer] > 0
