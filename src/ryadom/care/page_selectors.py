"""Reads the pages need beyond selectors.py, narrowed by the actor in the same way.

Every list here starts from a scoped selector (`request_list`, `veteran_list`,
`volunteer_list`) or from public reference data; none widens what the actor may see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils import timezone

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.care.eligibility import request_missing_steps
from ryadom.care.lifecycle import Action, actions_from, allowed_from
from ryadom.care.models import CareRequest, Complaint, Status
from ryadom.care.parties import ACTION_PARTIES, Party, parties_of
from ryadom.care.selectors import RequestFilters, request_list, request_previous_volunteer_id
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import NotFoundError
from ryadom.geo.models import Region
from ryadom.institutions.models import Department, Institution
from ryadom.institutions.selectors import institution_list
from ryadom.organisations.models import Agreement
from ryadom.veterans.models import Proxy, Stay, Veteran
from ryadom.veterans.selectors import VeteranCard, veteran_card_read, veteran_list
from ryadom.volunteers.models import MembershipStatus, Volunteer
from ryadom.volunteers.selectors import volunteer_list

# States in which a request sits in a volunteer's own schedule.
SCHEDULE_STATES = (Status.ASSIGNED, Status.SCHEDULED, Status.IN_PROGRESS)
# The "near me" list is a page, not an export: eligibility is checked row by row.
OPEN_NEAR_ME_LIMIT = 50
QUEUE_PAGE_SIZE = 50


@dataclass(frozen=True)
class PageRoles:
    """Which parts of the site an actor uses; pages and the navigation read it."""

    coordinator: bool  # federal, or regional coordinator
    liaison: bool
    volunteer: bool
    requester: bool  # a veteran, or a relative who asks for one

    @property
    def queue(self) -> bool:
        return self.coordinator or self.liaison


def page_roles(*, actor: User | AnonymousUser | None) -> PageRoles:
    """The actor's roles as the pages see them (one read, cached on the user)."""
    scope = scope_of(actor)
    return PageRoles(
        coordinator=scope.federal or scope.has(Role.REGIONAL_COORDINATOR),
        liaison=scope.has(Role.INSTITUTION_LIAISON),
        volunteer=scope.has(Role.VOLUNTEER),
        requester=scope.has(Role.VETERAN) or scope.has(Role.RELATIVE),
    )


def volunteer_of(*, actor: User | AnonymousUser | None) -> Volunteer | None:
    """The actor's own volunteer profile, with its checks, when they hold the role."""
    scope = scope_of(actor)
    if scope.user_id is None or not scope.has(Role.VOLUNTEER):
        return None
    return (
        Volunteer.objects.filter(user_id=scope.user_id)
        .select_related("user", "region")
        .prefetch_related("checks")
        .first()
    )


# --- one request ---------------------------------------------------------------------------


def request_actions(*, actor: User, request: CareRequest) -> list[Action]:
    """What the actor may do with the request now: the table's actions from its status that
    the actor's capacities allow. The services check both again when the action is taken."""
    parties = parties_of(actor, request)
    return [a for a in actions_from(request.status) if parties & ACTION_PARTIES[a]]


def eligible_volunteers(*, actor: User, request: CareRequest) -> list[Volunteer]:
    """Volunteers of the request's region the actor may see and assign, who may take it now
    (nothing missing by `request_missing_steps`). The veteran's previous volunteer comes
    first when the request asks for them; they are marked with `is_previous`."""
    if Party.COORDINATOR not in parties_of(actor, request):
        return []
    today = timezone.localdate()
    # A cheap pre-filter: only members of an NGO with an agreement with the institution can
    # pass the full check, which then runs for each of them.
    agreed = (
        Agreement.objects.valid_on(today)
        .filter(institution_id=request.institution_id)
        .values("organisation_id")
    )
    candidates = (
        volunteer_list(actor=actor, region_id=request.region_id)
        .filter(
            memberships__status=MembershipStatus.APPROVED,
            memberships__organisation_id__in=agreed,
        )
        .distinct()
        .prefetch_related("checks")
    )
    eligible = [
        v for v in candidates if not request_missing_steps(volunteer=v, request=request, on=today)
    ]
    previous = (
        request_previous_volunteer_id(request=request) if request.wants_previous_volunteer else None
    )
    for volunteer in eligible:
        volunteer.is_previous = volunteer.pk == previous  # type: ignore[attr-defined]
    eligible.sort(key=lambda v: (v.pk != previous, v.user.get_full_name() or v.user.username))
    return eligible


# --- lists ---------------------------------------------------------------------------------


def queue_institutions(*, actor: User | AnonymousUser | None) -> QuerySet[Institution]:
    """Institutions whose requests the actor handles: their regions' or their own."""
    scope = scope_of(actor)
    qs = institution_list()
    if scope.federal:
        return qs
    q = Q(pk__in=[])
    if scope.has(Role.REGIONAL_COORDINATOR):
        q |= Q(region_id__in=scope.region_ids)
    if scope.has(Role.INSTITUTION_LIAISON):
        q |= Q(pk__in=scope.institution_ids)
    return qs.filter(q)


def queue_regions(*, actor: User | AnonymousUser | None) -> QuerySet[Region]:
    """Regions whose requests the actor handles: all for federal staff, else their own
    regions and those of their institutions."""
    scope = scope_of(actor)
    qs = Region.objects.order_by("code")
    if scope.federal:
        return qs
    return qs.filter(
        Q(pk__in=scope.region_ids) | Q(pk__in=queue_institutions(actor=actor).values("region_id"))
    )


def overdue_ids(*, actor: User, ids: Iterable[int]) -> set[int]:
    """Which of these requests are past their deadline (the selector's own definition)."""
    return set(
        request_list(actor=actor, filters=RequestFilters(overdue=True))
        .filter(pk__in=list(ids))
        .values_list("pk", flat=True)
    )


@dataclass(frozen=True)
class QueuePage:
    """One page of the queue, and which of its requests are overdue."""

    page: Page[CareRequest]
    overdue: set[int]


def queue_page(*, actor: User, filters: RequestFilters, number: str | None) -> QueuePage:
    """The page `number` (the first when it is not one) of the requests the actor may see."""
    page = Paginator(request_list(actor=actor, filters=filters), QUEUE_PAGE_SIZE).get_page(number)
    return QueuePage(page=page, overdue=overdue_ids(actor=actor, ids=[r.pk for r in page]))


def service_types() -> QuerySet[ServiceType]:
    """The services offered now, for the forms."""
    return ServiceType.objects.filter(is_active=True).order_by("category", "name_ru", "code")


def volunteer_open_requests(*, actor: User, volunteer: Volunteer) -> list[CareRequest]:
    """Requests waiting for a helper in the volunteer's region that they may take now."""
    today = timezone.localdate()
    candidates = request_list(actor=actor, filters=RequestFilters(status=Status.TRIAGED)).filter(
        region_id=volunteer.region_id
    )[:OPEN_NEAR_ME_LIMIT]
    return [
        r for r in candidates if not request_missing_steps(volunteer=volunteer, request=r, on=today)
    ]


def volunteer_schedule(*, actor: User, volunteer: Volunteer) -> QuerySet[CareRequest]:
    """The volunteer's own requests from assignment until the work is done, with visits."""
    return (
        request_list(actor=actor)
        .filter(volunteer=volunteer, status__in=SCHEDULE_STATES)
        .prefetch_related("visits")
    )


def my_requests(*, actor: User) -> list[CareRequest]:
    """Requests the actor asked for, or asked for them or for a veteran they act for.
    Each is marked `can_confirm` when the lifecycle lets the requester confirm it now."""
    rows = list(
        request_list(actor=actor)
        .filter(
            Q(requested_by=actor)
            | Q(veteran__user=actor)
            | Q(
                Exists(
                    Proxy.objects.filter(
                        veteran_id=OuterRef("veteran_id"), user=actor, may_act=True
                    )
                )
            )
        )
        .order_by("-created_at", "-pk")
    )
    for row in rows:
        # Every row here is on the actor's requester side, which the table lets confirm.
        row.can_confirm = allowed_from(Action.CONFIRM, row.status)  # type: ignore[attr-defined]
    return rows


# --- intake --------------------------------------------------------------------------------


def _with_current_stay(qs: QuerySet[Veteran]) -> QuerySet[Veteran]:
    current = Stay.objects.filter(discharged_on__isnull=True).select_related(
        "institution__region", "department"
    )
    return qs.filter(stays__discharged_on__isnull=True).prefetch_related(
        Prefetch("stays", queryset=current, to_attr="current_stays")
    )


def current_stay(veteran: Veteran) -> Stay | None:
    """The veteran's current stay, from the prefetch of the lists above."""
    stays: list[Stay] = getattr(veteran, "current_stays", None) or list(
        veteran.stays.filter(discharged_on__isnull=True).select_related(
            "institution__region", "department"
        )
    )
    return stays[0] if stays else None


def veterans_acting_for(*, actor: User) -> QuerySet[Veteran]:
    """Veterans in treatment now for whom the actor asks: themselves, or whom they act for."""
    own = Q(user=actor) | Q(
        Exists(Proxy.objects.filter(veteran=OuterRef("pk"), user=actor, may_act=True))
    )
    return _with_current_stay(veteran_list(actor=actor).filter(own)).order_by("addressed_as")


def intake_veterans(*, actor: User) -> QuerySet[Veteran]:
    """Veterans the actor may see who are in treatment now in an institution they handle."""
    return _with_current_stay(
        veteran_list(actor=actor).filter(
            Exists(
                Stay.objects.filter(
                    veteran=OuterRef("pk"),
                    discharged_on__isnull=True,
                    institution__in=queue_institutions(actor=actor),
                )
            )
        )
    ).order_by("addressed_as")


def intake_departments(*, actor: User) -> QuerySet[Department]:
    """Wards of the institutions the actor handles."""
    return (
        Department.objects.filter(institution__in=queue_institutions(actor=actor))
        .select_related("institution")
        .order_by("institution__name", "name")
    )


def ward_get(*, institution_id: int, department_id: int) -> Department:
    """A ward of an active institution (public directory data), or NotFoundError."""
    department = (
        Department.objects.filter(
            pk=department_id, institution_id=institution_id, institution__is_active=True
        )
        .select_related("institution__region")
        .first()
    )
    if department is None:
        raise NotFoundError("Not found.")
    return department


def may_use_ward_form(*, actor: User, institution: Institution) -> bool:
    """Ward staff of the institution, and coordinators of its region, ask for its ward."""
    scope = scope_of(actor)
    return (
        scope.federal
        or (scope.has(Role.INSTITUTION_LIAISON) and institution.pk in scope.institution_ids)
        or (scope.has(Role.REGIONAL_COORDINATOR) and institution.region_id in scope.region_ids)
    )


def ward_veterans(*, actor: User, department: Department) -> QuerySet[Veteran]:
    """Veterans the actor may see who lie in this ward now."""
    return (
        veteran_list(actor=actor)
        .filter(
            Exists(
                Stay.objects.filter(
                    veteran=OuterRef("pk"), discharged_on__isnull=True, department=department
                )
            )
        )
        .order_by("addressed_as")
    )


def complaints_to_answer(*, actor: User, request: CareRequest) -> list[Complaint]:
    """Unanswered complaints on this request, for a coordinator of it (else none)."""
    if Party.COORDINATOR not in parties_of(actor, request):
        return []
    return list(
        Complaint.objects.filter(request=request, answered_at__isnull=True)
        .select_related("feedback")
        .order_by("opened_at")
    )


def veteran_card(*, actor: User, request: CareRequest) -> VeteranCard | None:
    """What the actor is told of the request's veteran: all of "what matters" for a
    coordinator of the request; how to address, communication and mobility for the assigned
    volunteer while the visit is ahead or under way; nothing for anyone else. Reads audited."""
    veteran = request.veteran
    if veteran is None or veteran.anonymised_at is not None:
        return None
    if Party.COORDINATOR in parties_of(actor, request):
        return veteran_card_read(actor=actor, veteran=veteran, full=True)
    volunteer = volunteer_of(actor=actor)
    if (
        volunteer is not None
        and request.volunteer_id == volunteer.pk
        and request.status in SCHEDULE_STATES
    ):
        return veteran_card_read(actor=actor, veteran=veteran, full=False)
    return None
