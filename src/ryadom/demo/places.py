"""Where people and institutions are: near real settlements, weighted by population."""

from __future__ import annotations

import math
import random
from collections.abc import Sequence

from ryadom.core.geo_fields import in_russia
from ryadom.geo.models import Settlement

KM_PER_DEGREE = 111.32


def spread_km(settlement: Settlement) -> float:
    """How far from the centre people live: ~3 km in a town, ~14 km in Moscow."""
    return min(20.0, 2.0 + math.sqrt(settlement.population or 10_000) / 300)


def scatter(
    rng: random.Random, settlement: Settlement, km: float | None = None
) -> tuple[float, float]:
    """A point a few kilometres from the settlement's centre, always inside Russia."""
    if settlement.lat is None or settlement.lon is None:
        raise ValueError(f"settlement {settlement.name_ru} has no coordinates")
    base_lat, base_lon = settlement.lat, settlement.lon
    sigma = (km if km is not None else spread_km(settlement)) / 2
    lon_scale = KM_PER_DEGREE * max(0.1, math.cos(math.radians(base_lat)))
    for _attempt in range(5):
        lat = base_lat + rng.gauss(0, sigma) / KM_PER_DEGREE
        lon = base_lon + rng.gauss(0, sigma) / lon_scale
        if lon > 180.0:  # Chukotka: east of the antimeridian longitudes are negative
            lon -= 360.0
        lat, lon = round(lat, 6), round(lon, 6)
        if in_russia(lat, lon):
            return lat, lon
    # A settlement on the edge of the bounding box: stay on the centre rather than cross it.
    return base_lat, base_lon


def population(settlements: Sequence[Settlement]) -> list[float]:
    return [float(s.population or 1_000) for s in settlements]


def pick(rng: random.Random, settlements: Sequence[Settlement], k: int) -> list[Settlement]:
    """`k` settlements drawn with replacement, the larger the likelier."""
    return rng.choices(list(settlements), weights=population(settlements), k=k)


def spread(rng: random.Random, total: int, weights: Sequence[float], minimum: int = 0) -> list[int]:
    """Share `total` items among buckets: `minimum` each, the rest in proportion to weight."""
    counts = [minimum] * len(weights)
    rest = total - minimum * len(weights)
    for index in rng.choices(range(len(weights)), weights=weights, k=max(rest, 0)):
        counts[index] += 1
    return counts
