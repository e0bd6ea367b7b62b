"""Reproducible matching instances on Russian geography, for the benchmark.

Volunteers and requests cluster around real settlements (weighted by population, spread
a few km more in bigger cities); hospitals sit in settlements; NGOs have agreements with a
few hospitals of their town; a volunteer is cleared for their NGO's hospitals whose access
level their checks satisfy (the rule of ryadom.volunteers.eligibility, as data).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

import numpy as np
import numpy.typing as npt

from ryadom.matching import ANY, FEMALE, MALE, NO_INSTITUTION, Csr, Requests, Volunteers
from ryadom.matching.data import pack_slots

SETTLEMENTS = Path(__file__).resolve().parents[1] / "src/ryadom/geo/data/settlements.json"
KM_PER_DEG = 111.2

# Checks as bits, and what each access level needs (identity; +agreement, training,
# medical; +screening), as in ryadom.volunteers.eligibility.REQUIRED_CHECKS.
IDENTITY, AGREEMENT, TRAINING, MEDICAL, SCREENING = (1 << b for b in range(5))
ACCESS_NEEDS = np.array([IDENTITY, IDENTITY | AGREEMENT | TRAINING | MEDICAL, 31], np.uint64)
CHECK_RATES = (0.95, 0.88, 0.82, 0.78, 0.3)
N_SKILLS, N_SERVICES = 12, 26
RADII_KM = np.array([3, 5, 10, 15, 15, 15, 20, 25, 30, 50], dtype=np.float64)
CAPS = np.array([1, 2, 2, 3, 3, 3, 4, 5], dtype=np.int64)

SIZES: dict[str, tuple[int, int, frozenset[str] | None]] = {
    # One region (Ivanovo): a smoke run of seconds that shows the benchmark still works.
    "tiny": (200, 800, frozenset({"37"})),
    # Five neighbouring regions (Nizhny Novgorod, Vladimir, Ivanovo, Kostroma, Yaroslavl).
    "small": (3_000, 12_000, frozenset({"33", "37", "44", "52", "76"})),
    "target": (50_000, 200_000, None),
    "national": (200_000, 1_000_000, None),
}

Rng = np.random.Generator
Int64Array = npt.NDArray[np.int64]
Float64Array = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Places:
    """Settlements, hospitals and NGOs of an instance."""

    lat: Float64Array
    lon: Float64Array
    spread_km: Float64Array
    supply: Float64Array  # volunteers per resident, relative
    demand: Float64Array
    inst_town: Int64Array
    inst_lat: Float64Array
    inst_lon: Float64Array
    inst_needs: npt.NDArray[np.uint64]
    ngo_town: Int64Array
    ngo_insts: Csr


@dataclass(frozen=True)
class Instance:
    """One benchmark instance."""

    name: str
    requests: Requests
    volunteers: Volunteers


def generate(name: str, seed: int) -> Instance:
    """The instance of a named size ("small", "target", "national") for a seed."""
    n_req, n_vol, regions = SIZES[name]
    rng = np.random.default_rng(seed)
    places = _places(rng, regions)
    volunteers = _volunteers(rng, places, n_vol)
    requests, served = _requests(rng, places, volunteers, n_req)
    return Instance(name, requests, _with_served(volunteers, served))


def _places(rng: Rng, regions: frozenset[str] | None) -> Places:
    """Settlements from the reference data, with hospitals and NGOs in proportion."""
    towns = [
        t for t in json.loads(SETTLEMENTS.read_text()) if not regions or t["region"] in regions
    ]
    pop = np.array([t["population"] for t in towns], dtype=np.float64)
    codes = sorted({t["region"] for t in towns})
    region = np.array([codes.index(t["region"]) for t in towns])
    lat = np.array([t["lat"] for t in towns])
    lon = np.array([t["lon"] for t in towns])
    spread = 1.0 + 1.2 * np.sqrt(pop / 1e5)
    # Some regions have many volunteers per resident, some few: where the optimiser matters.
    supply = pop * rng.lognormal(0.0, 0.5, len(codes))[region]
    demand = pop * rng.lognormal(0.0, 0.3, len(codes))[region]
    inst_town = np.repeat(np.arange(len(towns)), np.maximum(1, np.rint(pop / 60_000)).astype(int))
    i_lat, i_lon = _jitter(rng, lat[inst_town], lon[inst_town], 0.5 * spread[inst_town])
    needs = ACCESS_NEEDS[rng.choice(3, len(inst_town), p=[0.3, 0.6, 0.1])]
    ngo_town = np.repeat(np.arange(len(towns)), np.maximum(1, np.rint(pop / 100_000)).astype(int))
    return Places(
        lat, lon, spread, supply / supply.sum(), demand / demand.sum(),
        inst_town, i_lat, i_lon, needs, ngo_town, _agreements(rng, inst_town, ngo_town),
    )  # fmt: skip


def _agreements(rng: Rng, inst_town: Int64Array, ngo_town: Int64Array) -> Csr:
    """Every hospital has an NGO of its town; each NGO also has up to 3 more hospitals."""
    first = np.searchsorted(ngo_town, inst_town)
    n_ngo = np.searchsorted(ngo_town, inst_town, side="right") - first
    base = first + (rng.random(len(inst_town)) * n_ngo).astype(np.int64)
    i_first = np.searchsorted(inst_town, ngo_town)
    n_inst = np.searchsorted(inst_town, ngo_town, side="right") - i_first
    extra = i_first[:, None] + (rng.random((len(ngo_town), 3)) * n_inst[:, None]).astype(int)
    keep = np.arange(3)[None, :] < rng.integers(0, 4, len(ngo_town))[:, None]
    lists: list[set[int]] = [set() for _ in ngo_town]
    for inst, ngo in enumerate(base.tolist()):
        lists[ngo].add(inst)
    for ngo, (picks, k) in enumerate(zip(extra, keep, strict=True)):
        lists[ngo].update(picks[k].tolist())
    return Csr.from_lists(lists)


def _jitter(
    rng: Rng, lat: Float64Array, lon: Float64Array, km: Float64Array
) -> tuple[Float64Array, Float64Array]:
    """Points scattered around centres with a normal spread of `km`."""
    dlat = rng.normal(0.0, 1.0, len(lat)) * km / KM_PER_DEG
    dlon = rng.normal(0.0, 1.0, len(lat)) * km / (KM_PER_DEG * np.cos(np.radians(lat)))
    return lat + dlat, lon + dlon


def _bits(rng: Rng, n: int, rates: tuple[float, ...] | float, width: int) -> npt.NDArray[np.uint64]:
    """Random bitmasks: bit b set with probability rates[b] (or one rate for all)."""
    p = np.broadcast_to(np.asarray(rates, dtype=np.float64), (width,))
    on = rng.random((n, width)) < p
    return (on.astype(np.uint64) << np.arange(width, dtype=np.uint64)).sum(axis=1, dtype=np.uint64)


def _volunteers(rng: Rng, places: Places, n: int) -> Volunteers:
    """Volunteers in towns (by population and regional supply), each in one local NGO."""
    town = rng.choice(len(places.lat), n, p=places.supply)
    lat, lon = _jitter(rng, places.lat[town], places.lon[town], places.spread_km[town])
    first = np.searchsorted(places.ngo_town, town)
    n_ngo = np.searchsorted(places.ngo_town, town, side="right") - first
    ngo = first + (rng.random(n) * n_ngo).astype(np.int64)
    checks = _bits(rng, n, CHECK_RATES, 5)
    cap = rng.choice(CAPS, n)
    return Volunteers(
        lat=lat, lon=lon, radius_km=rng.choice(RADII_KM, n),
        skills=_bits(rng, n, 0.25, N_SKILLS), checks=checks,
        interests=_bits(rng, n, 0.3, N_SERVICES),
        gender=np.where(rng.random(n) < 0.65, FEMALE, MALE).astype(np.int8),
        availability=_weekly(rng, n), cap=cap, load=rng.binomial(cap, 0.5).astype(np.int64),
        feedback=np.where(rng.random(n) < 0.4, np.nan, rng.beta(6.0, 1.5, n)),
        clearance=_clearance(places, ngo, checks), served=Csr.empty(n),
    )  # fmt: skip


def _clearance(places: Places, ngo: Int64Array, checks: npt.NDArray[np.uint64]) -> Csr:
    """Hospitals of the volunteer's NGO whose access level their checks satisfy."""
    a = places.ngo_insts
    counts = np.diff(a.indptr)[ngo]
    owner = np.repeat(np.arange(len(ngo)), counts)
    start = np.repeat(a.indptr[ngo] - np.cumsum(counts) + counts, counts)
    inst = a.values[start + np.arange(len(owner))]
    ok = (places.inst_needs[inst] & ~checks[owner]) == 0
    indptr = np.concatenate(([0], np.cumsum(np.bincount(owner[ok], minlength=len(ngo)))))
    return Csr(indptr.astype(np.int64), inst[ok])


def _weekly(rng: Rng, n: int) -> npt.NDArray[np.uint64]:
    """Availability: one to four 2-5 h slots a week, a third also free all weekend."""
    bits = np.zeros((n, 168), dtype=bool)
    rows = np.arange(n)
    for k in range(4):
        has = rows[rng.random(n) < (1.0, 0.7, 0.4, 0.2)[k]]
        start = rng.integers(0, 7, len(has)) * 24 + rng.integers(8, 20, len(has))
        for h in range(5):
            long_enough = rng.random(len(has)) < (1, 1, 0.8, 0.5, 0.3)[h]
            bits[has[long_enough], np.minimum(start[long_enough] + h, 167)] = True
    weekend = rows[rng.random(n) < 0.33]
    bits[np.ix_(weekend, np.r_[5 * 24 + 10 : 5 * 24 + 18, 6 * 24 + 10 : 6 * 24 + 18])] = True
    return pack_slots(bits)


def _requests(
    rng: Rng, places: Places, vols: Volunteers, n: int
) -> tuple[Requests, tuple[Int64Array, Int64Array]]:
    """Requests in hospitals (88%) or at home, and who helped each veteran before."""
    town = rng.choice(len(places.lat), n, p=places.demand)
    first = np.searchsorted(places.inst_town, town)
    n_inst = np.searchsorted(places.inst_town, town, side="right") - first
    inst = np.where(rng.random(n) < 0.88, first + (rng.random(n) * n_inst).astype(int), -1)
    h_lat, h_lon = _jitter(rng, places.lat[town], places.lon[town], places.spread_km[town])
    at = np.maximum(inst, 0)
    lat = np.where(inst >= 0, places.inst_lat[at], h_lat)
    lon = np.where(inst >= 0, places.inst_lon[at], h_lon)
    urgency = rng.choice(4, n, p=[0.5, 0.3, 0.15, 0.05]).astype(np.int8)
    deadline = rng.uniform(*np.array([(48, 168), (24, 96), (12, 48), (2, 12)]).T[:, urgency])
    veteran = np.arange(n, dtype=np.int64) + 1_000_000
    req = Requests(
        lat=lat, lon=lon, institution=np.where(inst >= 0, inst, NO_INSTITUTION),
        service=rng.integers(0, N_SERVICES, n),
        skills=_bits(rng, n, 0.05, N_SKILLS),
        needs=np.where(inst >= 0, np.where(rng.random(n) < 0.05, SCREENING, 0), IDENTITY)
        .astype(np.uint64),
        gender=rng.choice([ANY, MALE, FEMALE], n, p=[0.75, 0.15, 0.1]).astype(np.int8),
        urgency=urgency, waited_h=rng.exponential(36.0, n), deadline_h=deadline,
        window=_windows(rng, deadline), veteran=veteran,
        wants_same=rng.random(n) < 0.12,
    )  # fmt: skip
    return req, _history(rng, vols, req, town)


def _windows(rng: Rng, deadline: Float64Array) -> npt.NDArray[np.uint64]:
    """A window of 3 h to 3 days that ends by the deadline; short ones in the daytime."""
    n = len(deadline)
    length = rng.choice([3, 6, 12, 24, 48, 72], n)
    last = np.clip(np.minimum(deadline, 168) - length, 1, 167)
    start = (rng.random(n) * last).astype(np.int64)
    hour = start % 24
    start = np.where((length < 24) & (hour < 8), start - hour + 8, start)
    start = np.where((length < 24) & (hour + length > 21), start - hour + 21 - length, start)
    hours = np.arange(168)[None, :]
    return pack_slots((hours >= start[:, None]) & (hours < (start + length)[:, None]))


def _history(
    rng: Rng, vols: Volunteers, req: Requests, town: Int64Array
) -> tuple[Int64Array, Int64Array]:
    """(volunteer, veteran) pairs: a third of veterans met a volunteer cleared there before."""
    cleared_inst = vols.clearance.values
    owner = vols.clearance.row_of_each_value()
    order = np.argsort(cleared_inst, kind="stable")
    keys, owners = cleared_inst[order], owner[order]
    has = np.flatnonzero((rng.random(len(req)) < 0.33) & (req.institution >= 0))
    lo = np.searchsorted(keys, req.institution[has])
    hi = np.searchsorted(keys, req.institution[has], side="right")
    has, lo, hi = has[hi > lo], lo[hi > lo], hi[hi > lo]
    pick = owners[lo + (rng.random(len(has)) * (hi - lo)).astype(np.int64)]
    return pick, req.veteran[has]


def _with_served(vols: Volunteers, served: tuple[Int64Array, Int64Array]) -> Volunteers:
    """The volunteers with their past veterans filled in."""
    who, veteran = served
    order = np.argsort(who, kind="stable")
    counts = np.bincount(who, minlength=len(vols))
    indptr = np.concatenate(([0], np.cumsum(counts))).astype(np.int64)
    fields_ = {f.name: getattr(vols, f.name) for f in fields(vols)}
    return Volunteers(**{**fields_, "served": Csr(indptr, veteran[order])})


def save(instance: Instance, path: Path) -> None:
    """Write the instance's arrays to an uncompressed .npz (fast to load in a subprocess)."""
    arrays: dict[str, npt.NDArray[np.generic]] = {}
    for side in ("requests", "volunteers"):
        obj = getattr(instance, side)
        for f in fields(obj):
            value = getattr(obj, f.name)
            if isinstance(value, Csr):
                arrays[f"{side}.{f.name}.indptr"] = value.indptr
                arrays[f"{side}.{f.name}.values"] = value.values
            else:
                arrays[f"{side}.{f.name}"] = value
    np.savez(path, **arrays)  # type: ignore[arg-type]


def load(name: str, path: Path) -> Instance:
    """Read an instance written by `save`."""
    with np.load(path) as data:
        parts: dict[str, dict[str, object]] = {"requests": {}, "volunteers": {}}
        for key in data.files:
            side, field, *csr = key.split(".")
            if csr:
                continue
            value = data[key]
            # A scalar field (`task_hours`) is saved as a 0-d array: read it back as a number.
            parts[side][field] = value.item() if value.ndim == 0 else value
        for field in ("clearance", "served"):
            parts["volunteers"][field] = Csr(
                data[f"volunteers.{field}.indptr"], data[f"volunteers.{field}.values"]
            )
    return Instance(
        name,
        Requests(**parts["requests"]),  # type: ignore[arg-type]
        Volunteers(**parts["volunteers"]),  # type: ignore[arg-type]
    )
