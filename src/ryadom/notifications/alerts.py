"""Telling volunteers of a new request: only those who may take it, few, and in turn.

Rules (numbers in settings.NOTIFICATIONS):
- at most ALERTS_PER_NEED volunteers hear of one opening of a request;
- a volunteer hears of at most ALERTS_PER_VOLUNTEER_PER_DAY requests in 24 hours, also
  when several alert tasks run at the same moment (they queue on the region's row);
- the least recently alerted go first (never alerted before anyone), ties broken by a hash
  of (request, volunteer), so the same few are not alerted every time and nobody is
  favoured by their id. With V volunteers fitting every one of K needs, nobody hears of
  more than ceil(K × N / V) of them.
"""

from __future__ import annotations

import datetime
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone

from ryadom.care.eligibility import request_missing_steps
from ryadom.care.models import CareRequest, Event, Status
from ryadom.geo.models import Region
from ryadom.notifications.conf import notification_settings
from ryadom.notifications.models import VolunteerAlert
from ryadom.notifications.services import notify
from ryadom.organisations.models import Agreement
from ryadom.volunteers.models import MembershipStatus, Volunteer

DAY = datetime.timedelta(hours=24)


@dataclass(frozen=True)
class Candidate:
    volunteer_id: int
    last_alert_at: datetime.datetime | None
    alerts_last_day: int


def fair_order(*, candidates: Sequence[Candidate], daily_cap: int, request_id: int) -> list[int]:
    """The ids of the candidates under the daily cap, least recently alerted first."""

    def tiebreak(volunteer_id: int) -> bytes:
        return hashlib.sha256(f"{request_id}:{volunteer_id}".encode()).digest()

    def order(c: Candidate) -> tuple[bool, datetime.datetime, int, bytes]:
        never = datetime.datetime.min.replace(tzinfo=datetime.UTC)
        return (
            c.last_alert_at is not None,
            c.last_alert_at or never,
            c.alerts_last_day,
            tiebreak(c.volunteer_id),
        )

    under_cap = [c for c in candidates if c.alerts_last_day < daily_cap]
    return [c.volunteer_id for c in sorted(under_cap, key=order)]


def fair_pick(
    *, candidates: Sequence[Candidate], n: int, daily_cap: int, request_id: int
) -> list[int]:
    """The first n of `fair_order`."""
    return fair_order(candidates=candidates, daily_cap=daily_cap, request_id=request_id)[
        : max(n, 0)
    ]


def volunteer_candidates(*, request: CareRequest) -> QuerySet[Volunteer]:
    """Active volunteers of the request's region in an NGO with a valid agreement with its
    institution: a cheap filter in SQL. `request_missing_steps` has the last word."""
    today = timezone.localdate()
    agreed = (
        Agreement.objects.valid_on(today)
        .filter(institution_id=request.institution_id)
        .values("organisation_id")
    )
    return (
        Volunteer.objects.filter(
            region_id=request.region_id,
            user__is_active=True,
            memberships__status=MembershipStatus.APPROVED,
            memberships__organisation_id__in=agreed,
        )
        .distinct()
        .select_related("user")
        .prefetch_related("checks")
        .order_by("pk")
    )


def volunteers_fitting(*, request: CareRequest) -> list[Volunteer]:
    """Volunteers who may take the request today (the one rule)."""
    today = timezone.localdate()
    return [
        v
        for v in volunteer_candidates(request=request)
        if not request_missing_steps(volunteer=v, request=request, on=today)
    ]


def _opened_at(request: CareRequest) -> datetime.datetime:
    """When the request last started waiting for a helper (triaged, declined, reopened)."""
    at = (
        Event.objects.filter(request=request, to_status=Status.TRIAGED)
        .exclude(from_status=Status.TRIAGED)
        .order_by("-at", "-pk")
        .values_list("at", flat=True)
        .first()
    )
    return at or request.created_at


@transaction.atomic
def volunteers_alert(*, request_id: int) -> list[VolunteerAlert]:
    """Tell the volunteers whose turn it is of a request waiting for a helper. Safe to run
    twice: a volunteer hears of a request once, and an opening alerts N at most."""
    # The row lock serialises two runs for the same request.
    request = (
        CareRequest.objects.select_for_update(of=("self",))
        .select_related("institution", "service_type")
        .filter(pk=request_id)
        .first()
    )
    if request is None or request.status != Status.TRIAGED:
        return []
    # Two tasks for different requests may pick the same volunteer, and each would count
    # the volunteer's alerts before the other commits: the daily cap would not hold. Every
    # volunteer a task may alert lives in the request's region, so one lock on the region's
    # row (taken before counting) serialises exactly the tasks that could collide, always in
    # the same order (request, then region), hence without deadlocks. Per-volunteer locks
    # would be taken in each request's own fair order and could deadlock. NO KEY UPDATE does
    # not block inserts that refer to the region. (SQLite: the IMMEDIATE transaction already
    # holds the database's write lock.)
    Region.objects.select_for_update(no_key=True).filter(pk=request.region_id).values_list(
        "pk"
    ).first()
    config = notification_settings()
    alerted = VolunteerAlert.objects.filter(request=request)
    room = config.alerts_per_need - alerted.filter(created_at__gte=_opened_at(request)).count()
    if room <= 0:
        return []
    already = set(alerted.values_list("volunteer_id", flat=True))
    candidates = {v.pk: v for v in volunteer_candidates(request=request) if v.pk not in already}
    now = timezone.now()
    stats = {
        row["volunteer_id"]: row
        for row in VolunteerAlert.objects.filter(volunteer_id__in=list(candidates))
        .values("volunteer_id")
        .annotate(last=Max("created_at"), recent=Count("pk", filter=Q(created_at__gt=now - DAY)))
    }
    order = fair_order(
        candidates=[
            Candidate(
                volunteer_id=pk,
                last_alert_at=stats[pk]["last"] if pk in stats else None,
                alerts_last_day=stats[pk]["recent"] if pk in stats else 0,
            )
            for pk in candidates
        ],
        daily_cap=config.alerts_per_volunteer_per_day,
        request_id=request.pk,
    )
    # The full rule only for those whose turn it is, until enough are found: a region may
    # have thousands of volunteers, and a need wants a handful.
    today = timezone.localdate()
    picked: list[Volunteer] = []
    for pk in order:
        if len(picked) >= room:
            break
        volunteer = candidates[pk]
        if not request_missing_steps(volunteer=volunteer, request=request, on=today):
            picked.append(volunteer)
    from ryadom.notifications.producers import volunteer_request_url

    context = {
        "service": str(request.service_type.name),
        "institution": str(request.institution.name),
        "url": volunteer_request_url(request),
    }
    alerts = []
    for volunteer in picked:
        alerts.append(
            VolunteerAlert.objects.create(volunteer=volunteer, request=request, created_at=now)
        )
        notify(
            recipient=volunteer.user,
            kind="volunteer_new_request",
            context=context,
            dedupe_key=f"request:{request.pk}:alert",
        )
    return alerts
