"""Reads of openings and applications, narrowed to what the actor may see."""

from __future__ import annotations

import datetime

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.core.errors import NotFoundError
from ryadom.institutions.models import Institution
from ryadom.openings.models import (
    Application,
    ApplicationStatus,
    Opening,
    OpeningStatus,
    Recurrence,
)
from ryadom.organisations.models import Agreement, Organisation, valid_on_q
from ryadom.volunteers.models import Volunteer


def _current_q(today: datetime.date) -> Q:
    """Openings that still happen on or after today."""
    return Q(recurrence=Recurrence.ONCE, starts_on__gte=today) | Q(
        Q(ends_on__isnull=True) | Q(ends_on__gte=today), recurrence=Recurrence.WEEKLY
    )


def _managed_q(actor: User | AnonymousUser | None) -> Q:
    """Openings the actor manages: posted by their institution, or by their NGO."""
    scope = scope_of(actor)
    q = Q(pk__in=[])
    if scope.has(Role.INSTITUTION_LIAISON) and scope.institution_ids:
        q |= Q(institution_id__in=scope.institution_ids, organisation__isnull=True)
    if scope.has(Role.NGO_MANAGER) and scope.organisation_ids:
        q |= Q(organisation_id__in=scope.organisation_ids)
    return q


def _base() -> QuerySet[Opening]:
    return (
        Opening.objects.select_related(
            "region", "institution__region", "department", "organisation", "service_type"
        )
        .prefetch_related("required_skills")
        .annotate(
            accepted_count=Count(
                "applications", filter=Q(applications__status=ApplicationStatus.ACCEPTED)
            )
        )
    )


def opening_list(
    *,
    actor: User | AnonymousUser | None,
    region_id: int | None = None,
    institution_id: int | None = None,
    managed: bool = False,
) -> QuerySet[Opening]:
    """Open openings that still happen (a call for volunteers is public), soonest first;
    with `managed`, every opening the actor manages instead, closed and past ones too."""
    today = timezone.localdate()
    qs = _base()
    if managed:
        qs = qs.filter(_managed_q(actor))
    else:
        qs = qs.filter(_current_q(today), status=OpeningStatus.OPEN)
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    if institution_id is not None:
        qs = qs.filter(institution_id=institution_id)
    return qs.order_by("starts_on", "start_time", "pk")


def opening_get(*, actor: User | AnonymousUser | None, opening_id: int) -> Opening:
    """An open opening, one the actor manages, or one they applied to (closing an opening
    stops new applications; accepted volunteers still come); NotFoundError otherwise."""
    scope = scope_of(actor)
    applied = Q(pk__in=[])
    if scope.user_id is not None and scope.has(Role.VOLUNTEER):
        applied = Q(
            pk__in=Application.objects.filter(volunteer__user_id=scope.user_id).values("opening_id")
        )
    opening = (
        _base()
        .filter(Q(status=OpeningStatus.OPEN) | _managed_q(actor) | applied)
        .filter(pk=opening_id)
        .first()
    )
    if opening is None:
        raise NotFoundError("Not found.")
    return opening


def may_manage(*, actor: User | AnonymousUser | None, opening: Opening) -> bool:
    """The poster's side: a manager of the NGO that posted it, or, when the institution
    posted it, the institution's liaison."""
    scope = scope_of(actor)
    return (
        scope.has(Role.INSTITUTION_LIAISON)
        and opening.organisation_id is None
        and opening.institution_id in scope.institution_ids
    ) or (
        scope.has(Role.NGO_MANAGER)
        and opening.organisation_id is not None
        and opening.organisation_id in scope.organisation_ids
    )


def opening_get_to_manage(*, actor: User | AnonymousUser | None, opening_id: int) -> Opening:
    """An opening the actor manages, or NotFoundError (the same for missing and not yours)."""
    opening = _base().filter(_managed_q(actor)).filter(pk=opening_id).first()
    if opening is None:
        raise NotFoundError("Not found.")
    return opening


def applications_of(*, actor: User | AnonymousUser | None, opening: Opening) -> list[Application]:
    """The applications to an opening, for whoever manages it (else none)."""
    if not may_manage(actor=actor, opening=opening):
        return []
    return list(
        opening.applications.select_related("volunteer__user", "volunteer__region")
        .prefetch_related("volunteer__checks", "volunteer__skills")
        .order_by("applied_at", "pk")
    )


def application_get_to_decide(
    *, actor: User | AnonymousUser | None, application_id: int
) -> Application:
    """An application to an opening the actor manages, or NotFoundError."""
    application = (
        Application.objects.select_related("opening__institution__region", "volunteer__region")
        .filter(pk=application_id, opening__in=Opening.objects.filter(_managed_q(actor)))
        .first()
    )
    if application is None:
        raise NotFoundError("Not found.")
    return application


def own_volunteer(*, actor: User | AnonymousUser | None) -> Volunteer | None:
    """The actor's volunteer profile, with what eligibility and fit read."""
    scope = scope_of(actor)
    if scope.user_id is None or not scope.has(Role.VOLUNTEER):
        return None
    return (
        Volunteer.objects.filter(user_id=scope.user_id)
        .select_related("user", "region")
        .prefetch_related("checks", "skills", "interests", "availability")
        .first()
    )


def own_application_get(*, actor: User | AnonymousUser | None, application_id: int) -> Application:
    """One of the actor's own applications as a volunteer, with its opening, or NotFoundError."""
    volunteer = own_volunteer(actor=actor)
    application = (
        Application.objects.filter(pk=application_id, volunteer=volunteer)
        .select_related("opening")
        .first()
        if volunteer is not None
        else None
    )
    if application is None:
        raise NotFoundError("Not found.")
    return application


def my_applications(*, volunteer: Volunteer) -> QuerySet[Application]:
    """The volunteer's own applications, newest first."""
    return (
        Application.objects.filter(volunteer=volunteer)
        .select_related("opening__institution__region", "opening__department")
        .order_by("-applied_at", "-pk")
    )


def accepted_shifts(
    *, volunteer: Volunteer, first: datetime.date, last: datetime.date
) -> list[tuple[datetime.date, Opening]]:
    """The volunteer's shifts of accepted openings from `first` to `last`, in order."""
    accepted = Opening.objects.filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=first),
        starts_on__lte=last,
        applications__volunteer=volunteer,
        applications__status=ApplicationStatus.ACCEPTED,
    ).select_related("institution__region", "department")
    shifts = [(day, o) for o in accepted for day in o.days_between(first, last)]
    return sorted(shifts, key=lambda s: (s[0], s[1].start_time, s[1].pk))


def postable_institutions(*, actor: User | AnonymousUser | None) -> QuerySet[Institution]:
    """Institutions the actor may post openings for: their own (liaison), or those where
    one of their NGOs has a valid agreement (NGO manager)."""
    scope = scope_of(actor)
    q = Q(pk__in=[])
    if scope.has(Role.INSTITUTION_LIAISON):
        q |= Q(pk__in=scope.institution_ids)
    if scope.has(Role.NGO_MANAGER) and scope.organisation_ids:
        today = timezone.localdate()
        agreed = (
            Agreement.objects.valid_on(today)
            .filter(organisation_id__in=scope.organisation_ids)
            .values("institution_id")
        )
        q |= Q(pk__in=agreed)
    return (
        Institution.objects.filter(q, is_active=True)
        .select_related("region")
        .prefetch_related(Prefetch("departments"))
        .order_by("name")
    )


def posting_organisation(
    *, actor: User | AnonymousUser | None, institution: Institution
) -> Organisation | None:
    """The actor's NGO under which they post for this institution (None: as its liaison)."""
    scope = scope_of(actor)
    if scope.has(Role.INSTITUTION_LIAISON) and institution.pk in scope.institution_ids:
        return None
    today = timezone.localdate()
    return (
        Organisation.objects.filter(
            valid_on_q(today, via="agreements__"),
            pk__in=scope.organisation_ids,
            agreements__institution=institution,
        )
        .order_by("pk")
        .first()
    )


def shift_hours(*, volunteer: Volunteer, monday: datetime.date, sunday: datetime.date) -> float:
    """Hours of the volunteer's accepted opening shifts from `monday` to `sunday`; counted
    into care's weekly hour limit (subscribed to care's `other_planned_hours`)."""
    accepted = Application.objects.filter(
        Q(opening__ends_on__isnull=True) | Q(opening__ends_on__gte=monday),
        volunteer=volunteer,
        status=ApplicationStatus.ACCEPTED,
        opening__starts_on__lte=sunday,
    ).select_related("opening")
    return sum(
        (app.opening.hours * len(app.opening.days_between(monday, sunday)) for app in accepted),
        0.0,
    )
