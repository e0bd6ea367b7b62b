"""Great-circle geometry on unit vectors, so a k-d tree in 3-D can answer radius queries.

A straight-line (chord) distance between two points on the unit sphere grows with their
great-circle distance, so "within r km" is exactly "chord within chord_for_km(r)".
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

EARTH_RADIUS_KM = 6371.0088

Float64Array = npt.NDArray[np.float64]


def unit_vectors(lat: Float64Array, lon: Float64Array) -> Float64Array:
    """Points on the unit sphere, shape (n, 3), for latitudes and longitudes in degrees."""
    phi = np.radians(lat)
    lam = np.radians(lon)
    cos_phi = np.cos(phi)
    return np.stack((cos_phi * np.cos(lam), cos_phi * np.sin(lam), np.sin(phi)), axis=-1)


def chord_for_km(km: Float64Array | float) -> Float64Array:
    """Chord length on the unit sphere for a great-circle distance in km."""
    return np.asarray(2.0 * np.sin(np.asarray(km) / (2.0 * EARTH_RADIUS_KM)), dtype=np.float64)


def km_for_chord(chord: Float64Array) -> Float64Array:
    """Great-circle distance in km for a chord length on the unit sphere."""
    return np.asarray(
        2.0 * EARTH_RADIUS_KM * np.arcsin(np.minimum(chord / 2.0, 1.0)), dtype=np.float64
    )


def haversine_km(
    lat1: Float64Array | float,
    lon1: Float64Array | float,
    lat2: Float64Array | float,
    lon2: Float64Array | float,
) -> Float64Array:
    """Great-circle distance in km between points given in degrees (broadcasts)."""
    p1, p2 = np.radians(lat1), np.radians(lat2)
    dp, dl = p2 - p1, np.radians(np.asarray(lon2) - np.asarray(lon1))
    h = np.sin(dp / 2.0) ** 2 + np.cos(p1) * np.cos(p2) * np.sin(dl / 2.0) ** 2
    return np.asarray(
        2.0 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.minimum(h, 1.0))), dtype=np.float64
    )
