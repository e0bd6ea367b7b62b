"""From the database to the engine's arrays, in bulk: a fixed number of queries per load.

The engine (`ryadom.matching`) knows rows, bits and week slots; this module decides what
they mean here:

- skills: bit i is the i-th skill by id; checks: bit i is the i-th `CheckKind`, set when
  the check has passed and has not expired today; service numbers are the position of the
  service type by id (interests are bits of those numbers).
- clearance: a volunteer may work in an institution when an NGO they are an approved member
  of has an agreement with it valid today, and their valid checks cover what the
  institution's access level asks (`volunteers.eligibility.REQUIRED_CHECKS`) - the rule of
  `missing_steps`, computed for all pairs at once. The service's own rules
  (`care.eligibility.request_missing_steps`: screening, same-gender care) become the
  request's `needs` and `gender`. `tests/dispatch/test_adapter.py` checks on random data
  that the result agrees with the one rule for every pair.
- time: week slots are hours in UTC (Monday 00:00 UTC = slot 0), so volunteers and
  institutions of different time zones meet correctly in a national run. A volunteer who
  gave no availability counts as available at any time (a coordinator may assign them today
  too). A request's window is its preferred time (if given and not over) within the
  institution's visiting hours (if it has any); otherwise the visiting hours, else the week.
- load: requests a volunteer holds now (assigned, scheduled, in progress) plus those they
  finished in the last 7 days; cap is their weekly task cap.
- hours: an NGO may limit a volunteer's hours a week; the engine gets the hours left this
  week (`care.wellbeing.week_hours`, the rule assignment checks) and counts each new task as
  `CLAIM_HOURS`, as assignment does.
- previous pairs: veterans a volunteer has finished a visit with; feedback: the mean rating
  of the last 180 days, mapped 1..5 to 0..1.
"""

from __future__ import annotations

import datetime
import time
import zoneinfo
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from ryadom.care.models import CareRequest, Feedback, Status, Urgency, Visit
from ryadom.care.wellbeing import CLAIM_HOURS, week_hours
from ryadom.catalogue.models import Category, ServiceType, Skill
from ryadom.institutions.models import Institution, VisitingHours
from ryadom.matching import ANY, FEMALE, MALE, SLOTS, Csr, Requests, Volunteers, slots_mask
from ryadom.organisations.models import Agreement
from ryadom.veterans.models import HelperGender
from ryadom.volunteers.eligibility import REQUIRED_CHECKS
from ryadom.volunteers.models import (
    Availability,
    Check,
    CheckKind,
    CheckStatus,
    Gender,
    Membership,
    MembershipStatus,
    Volunteer,
)

Int64Array = npt.NDArray[np.int64]
K = TypeVar("K")
# The chosen volunteers as a subquery of ids.
Chosen = QuerySet[Volunteer, Any]

# Requests a coordinator may still assign (the lifecycle's sources of "assign").
OPEN_FOR_MATCHING = (Status.NEW, Status.TRIAGED)
# Requests that count against a volunteer's week.
HOLDING = (Status.ASSIGNED, Status.SCHEDULED, Status.IN_PROGRESS)
FINISHED = (Status.COMPLETED, Status.CONFIRMED)
LOAD_DAYS = 7
FEEDBACK_DAYS = 180

URGENCY_LEVEL: dict[str, int] = {Urgency.NORMAL: 0, Urgency.URGENT: 2, Urgency.CRITICAL: 3}
GENDER_CODE: dict[str, int] = {Gender.FEMALE: FEMALE, Gender.MALE: MALE}
CHECK_BIT = {kind: 1 << i for i, kind in enumerate(CheckKind)}
# Service numbers 0..62 are positions; any further ones share 63, which no interest names.
OTHER_SERVICE = 63
WEEK_MIN = SLOTS * 60
WORDS = 3
ALL_BITS = np.uint64(0xFFFF_FFFF_FFFF_FFFF)
WHOLE_WEEK = slots_mask([(0, SLOTS)])


def check_mask(kinds: Iterable[str]) -> int:
    """Bits of these check kinds."""
    mask = 0
    for kind in kinds:
        mask |= CHECK_BIT[CheckKind(kind)]
    return mask


REQUIRED_MASK = {level: check_mask(kinds) for level, kinds in REQUIRED_CHECKS.items()}
SCREENING_BIT = CHECK_BIT[CheckKind.SCREENING]


@dataclass(frozen=True)
class Catalogue:
    """Numbering of skills and services, and each service's rules, read once per load."""

    skill_bit: dict[int, int]  # skill id -> bit
    service_number: dict[int, int]  # service type id -> 0..63
    service_skills: dict[int, int]  # service type id -> required skill bits
    service_rules: dict[int, tuple[bool, bool, bool]]  # id -> same gender, hygiene, screening

    @classmethod
    def load(cls) -> Catalogue:
        """Two queries: skills, services with their required skills."""
        skill_ids = list(Skill.objects.order_by("pk").values_list("pk", flat=True))
        if len(skill_ids) > 64:
            raise ValueError("more than 64 skills: the engine's skill masks hold 64")
        skill_bit = {pk: 1 << i for i, pk in enumerate(skill_ids)}
        number: dict[int, int] = {}
        skills: dict[int, int] = {}
        rules: dict[int, tuple[bool, bool, bool]] = {}
        rows = ServiceType.objects.order_by("pk").values_list(
            "pk", "category", "same_gender_helper", "needs_security_screening"
        )
        for i, (pk, category, same, screening) in enumerate(rows):
            number[pk] = min(i, OTHER_SERVICE)
            skills[pk] = 0
            rules[pk] = (same, category == Category.HYGIENE, screening)
        through = ServiceType.required_skills.through.objects.values_list(
            "servicetype_id", "skill_id"
        )
        for service_id, skill_id in through:
            skills[service_id] |= skill_bit[skill_id]
        return cls(skill_bit, number, skills, rules)

    def interest_bits(self, service_id: int) -> int:
        number = self.service_number.get(service_id, OTHER_SERVICE)
        return 0 if number == OTHER_SERVICE else 1 << number


# --- week slots ----------------------------------------------------------------------------


def _offset_min(zone: str, now: datetime.datetime) -> int:
    offset = now.astimezone(zoneinfo.ZoneInfo(zone)).utcoffset()
    return int(offset.total_seconds() // 60) if offset else 0


def _slot_bits(
    n: int, owner: Int64Array, start: Int64Array, end: Int64Array
) -> npt.NDArray[np.uint64]:
    """(n, 3) week-slot words of [start, end) minute intervals of the UTC week, by owner.

    Intervals may stick out of the week on either side (a local Monday morning is a UTC
    Sunday evening): they wrap around. A partly covered hour counts as covered. Built as
    words directly (slot s is bit s % 64 of word s // 64, as `pack_slots` lays them out),
    so a million volunteers never need a (n, 168) matrix.
    """
    shift = np.floor_divide(start, WEEK_MIN) * WEEK_MIN
    start, end = start - shift, end - shift  # start now in [0, week)
    wraps = end > WEEK_MIN
    owner = np.concatenate((owner, owner[wraps]))
    start, end = (
        np.concatenate((start, np.zeros(int(wraps.sum()), dtype=np.int64))),
        np.concatenate((np.minimum(end, WEEK_MIN), end[wraps] - WEEK_MIN)),
    )
    first, last = start // 60, -(-end // 60)  # hours touched: floor of start, ceil of end
    out = np.zeros((n, WORDS), dtype=np.uint64)
    for w in range(WORDS):
        lo = np.clip(first - 64 * w, 0, 64)
        hi = np.clip(last - 64 * w, 0, 64)
        np.bitwise_or.at(out[:, w], owner, _ones(hi) & ~_ones(lo))
    return out


def _ones(k: Int64Array) -> npt.NDArray[np.uint64]:
    """The k lowest bits set, for k in 0..64."""
    low = (np.uint64(1) << np.minimum(k, 63).astype(np.uint64)) - np.uint64(1)
    return np.where(k >= 64, ALL_BITS, low).astype(np.uint64)


def _weekly_rows(
    rows: Sequence[tuple[int, int, datetime.time, datetime.time, int]],
) -> tuple[Int64Array, Int64Array, Int64Array]:
    """(owner, start, end) in UTC week minutes of (owner, weekday, starts, ends, offset) rows."""
    if not rows:
        empty = np.zeros(0, dtype=np.int64)
        return empty, empty, empty
    a = np.array(
        [
            (o, d * 1440 + s.hour * 60 + s.minute - off, d * 1440 + e.hour * 60 + e.minute - off)
            for o, d, s, e, off in rows
        ],
        dtype=np.int64,
    )
    return a[:, 0], a[:, 1], a[:, 2]


def _window_minutes(starts: datetime.datetime, ends: datetime.datetime) -> tuple[int, int] | None:
    """A dated window as UTC week minutes; None when it covers the whole week."""
    if ends - starts >= datetime.timedelta(days=7):
        return None
    s = starts.astimezone(datetime.UTC)
    start = s.weekday() * 1440 + s.hour * 60 + s.minute
    return start, start + int((ends - starts).total_seconds() // 60) + (1 if s.second else 0)


# --- requests ------------------------------------------------------------------------------


def load_requests(
    qs: QuerySet[CareRequest], *, catalogue: Catalogue, now: datetime.datetime
) -> tuple[Requests, Int64Array]:
    """The requests of `qs` as the engine's arrays, and their ids row by row (2 queries)."""
    rows = list(
        qs.order_by("pk").values_list(
            "pk",
            "institution_id",
            "institution__lat",
            "institution__lon",
            "institution__access_level",
            "service_type_id",
            "veteran_id",
            "veteran__gender",
            "veteran__preferred_helper_gender",
            "urgency",
            "created_at",
            "deadline",
            "window_starts",
            "window_ends",
            "wants_previous_volunteer",
        )
    )
    n = len(rows)
    visiting = _visiting_slots({r[1] for r in rows}, now)
    window = np.tile(WHOLE_WEEK, (n, 1))
    skills = np.zeros(n, dtype=np.uint64)
    needs = np.zeros(n, dtype=np.uint64)
    gender = np.zeros(n, dtype=np.int8)
    dated_owner, dated_start, dated_end = [], [], []
    for i, r in enumerate(rows):
        (_, inst, _, _, access, service, vet, vet_gender, wants, _, _, _, ws, we, _) = r
        skills[i] = catalogue.service_skills.get(service, 0)
        same, hygiene, screening = catalogue.service_rules[service]
        # care.eligibility: a service's screening beyond what the institution asks.
        if screening and not REQUIRED_MASK[access] & SCREENING_BIT:
            needs[i] = SCREENING_BIT
        gender[i] = _gender_rule(vet, vet_gender, wants, same=same, hygiene=hygiene)
        if inst in visiting:
            window[i] = visiting[inst]
        if ws is not None and we is not None and we > now:
            span = _window_minutes(max(ws, now), we)
            if span is not None:
                dated_owner.append(i)
                dated_start.append(span[0])
                dated_end.append(span[1])
    if dated_owner:
        owner = np.array(dated_owner, dtype=np.int64)
        bits = _slot_bits(
            n, owner, np.array(dated_start, dtype=np.int64), np.array(dated_end, dtype=np.int64)
        )
        window[owner] &= bits[owner]
    hours = 3600.0
    requests = Requests(
        lat=np.array([r[2] for r in rows], dtype=np.float64),
        lon=np.array([r[3] for r in rows], dtype=np.float64),
        institution=np.array([r[1] for r in rows], dtype=np.int64),
        service=np.array(
            [catalogue.service_number.get(r[5], OTHER_SERVICE) for r in rows], dtype=np.int64
        ),
        skills=skills,
        needs=needs,
        gender=gender,
        urgency=np.array([URGENCY_LEVEL.get(r[9], 0) for r in rows], dtype=np.int8),
        waited_h=np.array([(now - r[10]).total_seconds() / hours for r in rows]),
        deadline_h=np.array([(r[11] - now).total_seconds() / hours for r in rows]),
        window=window,
        veteran=np.array([r[6] if r[6] is not None else -1 for r in rows], dtype=np.int64),
        wants_same=np.array([r[14] for r in rows], dtype=bool),
    )
    return requests, np.array([r[0] for r in rows], dtype=np.int64)


def _gender_rule(
    veteran: int | None, vet_gender: str | None, wants: str | None, *, same: bool, hygiene: bool
) -> int:
    """The helper's gender `care.eligibility.request_missing_steps` requires, or ANY."""
    if veteran is None or not (same or hygiene):
        return ANY
    if same:
        return GENDER_CODE.get(vet_gender or "", ANY)
    if wants and wants != HelperGender.ANY:
        return GENDER_CODE.get(wants, ANY)
    return ANY


def _visiting_slots(
    institutions: set[int], now: datetime.datetime
) -> dict[int, npt.NDArray[np.uint64]]:
    """Each institution's visiting hours as UTC week slots (institutions without any: absent)."""
    rows = [
        (inst, day, s, e, _offset_min(zone, now))
        for inst, day, s, e, zone in VisitingHours.objects.filter(
            institution_id__in=institutions
        ).values_list(
            "institution_id", "weekday", "starts", "ends", "institution__region__timezone"
        )
    ]
    ids = sorted({r[0] for r in rows})
    pos = {pk: i for i, pk in enumerate(ids)}
    owner, start, end = _weekly_rows([(pos[o], d, s, e, off) for o, d, s, e, off in rows])
    bits = _slot_bits(len(ids), owner, start, end)
    return {pk: bits[i] for i, pk in enumerate(ids)}


# --- volunteers ----------------------------------------------------------------------------


def load_volunteers(
    qs: QuerySet[Volunteer],
    *,
    institutions: QuerySet[Institution],
    catalogue: Catalogue,
    now: datetime.datetime,
) -> tuple[Volunteers, Int64Array]:
    """The volunteers of `qs`, cleared for `institutions`, and their ids (11 queries)."""
    rows = list(
        qs.order_by("pk").values_list(
            "pk",
            "lat",
            "lon",
            "travel_radius_km",
            "gender",
            "weekly_task_cap",
            "region__timezone",
            "weekly_hour_limit",
        )
    )
    ids = np.array([r[0] for r in rows], dtype=np.int64)
    chosen = qs.order_by().values("pk")  # related rows of these volunteers only
    today = timezone.localdate(now)
    valid = Check.objects.filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=today),
        volunteer_id__in=chosen,
        status=CheckStatus.PASSED,
    ).values_list("volunteer_id", "kind")
    checks = _bits_by_volunteer(ids, valid, lambda kind: CHECK_BIT[CheckKind(kind)])
    skills = _bits_by_volunteer(
        ids,
        Volunteer.skills.through.objects.filter(volunteer_id__in=chosen).values_list(
            "volunteer_id", "skill_id"
        ),
        lambda skill: catalogue.skill_bit.get(skill, 0),
    )
    interests = _bits_by_volunteer(
        ids,
        Volunteer.interests.through.objects.filter(volunteer_id__in=chosen).values_list(
            "volunteer_id", "servicetype_id"
        ),
        catalogue.interest_bits,
    )
    return (
        Volunteers(
            lat=np.array([r[1] for r in rows], dtype=np.float64),
            lon=np.array([r[2] for r in rows], dtype=np.float64),
            radius_km=np.array([r[3] for r in rows], dtype=np.float64),
            skills=skills,
            checks=checks,
            interests=interests,
            gender=np.array([GENDER_CODE.get(r[4], ANY) for r in rows], dtype=np.int8),
            availability=_availability(ids, rows, chosen, now),
            cap=np.array([r[5] for r in rows], dtype=np.int64),
            load=_load(ids, chosen, now),
            feedback=_feedback(ids, chosen, now),
            clearance=_clearance(ids, checks, chosen, institutions, today),
            served=_served(ids, chosen),
            hours_left=_hours_left(ids, rows, now),
            task_hours=CLAIM_HOURS,
        ),
        ids,
    )


def _bits_by_volunteer(
    ids: Int64Array, pairs: Iterable[tuple[int, K]], bit: Callable[[K], int]
) -> npt.NDArray[np.uint64]:
    """OR of `bit(key)` over each volunteer's (volunteer id, key) rows."""
    rows = list(pairs)
    out = np.zeros(len(ids), dtype=np.uint64)
    if rows:
        at = np.searchsorted(ids, np.array([r[0] for r in rows], dtype=np.int64))
        bits = np.array([bit(r[1]) for r in rows], dtype=np.uint64)
        np.bitwise_or.at(out, at, bits)
    return out


def _availability(
    ids: Int64Array,
    rows: Sequence[tuple[object, ...]],
    chosen: Chosen,
    now: datetime.datetime,
) -> npt.NDArray[np.uint64]:
    """Weekly availability as UTC slots; a volunteer who gave none is available any time."""
    zones = {str(r[6]) for r in rows}
    offsets = {zone: _offset_min(zone, now) for zone in zones}
    row_of = {vid: i for i, vid in enumerate(ids.tolist())}
    offset_of = [offsets[str(r[6])] for r in rows]
    found = [
        (row_of[vid], day, s, e, offset_of[row_of[vid]])
        for vid, day, s, e in Availability.objects.filter(volunteer_id__in=chosen).values_list(
            "volunteer_id", "weekday", "starts", "ends"
        )
    ]
    owner, start, end = _weekly_rows(found)
    bits = _slot_bits(len(ids), owner, start, end)
    bits[~np.isin(np.arange(len(ids)), owner)] = WHOLE_WEEK
    return bits


def _load(
    ids: Int64Array,
    chosen: Chosen,
    now: datetime.datetime,
) -> Int64Array:
    """Requests each volunteer holds now plus those finished in the last week."""
    week_ago = now - datetime.timedelta(days=LOAD_DAYS)
    counts = (
        CareRequest.objects.filter(volunteer_id__in=chosen)
        .filter(Q(status__in=HOLDING) | Q(status__in=FINISHED, updated_at__gte=week_ago))
        .order_by()
        .values("volunteer_id")
        .annotate(n=Count("pk"))
        .values_list("volunteer_id", "n")
    )
    load = np.zeros(len(ids), dtype=np.int64)
    pairs = np.array(list(counts), dtype=np.int64).reshape(-1, 2)
    load[np.searchsorted(ids, pairs[:, 0])] = pairs[:, 1]
    return load


def _hours_left(
    ids: Int64Array, rows: Sequence[tuple[Any, ...]], now: datetime.datetime
) -> npt.NDArray[np.float64]:
    """Hours each volunteer may still give this week under their NGO's limit (inf: no limit).

    The rule of `care.wellbeing.hour_limit_check`, which assignment asks: the limit less
    `week_hours` (visits and opening shifts planned this week, in the volunteer's region's
    week). It is asked once per volunteer with a limit (two queries each); volunteers
    without one, the most, cost nothing.
    """
    out = np.full(len(ids), np.inf)
    limited = {int(r[0]): int(r[7]) for r in rows if r[7] is not None}
    if not limited:
        return out
    for volunteer in Volunteer.objects.filter(pk__in=limited).select_related("region"):
        day = timezone.localdate(now, timezone=volunteer.region.zone)
        planned = week_hours(volunteer=volunteer, day=day)
        out[np.searchsorted(ids, volunteer.pk)] = max(limited[volunteer.pk] - planned, 0.0)
    return out


def _feedback(
    ids: Int64Array,
    chosen: Chosen,
    now: datetime.datetime,
) -> npt.NDArray[np.float64]:
    """Mean recent rating, 1..5 as 0..1; NaN for volunteers with none."""
    since = now - datetime.timedelta(days=FEEDBACK_DAYS)
    means = (
        Feedback.objects.filter(
            request__volunteer_id__in=chosen, at__gte=since, rating__isnull=False
        )
        .order_by()
        .values("request__volunteer_id")
        .annotate(mean=Avg("rating"))
        .values_list("request__volunteer_id", "mean")
    )
    out = np.full(len(ids), np.nan)
    for vid, mean in means:
        out[np.searchsorted(ids, vid)] = (float(mean) - 1.0) / 4.0
    return out


def _served(ids: Int64Array, chosen: Chosen) -> Csr:
    """Veterans each volunteer has finished a visit with."""
    pairs = (
        Visit.objects.filter(
            volunteer_id__in=chosen, checked_out_at__isnull=False, request__veteran__isnull=False
        )
        .order_by()
        .values_list("volunteer_id", "request__veteran_id")
        .distinct()
    )
    return _csr(ids, [(v, vet) for v, vet in pairs if vet is not None])


def _csr(ids: Int64Array, pairs: Sequence[tuple[int, int]]) -> Csr:
    """A CSR over volunteer rows from (volunteer id, value) pairs."""
    if not pairs:
        return Csr.empty(len(ids))
    a = np.unique(np.array(pairs, dtype=np.int64), axis=0)  # sorted by volunteer, then value
    rows = np.searchsorted(ids, a[:, 0])
    indptr = np.concatenate(([0], np.cumsum(np.bincount(rows, minlength=len(ids)))))
    return Csr(indptr.astype(np.int64), a[:, 1].copy())


def _clearance(
    ids: Int64Array,
    checks: npt.NDArray[np.uint64],
    chosen: Chosen,
    institutions: QuerySet[Institution],
    today: datetime.date,
) -> Csr:
    """Institutions each volunteer may work in today: `missing_steps` for all pairs at once.

    A pair passes when one of the volunteer's approved NGOs has an agreement with the
    institution valid today, and the volunteer's valid checks cover the access level.
    """
    members = np.array(
        list(
            Membership.objects.filter(
                volunteer_id__in=chosen, status=MembershipStatus.APPROVED
            ).values_list("volunteer_id", "organisation_id")
        ),
        dtype=np.int64,
    ).reshape(-1, 2)
    agreements = np.array(
        list(
            Agreement.objects.valid_on(today)
            .filter(institution__in=institutions.order_by().values("pk"))
            .values_list("organisation_id", "institution_id")
        ),
        dtype=np.int64,
    ).reshape(-1, 2)
    levels = dict(
        Institution.objects.filter(pk__in=set(agreements[:, 1].tolist())).values_list(
            "pk", "access_level"
        )
    )
    if not len(members) or not len(agreements):
        return Csr.empty(len(ids))
    agreements = agreements[np.argsort(agreements[:, 0], kind="stable")]
    lo = np.searchsorted(agreements[:, 0], members[:, 1], side="left")
    hi = np.searchsorted(agreements[:, 0], members[:, 1], side="right")
    counts = hi - lo
    volunteer = np.repeat(members[:, 0], counts)
    at = np.repeat(lo - np.cumsum(counts) + counts, counts) + np.arange(int(counts.sum()))
    institution = agreements[at, 1]
    need = np.array([REQUIRED_MASK[levels[i]] for i in institution.tolist()], dtype=np.uint64)
    rows = np.searchsorted(ids, volunteer)
    ok = (need & ~checks[rows]) == 0
    return _csr(ids, list(zip(volunteer[ok].tolist(), institution[ok].tolist(), strict=True)))


# --- both ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Loaded:
    """The engine's inputs, the ids behind their rows, and how long the database took."""

    requests: Requests
    request_ids: Int64Array
    volunteers: Volunteers
    volunteer_ids: Int64Array
    seconds: float


def load(
    requests: QuerySet[CareRequest],
    volunteers: QuerySet[Volunteer],
    *,
    now: datetime.datetime | None = None,
) -> Loaded:
    """Requests and volunteers, cleared for the requests' institutions, as arrays."""
    started = time.perf_counter()
    now = now or timezone.now()
    catalogue = Catalogue.load()
    req, req_ids = load_requests(requests, catalogue=catalogue, now=now)
    institutions = Institution.objects.filter(pk__in=requests.order_by().values("institution_id"))
    vol, vol_ids = load_volunteers(
        volunteers, institutions=institutions, catalogue=catalogue, now=now
    )
    return Loaded(req, req_ids, vol, vol_ids, time.perf_counter() - started)
