"""Small random matching instances and an independent checker of the hard rules."""

from __future__ import annotations

import numpy as np

from ryadom.matching import (
    ANY,
    FEMALE,
    MALE,
    NO_INSTITUTION,
    Csr,
    Proposals,
    Requests,
    Volunteers,
    haversine_km,
    pack_slots,
)

# Around Kazan: a box ~30 km across, so radii of a few km make the graph sparse.
LAT, LON = 55.79, 49.12


def _hours(rng: np.random.Generator, n: int, blocks: int, length: int) -> np.ndarray:
    """Each row gets `blocks` random runs of `length` hours in the week."""
    bits = np.zeros((n, 168), dtype=bool)
    for _ in range(blocks):
        start = rng.integers(0, 168 - length, n)
        for h in range(length):
            bits[np.arange(n), start + h] = True
    return pack_slots(bits)


def make_volunteers(
    rng: np.random.Generator,
    n: int,
    *,
    n_inst: int = 3,
    radius: tuple[float, float] = (2.0, 15.0),
    cap: tuple[int, int] = (1, 3),
    veterans: int = 0,
    hour_limits: bool = False,
) -> Volunteers:
    """Random volunteers; each cleared for a random subset of `n_inst` institutions.

    With `hour_limits`, about half have an NGO's hour limit with 0 to 3.5 hours left, at
    1.5 hours a task (so the hours, not the cap, often decide the room).
    """
    caps = rng.integers(cap[0], cap[1] + 1, n)
    clearance = [np.flatnonzero(rng.random(n_inst) < 0.6).tolist() for _ in range(n)]
    served = [
        rng.choice(veterans, min(veterans, int(rng.integers(0, 3))), replace=False).tolist()
        if veterans
        else []
        for _ in range(n)
    ]
    hours = np.zeros(0)
    if hour_limits:
        hours = np.where(rng.random(n) < 0.5, np.inf, rng.uniform(0.0, 3.5, n))
    return Volunteers(
        lat=LAT + rng.uniform(-0.12, 0.12, n),
        lon=LON + rng.uniform(-0.2, 0.2, n),
        radius_km=rng.uniform(*radius, n),
        skills=rng.integers(0, 16, n).astype(np.uint64),
        checks=rng.integers(0, 8, n).astype(np.uint64),
        interests=rng.integers(0, 1 << 8, n).astype(np.uint64),
        gender=rng.choice([FEMALE, MALE], n).astype(np.int8),
        availability=_hours(rng, n, 3, 12),
        cap=caps,
        load=rng.integers(0, caps + 1),
        feedback=np.where(rng.random(n) < 0.3, np.nan, rng.random(n)),
        clearance=Csr.from_lists(clearance),
        served=Csr.from_lists(served),
        hours_left=hours,
        task_hours=1.5 if hour_limits else 1.0,
    )


def make_requests(
    rng: np.random.Generator, n: int, *, n_inst: int = 3, veterans: int = 0
) -> Requests:
    """Random requests, some at home (no institution), some with skills or a gender rule."""
    inst = np.where(rng.random(n) < 0.3, NO_INSTITUTION, rng.integers(0, n_inst, n))
    return Requests(
        lat=LAT + rng.uniform(-0.12, 0.12, n),
        lon=LON + rng.uniform(-0.2, 0.2, n),
        institution=inst.astype(np.int64),
        service=rng.integers(0, 8, n),
        skills=np.where(rng.random(n) < 0.3, 1 << rng.integers(0, 4, n), 0).astype(np.uint64),
        needs=np.where(rng.random(n) < 0.3, 1 << rng.integers(0, 3, n), 0).astype(np.uint64),
        gender=rng.choice([ANY, ANY, FEMALE, MALE], n).astype(np.int8),
        urgency=rng.integers(0, 4, n).astype(np.int8),
        waited_h=rng.uniform(0, 200, n),
        deadline_h=rng.uniform(1, 168, n),
        window=_hours(rng, n, 1, 24),
        veteran=rng.integers(0, veterans, n) if veterans else np.arange(n) + 10_000,
        wants_same=rng.random(n) < 0.3,
    )


def make_instance(seed: int, n_req: int, n_vol: int, **vol: object) -> tuple[Requests, Volunteers]:
    """Requests and volunteers sharing institutions and veterans."""
    rng = np.random.default_rng(seed)
    volunteers = make_volunteers(rng, n_vol, veterans=max(n_req // 2, 1), **vol)  # type: ignore[arg-type]
    return make_requests(rng, n_req, veterans=max(n_req // 2, 1)), volunteers


def window_meets(req: Requests, i: int, vol: Volunteers, j: int) -> bool:
    """Some hour of request i's window is in volunteer j's availability."""
    return any(int(a) & int(b) for a, b in zip(req.window[i], vol.availability[j], strict=True))


def breaks(req: Requests, vol: Volunteers, i: int, j: int) -> list[str]:
    """The hard rules that pair (i, j) breaks, checked from first principles."""
    out = []
    km = float(haversine_km(req.lat[i], req.lon[i], vol.lat[j], vol.lon[j]))
    if km > vol.radius_km[j] + 1e-6:
        out.append("radius")
    if req.institution[i] != NO_INSTITUTION and req.institution[i] not in vol.clearance.get(j):
        out.append("clearance")
    if int(req.skills[i]) & ~int(vol.skills[j]) or int(req.needs[i]) & ~int(vol.checks[j]):
        out.append("skills or checks")
    if req.gender[i] != ANY and req.gender[i] != vol.gender[j]:
        out.append("gender")
    if not window_meets(req, i, vol, j):
        out.append("window")
    return out


def assert_hard_rules(req: Requests, vol: Volunteers, proposals: Proposals) -> None:
    """No proposal breaks a hard rule; no request twice; no volunteer beyond their room."""
    for i, j in zip(proposals.request.tolist(), proposals.volunteer.tolist(), strict=True):
        assert not breaks(req, vol, i, j), (i, j, breaks(req, vol, i, j))
    assert len(set(proposals.request.tolist())) == len(proposals)
    taken = np.bincount(proposals.volunteer, minlength=len(vol))
    assert (taken <= vol.free()).all()
    # From first principles too: the task cap, and the hours an NGO's limit leaves.
    assert (vol.load + taken <= np.maximum(vol.cap, vol.load)).all()
    assert (taken * vol.task_hours <= vol.hours_left + 1e-9).all()
