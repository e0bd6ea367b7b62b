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

This module loads the requests and puts both sides together; the numbering of skills, checks
and services is `numbering.py`, the week slots `week_slots.py`, the volunteers' side
`volunteer_arrays.py`.
"""

from __future__ import annotations

import datetime
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from django.db.models import QuerySet
from django.utils import timezone

from ryadom.care.models import CareRequest, Status
from ryadom.dispatch.numbering import (
    GENDER_CODE,
    OTHER_SERVICE,
    REQUIRED_MASK,
    SCREENING_BIT,
    URGENCY_LEVEL,
    Catalogue,
)
from ryadom.dispatch.volunteer_arrays import load_volunteers
from ryadom.dispatch.week_slots import (
    WHOLE_WEEK,
    Int64Array,
    offset_min,
    slot_bits,
    weekly_rows,
    window_minutes,
)
from ryadom.institutions.models import Institution, VisitingHours
from ryadom.matching import ANY, Requests, Volunteers
from ryadom.veterans.models import HelperGender
from ryadom.volunteers.models import Volunteer

# Requests a coordinator may still assign (the lifecycle's sources of "assign").
OPEN_FOR_MATCHING = (Status.NEW, Status.TRIAGED)


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
            span = window_minutes(max(ws, now), we)
            if span is not None:
                dated_owner.append(i)
                dated_start.append(span[0])
                dated_end.append(span[1])
    if dated_owner:
        owner = np.array(dated_owner, dtype=np.int64)
        bits = slot_bits(
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
        (inst, day, s, e, offset_min(zone, now))
        for inst, day, s, e, zone in VisitingHours.objects.filter(
            institution_id__in=institutions
        ).values_list(
            "institution_id", "weekday", "starts", "ends", "institution__region__timezone"
        )
    ]
    ids = sorted({r[0] for r in rows})
    pos = {pk: i for i, pk in enumerate(ids)}
    owner, start, end = weekly_rows([(pos[o], d, s, e, off) for o, d, s, e, off in rows])
    bits = slot_bits(len(ids), owner, start, end)
    return {pk: bits[i] for i, pk in enumerate(ids)}


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
