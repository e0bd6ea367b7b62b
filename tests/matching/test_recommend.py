"""Online recommendations: the same answer as scoring everyone, whichever index serves it."""

from __future__ import annotations

from unittest import mock

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from ryadom.matching import (
    DEFAULT_WEIGHTS,
    Proposal,
    ReasonCode,
    VolunteerIndex,
    recommend,
    recommend_by_scan,
)
from ryadom.matching import candidates as search
from ryadom.matching.index import Prepared
from tests.matching.factory import make_instance

seeds = st.integers(0, 2**32 - 1)


def rank_keys(index: VolunteerIndex, props: list[Proposal]) -> list[int]:
    """What recommendations are ranked by: pair cost + the load cost of this task."""
    tasks = [
        next(r.value for r in p.reasons if r.code == ReasonCode.TASKS_THIS_WEEK) for p in props
    ]
    cap = index.volunteers.cap[[p.volunteer for p in props]]
    load = DEFAULT_WEIGHTS.load_cost(np.array(tasks, dtype=np.int64), cap)
    return [p.cost + int(x) for p, x in zip(props, load, strict=True)]


@settings(max_examples=30, deadline=None)
@given(seed=seeds, n_vol=st.integers(1, 60), k=st.integers(1, 8))
def test_recommend_agrees_with_a_full_scan(seed: int, n_vol: int, k: int) -> None:
    req, vol = make_instance(seed, 6, n_vol)
    index = VolunteerIndex.build(vol)
    for i in range(len(req)):
        fast, slow = recommend(index, req, i, k), recommend_by_scan(index, req, i, k)
        # The same ranking; volunteers may differ only where they tie.
        assert rank_keys(index, fast) == rank_keys(index, slow)
        assert rank_keys(index, fast) == sorted(rank_keys(index, fast))


@settings(max_examples=30, deadline=None)
@given(seed=seeds, n_req=st.integers(1, 20), n_vol=st.integers(1, 60), n=st.integers(1, 6))
def test_walks_find_the_exact_best_n_in_small_steps(
    seed: int, n_req: int, n_vol: int, n: int
) -> None:
    req, vol = make_instance(seed, n_req, n_vol)
    index = VolunteerIndex.build(vol)
    rq, rows = Prepared.of(req, index), np.arange(n_req)
    every = search.find_candidates(rq, index, rows, index.free, per_request=None)
    expected = every.best(n)
    # Tiny steps and no shortcut through the inverted lists: every walk takes many steps.
    with mock.patch.multiple(search, FIRST=1, FIRST_TREE=1, GROWTH=2, LIST_MAX=-1):
        by_tree = search.find_candidates(rq, index, rows, index.free, per_request=n)
    with mock.patch.multiple(search, FIRST_TREE=1, GROWTH=2, LIST_MAX=-1, BALL_AFTER=2):
        by_ball = search.find_candidates(rq, index, rows, index.free, per_request=n)
    with mock.patch.multiple(search, FIRST=1, GROWTH=2):
        by_list = search.find_candidates(rq, index, rows, index.free, per_request=n)
    for got in (by_tree.best(n), by_ball.best(n), by_list.best(n)):
        assert got.request.tolist() == expected.request.tolist()
        assert got.key.tolist() == expected.key.tolist()
