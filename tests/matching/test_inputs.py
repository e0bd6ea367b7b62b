"""Inputs and weights: clear errors for bad data, helpers that do what they say."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from ryadom.matching import Csr, Weights, haversine_km, slots_mask
from ryadom.matching.geo import chord_for_km, km_for_chord, unit_vectors
from tests.matching.factory import make_instance


def test_arrays_of_different_lengths_are_refused_naming_the_field() -> None:
    req, vol = make_instance(0, 3, 4)
    with pytest.raises(ValueError, match="radius_km"):
        dataclasses.replace(vol, radius_km=np.ones(3))
    with pytest.raises(ValueError, match="window"):
        dataclasses.replace(req, window=req.window[:2])
    with pytest.raises(ValueError, match="clearance"):
        dataclasses.replace(vol, clearance=Csr.empty(2))


def test_a_radius_beyond_what_the_weights_allow_is_refused() -> None:
    _, vol = make_instance(0, 1, 2)
    with pytest.raises(ValueError, match="radius_km"):
        dataclasses.replace(vol, radius_km=np.array([10.0, 900.0]))


def test_weights_that_would_let_a_cheap_miss_beat_a_costly_match_are_refused() -> None:
    with pytest.raises(ValueError, match="unserved"):
        Weights(unserved=10)


def test_slot_masks_cover_exactly_the_hours_given() -> None:
    mask = slots_mask([(0, 2), (64, 65), (167, 168)])
    bits = [h for h in range(192) if int(mask[h // 64]) >> (h % 64) & 1]
    assert bits == [0, 1, 64, 167]
    with pytest.raises(ValueError, match="outside the week"):
        slots_mask([(160, 170)])


def test_chords_and_haversine_agree() -> None:
    lat, lon = np.array([55.75, 43.1, 69.0]), np.array([37.62, 131.9, 33.1])
    km = haversine_km(lat[:, None], lon[:, None], lat[None, :], lon[None, :])
    xyz = unit_vectors(lat, lon)
    chord = np.linalg.norm(xyz[:, None, :] - xyz[None, :, :], axis=-1)
    assert np.allclose(km_for_chord(chord), km, atol=1e-6)
    assert km_for_chord(chord_for_km(np.array([12.5])))[0] == pytest.approx(12.5)
    assert haversine_km(55.75, 37.62, 59.94, 30.31) == pytest.approx(634, abs=3)
