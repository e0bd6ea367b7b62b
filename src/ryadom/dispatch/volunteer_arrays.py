"""The volunteers of a load as the engine's arrays: checks, skills, interests, availability,
load, recent feedback, the veterans they served, where they are cleared, the hours left."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from typing import Any, TypeVar

import numpy as np
import numpy.typing as npt
from django.db.models import Avg, Count, Q, QuerySet
from django.utils import timezone

from ryadom.care.models import CareRequest, Feedback, Status, Visit
from ryadom.care.wellbeing import CLAIM_HOURS, week_hours
from ryadom.dispatch.numbering import CHECK_BIT, GENDER_CODE, REQUIRED_MASK, Catalogue
from ryadom.dispatch.week_slots import WHOLE_WEEK, Int64Array, offset_min, slot_bits, weekly_rows
from ryadom.institutions.models import Institution
from ryadom.matching import ANY, Csr, Volunteers
from ryadom.organisations.models import Agreement
from ryadom.volunteers.models import (
    Availability,
    Check,
    CheckKind,
    CheckStatus,
    Membership,
    MembershipStatus,
    Volunteer,
)

K = TypeVar("K")
# The chosen volunteers as a subquery of ids.
Chosen = QuerySet[Volunteer, Any]

# Requests that count against a volunteer's week.
HOLDING = (Status.ASSIGNED, Status.SCHEDULED, Status.IN_PROGRESS)
FINISHED = (Status.COMPLETED, Status.CONFIRMED)
LOAD_DAYS = 7
FEEDBACK_DAYS = 180


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
    offsets = {zone: offset_min(zone, now) for zone in zones}
    row_of = {vid: i for i, vid in enumerate(ids.tolist())}
    offset_of = [offsets[str(r[6])] for r in rows]
    found = [
        (row_of[vid], day, s, e, offset_of[row_of[vid]])
        for vid, day, s, e in Availability.objects.filter(volunteer_id__in=chosen).values_list(
            "volunteer_id", "weekday", "starts", "ends"
        )
    ]
    owner, start, end = weekly_rows(found)
    bits = slot_bits(len(ids), owner, start, end)
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
