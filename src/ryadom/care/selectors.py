"""Reads of care requests, narrowed to what the actor may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.lookups import Exact
from django.utils import timezone

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.care.lifecycle import NEEDS_ACTION_STATES, OPEN_STATES, TAKEN_STATES, Action
from ryadom.care.models import CareRequest, Complaint, Event, Status, Visit
from ryadom.core.errors import NotFoundError
from ryadom.veterans.models import Proxy
from ryadom.veterans.reads import audited_read
from ryadom.volunteers.models import Volunteer

# Open for a volunteer or an NGO to take: waiting for a helper.
OPEN_Q = Q(status=Status.TRIAGED)


def _just_taken_q() -> Q:
    """Taken by a volunteer (who claimed it, or was assigned it) while it was open, and theirs
    still: the only change a volunteer who saw it open may hear of ("already taken")."""
    last_taken_from = (
        Event.objects.filter(request_id=OuterRef("pk"), to_status=Status.ASSIGNED)
        .order_by("-at", "-pk")
        .values("from_status")[:1]
    )
    # While a request stays assigned, scheduled or in progress, its newest event into
    # "assigned" is the one that took it: it came from the open list when it came from triage.
    return Q(
        Exact(Subquery(last_taken_from), Status.TRIAGED),
        status__in=TAKEN_STATES,
        volunteer__isnull=False,
    )


def _visible_q(actor: User | AnonymousUser | None, *, claiming: bool = False) -> Q | None:
    """Requests the actor may see; None means all of them.

    `claiming` widens one rule, for the one action that is the way in: a volunteer taking a
    request they saw open near them may find another volunteer has just taken it, and is
    told so rather than "not found". Nothing else is ever added.
    """
    scope = scope_of(actor)
    if scope.federal:
        return None
    if scope.user_id is None:
        return Q(pk__in=[])
    q = Q(requested_by_id=scope.user_id)
    if scope.has(Role.REGIONAL_COORDINATOR):
        q |= Q(region_id__in=scope.region_ids)
    if scope.has(Role.INSTITUTION_LIAISON):
        q |= Q(institution_id__in=scope.institution_ids)
    if scope.has(Role.NGO_MANAGER):
        # Its own requests, and open ones in the regions it serves: an NGO nearby takes them.
        q |= Q(organisation_id__in=scope.organisation_ids) | (
            OPEN_Q & Q(region__organisations__in=scope.organisation_ids)
        )
    if scope.has(Role.VOLUNTEER):
        open_to_take = (OPEN_Q | _just_taken_q()) if claiming else OPEN_Q
        q |= Q(volunteer__user_id=scope.user_id) | (
            open_to_take & Q(region__volunteers__user_id=scope.user_id)
        )
    if scope.has(Role.VETERAN):
        q |= Q(veteran__user_id=scope.user_id)
    if scope.has(Role.RELATIVE):
        q |= Q(
            Exists(
                Proxy.objects.filter(
                    veteran_id=OuterRef("veteran_id"), user_id=scope.user_id, may_act=True
                )
            )
        )
    return q


# A status filter meaning every status that still needs someone to act.
NEEDS_ACTION = "needs_action"


@dataclass(frozen=True)
class RequestFilters:
    region: str | None = None
    institution: int | None = None
    status: str | None = None
    service: str | None = None
    urgency: str | None = None
    overdue: bool | None = None


def _scoped(visible: Q | None) -> QuerySet[CareRequest]:
    qs = CareRequest.objects.select_related(
        "region",
        "institution",
        "department",
        "service_type",
        "veteran",
        "volunteer__user",
        "organisation",
        "coordinator",
    )
    if visible is None:
        return qs
    # A subquery of ids keeps the joins of the scope out of the listing query (and the
    # same request seen through two scopes once).
    return qs.filter(pk__in=CareRequest.objects.filter(visible).values("pk"))


def request_list(
    *, actor: User | AnonymousUser | None, filters: RequestFilters | None = None
) -> QuerySet[CareRequest]:
    """Requests the actor may see, soonest deadline first."""
    qs = _scoped(_visible_q(actor))
    f = filters or RequestFilters()
    if f.region:
        qs = qs.filter(region__code=f.region)
    if f.institution:
        qs = qs.filter(institution_id=f.institution)
    if f.status == NEEDS_ACTION:
        qs = qs.filter(status__in=NEEDS_ACTION_STATES)
    elif f.status:
        qs = qs.filter(status=f.status)
    if f.service:
        qs = qs.filter(service_type__code=f.service)
    if f.urgency:
        qs = qs.filter(urgency=f.urgency)
    if f.overdue is not None:
        overdue = Q(status__in=OPEN_STATES - {Status.COMPLETED}, deadline__lt=timezone.now())
        qs = qs.filter(overdue) if f.overdue else qs.exclude(overdue)
    return qs.order_by("deadline", "pk")


# A request's timeline (steps with who took them, in order) and visits, as reads show them.
TIMELINE_PREFETCH = (
    Prefetch("events", queryset=Event.objects.select_related("actor").order_by("at", "pk")),
    "visits",
)


@audited_read("request.viewed", lambda r: (r.region_id, r.veteran_id))
def request_get_for_user(*, actor: User | AnonymousUser | None, request_id: int) -> CareRequest:
    """One request with its timeline, or NotFoundError when missing or not the actor's."""
    request = (
        request_list(actor=actor).prefetch_related(*TIMELINE_PREFETCH).filter(pk=request_id).first()
    )
    if request is None:
        raise NotFoundError("Not found.")
    return request


@audited_read("request.viewed", lambda r: (r.region_id, r.veteran_id))
def request_read_back(*, actor: User | AnonymousUser | None, request: CareRequest) -> CareRequest:
    """A request the actor has just made or found by its Idempotency-Key, answered (and logged)
    as `request_get_for_user` answers, without reading it again: it comes with its timeline."""
    return request


def timeline_known(
    request: CareRequest, *, events: list[Event], visits: list[Visit]
) -> CareRequest:
    """A request whose timeline and visits are known (it was just made with them), ready to
    read as if `request_get_for_user` had read it back, without the reads."""
    known = {"events": events, "visits": visits}
    cache: dict[str, QuerySet[Any]] = {}
    for name, rows in known.items():
        # What prefetch_related leaves behind: a queryset of the relation, already evaluated.
        queryset = getattr(request, name).all()
        queryset._result_cache = rows
        queryset._prefetch_done = True
        cache[name] = queryset
    request._prefetched_objects_cache = cache  # type: ignore[attr-defined]
    return request


def request_get_for_action(
    *, actor: User | AnonymousUser | None, request_id: int, action: str
) -> CareRequest:
    """The request an action is about to be taken on: one the actor may see, else NotFoundError,
    word for word as a read answers.

    One exception, from the same rules: a volunteer claiming a request they saw open near
    them, which another volunteer has taken since, gets it, so the claim says "already
    taken" (409) rather than "not found".
    """
    try:
        return request_get_for_user(actor=actor, request_id=request_id)
    except NotFoundError:
        if action != Action.CLAIM:
            raise
    request = _scoped(_visible_q(actor, claiming=True)).filter(pk=request_id).first()
    if request is None:
        raise NotFoundError("Not found.")
    return request


def complaint_get_for_coordinator(
    *, actor: User | AnonymousUser | None, complaint_id: int
) -> Complaint:
    """A complaint on a request the actor may see, or NotFoundError."""
    complaint = (
        Complaint.objects.select_related("request", "feedback")
        .filter(pk=complaint_id, request__in=request_list(actor=actor).values("pk"))
        .first()
    )
    if complaint is None:
        raise NotFoundError("Not found.")
    return complaint


def volunteer_hours(*, volunteer: Volunteer) -> datetime.timedelta:
    """Verified hours: the sum of checked-in to checked-out time of the volunteer's visits."""
    total = datetime.timedelta()
    for checked_in, checked_out in Visit.objects.filter(
        volunteer=volunteer, checked_in_at__isnull=False, checked_out_at__isnull=False
    ).values_list("checked_in_at", "checked_out_at"):
        if checked_in is not None and checked_out is not None:  # narrowed by the filter above
            total += checked_out - checked_in
    return total


def request_previous_volunteer_id(*, request: CareRequest) -> int | None:
    """Who last finished a visit for the request's veteran on another request (None: nobody)."""
    if request.veteran_id is None:
        return None
    return (
        Visit.objects.filter(
            request__veteran_id=request.veteran_id,
            checked_out_at__isnull=False,
            volunteer__isnull=False,
        )
        .exclude(request_id=request.pk)
        .order_by("-checked_out_at")
        .values_list("volunteer_id", flat=True)
        .first()
    )
