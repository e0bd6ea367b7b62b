"""Reads of volunteers, narrowed to what the actor may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Exists, OuterRef, Prefetch, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ryadom.accounts.models import Role, RoleAssignment, ScopeKind, User
from ryadom.accounts.scopes import scope_of
from ryadom.core.errors import NotFoundError
from ryadom.institutions.models import Institution
from ryadom.organisations.models import Agreement, Organisation
from ryadom.volunteers.eligibility import NGO_AGREEMENT, missing_steps, steps_to_start
from ryadom.volunteers.models import (
    Check,
    CheckKind,
    CheckStatus,
    Membership,
    MembershipStatus,
    Volunteer,
)


def _visible_q(actor: User | AnonymousUser | None) -> Q | None:
    """The filter of volunteers the actor may see; None means all of them."""
    scope = scope_of(actor)
    if scope.federal:
        return None
    q = Q(pk__in=[])
    if scope.region_ids and scope.has(Role.REGIONAL_COORDINATOR):
        q |= Q(region_id__in=scope.region_ids)
    if scope.organisation_ids and scope.has(Role.NGO_MANAGER):
        # Every applicant too: the manager is the one who approves them.
        q |= Q(
            Exists(
                Membership.objects.filter(
                    volunteer=OuterRef("pk"), organisation_id__in=scope.organisation_ids
                )
            )
        )
    if scope.institution_ids and scope.has(Role.INSTITUTION_LIAISON):
        # Members of the NGOs that have a valid agreement with the liaison's institution.
        today = timezone.localdate()
        agreed = Agreement.objects.valid_on(today).filter(institution_id__in=scope.institution_ids)
        q |= Q(
            Exists(
                Membership.objects.filter(
                    volunteer=OuterRef("pk"),
                    status=MembershipStatus.APPROVED,
                    organisation_id__in=agreed.values("organisation_id"),
                )
            )
        )
    if scope.has(Role.VOLUNTEER):
        q |= Q(user_id=scope.user_id)
    return q


def volunteer_list(
    *, actor: User | AnonymousUser | None, region_id: int | None = None
) -> QuerySet[Volunteer]:
    """Volunteers the actor may see, newest first."""
    qs = Volunteer.objects.select_related("user", "region", "settlement").order_by("-pk")
    visible = _visible_q(actor)
    if visible is not None:
        qs = qs.filter(visible)
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    return qs


def volunteer_get_for_user(*, actor: User | AnonymousUser | None, volunteer_id: int) -> Volunteer:
    """One volunteer, or NotFoundError both when missing and when not the actor's to see."""
    volunteer = (
        volunteer_list(actor=actor)
        .prefetch_related("skills", "interests", "availability", "memberships__organisation")
        .filter(pk=volunteer_id)
        .first()
    )
    if volunteer is None:
        raise NotFoundError("Not found.")
    return volunteer


def volunteer_of(*, actor: User | AnonymousUser | None) -> Volunteer | None:
    """The actor's own volunteer profile, if they have one."""
    if not isinstance(actor, User) or not actor.is_authenticated:
        return None
    return (
        Volunteer.objects.select_related("region", "settlement")
        .prefetch_related("skills", "interests", "availability")
        .filter(user=actor)
        .first()
    )


def organisations_to_join(
    *, volunteer: Volunteer, institution_id: int | None = None
) -> list[Organisation]:
    """NGOs working in the volunteer's region (and, when given, those with an agreement with
    that institution, wherever it is), with the institutions they have agreements with;
    each carries `membership` (the volunteer's, or None)."""
    today = timezone.localdate()
    agreements = (
        Agreement.objects.valid_on(today)
        .filter(institution__is_active=True)
        .select_related("institution")
        .order_by("institution__name")
    )
    where = Q(regions=volunteer.region_id)
    if institution_id is not None:
        where |= Q(pk__in=agreements.filter(institution_id=institution_id).values("organisation"))
    organisations = list(
        Organisation.objects.filter(where, is_active=True)
        .distinct()
        .prefetch_related("service_types", Prefetch("agreements", queryset=agreements))
        .order_by("name", "pk")
    )
    mine = {m.organisation_id: m for m in volunteer.memberships.all()}
    for organisation in organisations:
        organisation.membership = mine.get(organisation.pk)  # type: ignore[attr-defined]
    return organisations


def membership_list_for_manager(*, actor: User | AnonymousUser | None) -> QuerySet[Membership]:
    """Memberships of the NGOs the actor manages: pending first, then members by name."""
    scope = scope_of(actor)
    if not scope.has(Role.NGO_MANAGER) or not scope.organisation_ids:
        return Membership.objects.none()
    return (
        Membership.objects.filter(organisation_id__in=scope.organisation_ids)
        .exclude(status=MembershipStatus.LEFT)
        .select_related("volunteer__user", "volunteer__region", "organisation")
        .prefetch_related(
            Prefetch("volunteer__checks", queryset=Check.objects.select_related("verified_by"))
        )
        .annotate(
            pending_first=Case(
                When(status=MembershipStatus.PENDING, then=Value(0)), default=Value(1)
            )
        )
        .order_by(
            "pending_first", "volunteer__user__last_name", "volunteer__user__first_name", "pk"
        )
    )


def membership_get_for_manager(
    *, actor: User | AnonymousUser | None, membership_id: int
) -> Membership:
    """One membership of an NGO the actor manages; NotFoundError otherwise."""
    membership = membership_list_for_manager(actor=actor).filter(pk=membership_id).first()
    if membership is None:
        raise NotFoundError("Not found.")
    return membership


def volunteers_at_institutions(*, actor: User | AnonymousUser | None) -> QuerySet[Volunteer]:
    """For a liaison: volunteers of the NGOs with a valid agreement with their institutions."""
    scope = scope_of(actor)
    if not scope.has(Role.INSTITUTION_LIAISON) or not scope.institution_ids:
        return Volunteer.objects.none()
    today = timezone.localdate()
    agreed = (
        Agreement.objects.valid_on(today)
        .filter(institution_id__in=scope.institution_ids)
        .values("organisation_id")
    )
    return (
        Volunteer.objects.filter(
            Exists(
                Membership.objects.filter(
                    volunteer=OuterRef("pk"),
                    status=MembershipStatus.APPROVED,
                    organisation_id__in=agreed,
                )
            )
        )
        .select_related("user", "region")
        .prefetch_related(
            Prefetch("checks", queryset=Check.objects.select_related("verified_by")),
            Prefetch(
                "memberships",
                queryset=Membership.objects.filter(status=MembershipStatus.APPROVED)
                .filter(organisation_id__in=agreed)
                .select_related("organisation"),
                to_attr="agreed_memberships",
            ),
        )
        .order_by("user__last_name", "user__first_name", "pk")
    )


def volunteer_at_institutions_get(
    *, actor: User | AnonymousUser | None, volunteer_id: int
) -> Volunteer:
    """One volunteer of the liaison's list; NotFoundError otherwise."""
    volunteer = volunteers_at_institutions(actor=actor).filter(pk=volunteer_id).first()
    if volunteer is None:
        raise NotFoundError("Not found.")
    return volunteer


@dataclass(frozen=True)
class ChecklistItem:
    code: str
    help: str | Promise  # what the step means for a newcomer
    done: bool
    problem: str | Promise  # why it is not done yet (expired, in progress…); empty if done
    check: Check | None
    contacts: list[Contact]


@dataclass(frozen=True)
class Contact:
    name: str
    phone: str
    email: str
    url: str


@dataclass(frozen=True)
class Checklist:
    institution: Institution
    volunteer: Volunteer
    on: datetime.date
    items: list[ChecklistItem]

    @property
    def ready(self) -> bool:
        return all(item.done for item in self.items)


def _org_contact(organisation: Organisation) -> Contact:
    return Contact(organisation.name, organisation.phone, organisation.email, organisation.website)


def checklist_for(*, volunteer: Volunteer, institution: Institution) -> Checklist:
    """Every step to work in the institution, in order: done or not, and whom to ask."""
    today = timezone.localdate()
    missing = {
        m.code: m for m in missing_steps(volunteer=volunteer, institution=institution, on=today)
    }
    checks = {c.kind: c for c in volunteer.checks.all()}
    agreements = list(institution.agreements.all())
    agreed_ids = {a.organisation_id for a in agreements}
    my_ngos = [
        m.organisation
        for m in volunteer.memberships.all()
        if m.status == MembershipStatus.APPROVED and m.organisation_id in agreed_ids
    ]
    ngo_contacts = [_org_contact(o) for o in my_ngos] or [
        _org_contact(a.organisation) for a in agreements
    ]
    site = Contact(
        institution.contact_name or institution.name,
        institution.contact_phone,
        institution.contact_email,
        "",
    )
    items = []
    for step in steps_to_start(institution.access_level):
        problem = missing[step.code].message if step.code in missing else ""
        if step.code == NGO_AGREEMENT:
            contacts = [_org_contact(a.organisation) for a in agreements]
        elif step.code == CheckKind.TRAINING:
            contacts = [*ngo_contacts, site]
        else:
            contacts = ngo_contacts
        check = checks.get(step.code)
        if check is not None and step.code in missing and check.status != CheckStatus.PASSED:
            problem = _("%(check)s: %(status)s.") % {
                "check": CheckKind(check.kind).label,
                "status": check.get_status_display(),
            }
        items.append(
            ChecklistItem(
                step.code, step.message, step.code not in missing, problem, check, contacts
            )
        )
    return Checklist(institution, volunteer, today, items)


def manages_any(*, actor: User | AnonymousUser | None) -> bool:
    """Whether the actor manages at least one NGO."""
    scope = scope_of(actor)
    return scope.has(Role.NGO_MANAGER) and bool(scope.organisation_ids)


def institutions_of_liaison(*, actor: User | AnonymousUser | None) -> list[Institution]:
    """The institutions the actor is a liaison of."""
    scope = scope_of(actor)
    if not scope.has(Role.INSTITUTION_LIAISON):
        return []
    return list(Institution.objects.filter(pk__in=scope.institution_ids).order_by("name", "pk"))


def institutions_of_my_ngos(*, volunteer: Volunteer) -> list[Institution]:
    """Institutions where one of the volunteer's NGOs (approved or asked) has a valid
    agreement: the places to check readiness for."""
    today = timezone.localdate()
    organisation_ids = volunteer.memberships.filter(
        status__in=[MembershipStatus.APPROVED, MembershipStatus.PENDING]
    ).values("organisation_id")
    return list(
        Institution.objects.filter(
            Exists(
                Agreement.objects.valid_on(today).filter(
                    institution=OuterRef("pk"), organisation_id__in=organisation_ids
                )
            ),
            is_active=True,
        )
        .select_related("region")
        .order_by("name", "pk")
    )


def ngo_managers_of(volunteer: Volunteer) -> list[User]:
    """The active managers of the NGOs the volunteer is an approved member of."""
    organisation_ids = volunteer.memberships.filter(status=MembershipStatus.APPROVED).values(
        "organisation_id"
    )
    manager_ids = RoleAssignment.objects.filter(
        role=Role.NGO_MANAGER, scope_kind=ScopeKind.ORGANISATION, scope_id__in=organisation_ids
    ).values("user_id")
    return list(User.objects.filter(pk__in=manager_ids, is_active=True).order_by("pk"))
