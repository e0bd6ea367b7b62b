"""Reads of plans and contacts, scoped by who asks (accounts/scopes.py)."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.aftercare.models import DischargePlan, FollowUpContact, PlanStatus
from ryadom.catalogue.models import ServiceType
from ryadom.core.counts import count_subquery
from ryadom.core.errors import ApplicationError, NotFoundError
from ryadom.geo.models import Region, Settlement
from ryadom.organisations.models import Organisation
from ryadom.veterans.models import Proxy, ProxyStatus, Stay
from ryadom.veterans.reads import audited_read

Actor = User | AnonymousUser | None
# Who has a plan to write or a contact to make.
QUEUE_ROLES = frozenset(
    {
        Role.FEDERAL_COORDINATOR,
        Role.REGIONAL_COORDINATOR,
        Role.INSTITUTION_LIAISON,
        Role.NGO_MANAGER,
    }
)


def _plan_q(actor: Actor) -> Q | None:
    """Which plans the actor may read; None: all of them."""
    scope = scope_of(actor)
    if scope.federal:
        return None
    q = Q(pk__in=[])
    if scope.has(Role.REGIONAL_COORDINATOR):
        # The hospital's coordinators hold the plan; the home ones once it is handed over.
        q |= Q(hospital_region_id__in=scope.region_ids) | Q(
            home_region_id__in=scope.region_ids, status=PlanStatus.HANDED_OVER
        )
    if scope.has(Role.INSTITUTION_LIAISON):
        q |= Q(stay__institution_id__in=scope.institution_ids)
    if scope.has(Role.NGO_MANAGER):
        delegated = FollowUpContact.objects.filter(
            plan=OuterRef("pk"), organisation_id__in=scope.organisation_ids
        )
        q |= Q(Exists(delegated), status=PlanStatus.HANDED_OVER)
    if scope.user_id is not None and (scope.has(Role.VETERAN) or scope.has(Role.RELATIVE)):
        q |= _own_q(scope.user_id)
    return q


def _own_q(user_id: int) -> Q:
    """The veteran's own plans, and those of a veteran the user is an approved relative of."""
    return Q(veteran__user_id=user_id) | Q(
        Exists(
            Proxy.objects.filter(
                veteran_id=OuterRef("veteran_id"), user_id=user_id, status=ProxyStatus.APPROVED
            )
        )
    )


def plan_list(*, actor: Actor) -> QuerySet[DischargePlan]:
    """Plans the actor may read, newest first."""
    plans = DischargePlan.objects.select_related(
        "veteran", "home_region", "hospital_region", "owner", "stay__institution"
    ).order_by("-recorded_at", "-pk")
    q = _plan_q(actor)
    return plans if q is None else plans.filter(q)


def _plan_where(plan: DischargePlan) -> tuple[int | None, int | None]:
    return plan.home_region_id, plan.veteran_id


@audited_read("discharge_plan.viewed", _plan_where)
def plan_get_for_user(*, actor: Actor, plan_id: int) -> DischargePlan:
    """One plan, with its family contact; the same 404 for missing and not yours."""
    plan = plan_list(actor=actor).filter(pk=plan_id).first()
    if plan is None:
        raise NotFoundError("Not found.")
    return plan


def _contact_q(actor: Actor) -> Q | None:
    scope = scope_of(actor)
    if scope.federal:
        return None
    q = Q(plan__status=PlanStatus.HANDED_OVER) & (
        Q(owner_id=scope.user_id) | Q(plan__home_region_id__in=scope.region_ids)
        if scope.has(Role.REGIONAL_COORDINATOR)
        else Q(owner_id=scope.user_id)
    )
    if scope.has(Role.NGO_MANAGER):
        q |= Q(organisation_id__in=scope.organisation_ids, plan__status=PlanStatus.HANDED_OVER)
    return q


def contact_list(*, actor: Actor) -> QuerySet[FollowUpContact]:
    """Contacts the actor makes or oversees, soonest first."""
    contacts = FollowUpContact.objects.select_related(
        "plan__veteran", "plan__home_region", "plan__home_settlement", "owner", "organisation"
    ).order_by("due_on", "pk")
    q = _contact_q(actor)
    return contacts if q is None else contacts.filter(q)


def _contact_where(contact: FollowUpContact) -> tuple[int | None, int | None]:
    return contact.plan.home_region_id, contact.plan.veteran_id


@audited_read("followup_contact.viewed", _contact_where)
def contact_get_for_user(*, actor: Actor, contact_id: int) -> FollowUpContact:
    """One contact with the veteran's phone and family contact, for the person making it."""
    contact = contact_list(actor=actor).filter(pk=contact_id).first()
    if contact is None:
        raise NotFoundError("Not found.")
    return contact


def contacts_due(*, actor: Actor, on: datetime.date) -> QuerySet[FollowUpContact]:
    """Open contacts due by `on` that are the actor's own (or their NGO's) to make."""
    scope = scope_of(actor)
    mine = Q(owner_id=scope.user_id, organisation__isnull=True) | Q(
        organisation_id__in=scope.organisation_ids
    )
    return contact_list(actor=actor).filter(mine, outcome="", due_on__lte=on)


def discharges_without_plan(*, actor: Actor) -> QuerySet[Stay]:
    """Discharges (not transfers) in the actor's hospitals that have no plan yet."""
    scope = scope_of(actor)
    stays = (
        Stay.objects.filter(discharged_on__isnull=False, discharge_plan__isnull=True)
        .exclude(Exists(Stay.objects.filter(transferred_from=OuterRef("pk"))))
        .select_related("veteran", "institution")
        .order_by("-discharged_on", "-pk")
    )
    if scope.federal:
        return stays
    q = Q(pk__in=[])
    if scope.has(Role.REGIONAL_COORDINATOR):
        q |= Q(institution__region_id__in=scope.region_ids)
    if scope.has(Role.INSTITUTION_LIAISON):
        q |= Q(institution_id__in=scope.institution_ids)
    return stays.filter(q)


def discharge_get_for_plan(*, actor: Actor, stay_id: int) -> Stay:
    """A discharge the actor may write the plan of."""
    stay = discharges_without_plan(actor=actor).filter(pk=stay_id).first()
    if stay is None:
        raise NotFoundError("Not found.")
    return stay


def home_coordinators_of(*, actor: Actor) -> QuerySet[DischargePlan]:
    """For the veteran and their relatives: the plans handed over home, with the coordinator."""
    scope = scope_of(actor)
    if scope.user_id is None:
        return DischargePlan.objects.none()
    own = _own_q(scope.user_id)
    return (
        DischargePlan.objects.filter(own, status=PlanStatus.HANDED_OVER)
        .select_related("owner", "home_region", "veteran")
        .order_by("-handed_over_at")
    )


def queue_counts(*, actor: Actor, on: datetime.date) -> tuple[int, int]:
    """Discharges without a plan in the actor's hospitals, and their own contacts due by
    `on`: both in one query, none for people who hold no such role."""
    scope = scope_of(actor)
    if scope.user_id is None or not scope.roles & QUEUE_ROLES:
        return 0, 0
    counts = (
        User.objects.filter(pk=scope.user_id)
        .annotate(
            discharges=count_subquery(discharges_without_plan(actor=actor)),
            contacts=count_subquery(contacts_due(actor=actor, on=on)),
        )
        .values_list("discharges", "contacts")
        .first()
    )
    return (int(counts[0] or 0), int(counts[1] or 0)) if counts else (0, 0)


def home_place_get(
    *, region_id: int, settlement_id: int | None
) -> tuple[Region, Settlement | None]:
    """A home region and settlement named by id (public registries); 404 for unknown ids."""
    region = Region.objects.filter(pk=region_id).first()
    settlement = None
    if settlement_id is not None:
        settlement = Settlement.objects.filter(pk=settlement_id).first()
        if settlement is None:
            raise NotFoundError("Not found.")
    if region is None:
        raise NotFoundError("Not found.")
    return region, settlement


def service_type_get(*, code: str) -> ServiceType:
    """An active service type by its code; 422 for an unknown one."""
    found = ServiceType.objects.filter(code=code, is_active=True).first()
    if found is None:
        raise ApplicationError(_("This service is not offered."), field="service")
    return found


def organisation_get(*, organisation_id: int) -> Organisation:
    """An NGO named by id (a public directory); 422 on the field for an unknown one. Whether
    it may take the contact is the service's rule."""
    found = Organisation.objects.filter(pk=organisation_id).first()
    if found is None:
        raise ApplicationError(_("There is no such NGO."), field="organisation")
    return found
