"""Reads of matching runs and recommendations, narrowed to what the actor may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils import timezone

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.care.eligibility import request_missing_steps
from ryadom.care.models import CareRequest
from ryadom.care.parties import Party, parties_of
from ryadom.care.selectors import request_previous_volunteer_id
from ryadom.core.errors import NotFoundError
from ryadom.dispatch import adapter
from ryadom.dispatch.models import MatchingRun, Proposal, UnservedRequest
from ryadom.dispatch.reasons import reasons_json, reasons_text
from ryadom.dispatch.volunteer_arrays import FINISHED, HOLDING, LOAD_DAYS
from ryadom.geo.models import Region
from ryadom.matching import ReasonCode, VolunteerIndex, recommend
from ryadom.organisations.models import Agreement
from ryadom.volunteers.models import MembershipStatus, Volunteer
from ryadom.volunteers.selectors import volunteer_list


def may_match(actor: User | AnonymousUser | None, region_id: int | None) -> bool:
    """Federal coordinators match any region or the country; regional ones their regions."""
    scope = scope_of(actor)
    if scope.federal:
        return True
    return (
        region_id is not None
        and scope.has(Role.REGIONAL_COORDINATOR)
        and region_id in scope.region_ids
    )


def matching_regions(*, actor: User | AnonymousUser | None) -> QuerySet[Region]:
    """Regions the actor may start a run for."""
    scope = scope_of(actor)
    if scope.federal:
        return Region.objects.order_by("code")
    if scope.has(Role.REGIONAL_COORDINATOR):
        return Region.objects.filter(pk__in=scope.region_ids).order_by("code")
    return Region.objects.none()


def run_list(*, actor: User | AnonymousUser | None) -> QuerySet[MatchingRun]:
    """Runs the actor may see, newest first: their regions' (federal: all)."""
    scope = scope_of(actor)
    qs = MatchingRun.objects.select_related("region", "actor").order_by("-created_at", "-pk")
    if scope.federal:
        return qs
    if scope.has(Role.REGIONAL_COORDINATOR):
        return qs.filter(region_id__in=scope.region_ids)
    return qs.none()


def run_get_for_user(*, actor: User | AnonymousUser | None, run_id: int) -> MatchingRun:
    """One run, or NotFoundError both when missing and when not the actor's to see."""
    run = run_list(actor=actor).filter(pk=run_id).first()
    if run is None:
        raise NotFoundError("Not found.")
    return run


def run_proposals(*, run: MatchingRun) -> QuerySet[Proposal]:
    """The run's proposals with what a table of them shows, soonest deadline first."""
    return run.proposals.select_related(
        "request__service_type",
        "request__institution",
        "request__department",
        "request__veteran",
        "volunteer__user",
    ).order_by("request__deadline", "pk")


def run_unserved(*, run: MatchingRun) -> QuerySet[UnservedRequest]:
    """The run's unserved requests, soonest deadline first."""
    return run.unserved_requests.select_related(
        "request__service_type", "request__institution"
    ).order_by("request__deadline", "pk")


def volunteer_week_load(*, volunteer_id: int, now: datetime.datetime | None = None) -> int:
    """Tasks counted against the volunteer's week, as the adapter counts them."""
    now = now or timezone.now()
    week_ago = now - datetime.timedelta(days=LOAD_DAYS)
    return (
        CareRequest.objects.filter(volunteer_id=volunteer_id)
        .filter(Q(status__in=HOLDING) | Q(status__in=FINISHED, updated_at__gte=week_ago))
        .count()
    )


@dataclass(frozen=True)
class Recommendation:
    """A volunteer the engine ranks for one request, with why."""

    volunteer: Volunteer
    cost: int
    km: float | None  # None: offered for continuity alone, outside the engine's rules
    reasons: list[dict[str, Any]]
    is_previous: bool

    @property
    def texts(self) -> list[str]:
        return reasons_text(self.reasons)


def request_recommendations(
    *, actor: User, request: CareRequest, limit: int = 10
) -> list[Recommendation]:
    """The `limit` best volunteers for a request by the engine, for its coordinators.

    Only volunteers the actor may see in the request's region, who are members of an NGO
    with an agreement with the institution (nobody else can be cleared), are loaded. The
    veteran's previous volunteer, when asked for and still eligible, comes first.
    """
    if Party.COORDINATOR not in parties_of(actor, request):
        return []
    if request.status not in adapter.OPEN_FOR_MATCHING:
        return []
    today = timezone.localdate()
    agreed = (
        Agreement.objects.valid_on(today)
        .filter(institution_id=request.institution_id)
        .values("organisation_id")
    )
    volunteers = volunteer_list(actor=actor, region_id=request.region_id).filter(
        memberships__status=MembershipStatus.APPROVED,
        memberships__organisation_id__in=agreed,
    )
    loaded = adapter.load(CareRequest.objects.filter(pk=request.pk), volunteers.distinct())
    found = []
    if len(loaded.volunteers) and len(loaded.requests):
        index = VolunteerIndex.build(loaded.volunteers)
        found = recommend(index, loaded.requests, 0, k=limit)
    ids = [int(loaded.volunteer_ids[p.volunteer]) for p in found]
    previous = (
        request_previous_volunteer_id(request=request) if request.wants_previous_volunteer else None
    )
    by_id = volunteers.prefetch_related("checks").in_bulk([*ids, *([previous] if previous else [])])
    out = [
        Recommendation(
            volunteer=by_id[vid],
            cost=p.cost,
            km=float(p.reasons[0].value or 0.0),
            reasons=reasons_json(p.reasons),
            is_previous=vid == previous,
        )
        for vid, p in zip(ids, found, strict=True)
    ]
    out.sort(key=lambda r: not r.is_previous)  # stable: the engine's order otherwise
    if previous and previous not in ids and previous in by_id and request.veteran_id:
        # Eligible by the one rule, but outside the engine's further rules (radius, hours,
        # room this week): still offered first, since the veteran asked for them.
        if not request_missing_steps(volunteer=by_id[previous], request=request, on=today):
            reason = [{"code": str(ReasonCode.SAME_VOLUNTEER_AS_BEFORE), "value": None}]
            out.insert(0, Recommendation(by_id[previous], 0, None, reason, True))
    return out[:limit]
