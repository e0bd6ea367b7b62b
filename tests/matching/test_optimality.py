"""The engine's objective against greedy, the exact full-graph flow and the assignment LP."""

from __future__ import annotations

import dataclasses

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import linear_sum_assignment

from ryadom.matching import DEFAULT_WEIGHTS, Requests, Volunteers, assign, greedy, haversine_km
from tests.matching.factory import breaks, make_instance

seeds = st.integers(0, 2**32 - 1)


def reference_cost(req: Requests, vol: Volunteers, i: int, j: int) -> int:
    """Pair cost written out from the weights' documentation, independently of the engine."""
    w = DEFAULT_WEIGHTS
    km = float(haversine_km(req.lat[i], req.lon[i], vol.lat[j], vol.lon[j]))
    knows = req.veteran[i] in vol.served.get(j)
    score = w.neutral_feedback if np.isnan(vol.feedback[j]) else vol.feedback[j]
    likes = (int(vol.interests[j]) >> int(req.service[i])) & 1
    return (
        round(km * w.km)
        + (0 if knows else w.no_continuity + w.not_the_wanted_one * bool(req.wants_same[i]))
        + round(w.feedback * (1 - score))
        + (0 if likes else w.no_interest)
    )


def reference_penalty(req: Requests, i: int) -> int:
    """Unserved penalty written out from the weights' documentation."""
    w = DEFAULT_WEIGHTS
    days = min(int(req.waited_h[i] // 24), w.max_days_counted)
    soon = w.deadline_within_24h if req.deadline_h[i] <= 24 else 0
    return w.unserved * (w.urgency[req.urgency[i]] + w.per_day_waited * days + soon)


@settings(max_examples=40, deadline=None)
@given(seed=seeds, n_req=st.integers(1, 12), n_vol=st.integers(1, 12))
def test_engine_reaches_the_assignment_optimum_with_capacity_one(
    seed: int, n_req: int, n_vol: int
) -> None:
    req, vol = make_instance(seed, n_req, n_vol, radius=(5.0, 30.0))
    vol = dataclasses.replace(vol, cap=np.ones(n_vol, np.int64), load=np.zeros(n_vol, np.int64))
    # Volunteers, then one "unserved" column per request carrying its penalty.
    matrix = np.full((n_req, n_vol + n_req), np.inf)
    for i in range(n_req):
        matrix[i, n_vol + i] = reference_penalty(req, i)
        for j in range(n_vol):
            if not breaks(req, vol, i, j):
                matrix[i, j] = reference_cost(req, vol, i, j)
    rows, cols = linear_sum_assignment(matrix)
    assert assign(req, vol).objective == matrix[rows, cols].sum()


@settings(max_examples=40, deadline=None)
@given(seed=seeds, n_req=st.integers(1, 40), n_vol=st.integers(1, 40))
def test_engine_is_never_worse_than_greedy(seed: int, n_req: int, n_vol: int) -> None:
    req, vol = make_instance(seed, n_req, n_vol)
    assert assign(req, vol).objective <= greedy(req, vol).objective


@settings(max_examples=30, deadline=None)
@given(seed=seeds, n_req=st.integers(1, 40), n_vol=st.integers(1, 40))
def test_exact_full_graph_is_never_worse_than_the_engine(seed: int, n_req: int, n_vol: int) -> None:
    req, vol = make_instance(seed, n_req, n_vol)
    assert assign(req, vol, per_request=None).objective <= assign(req, vol).objective
