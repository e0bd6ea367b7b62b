"""Reads of volunteers, narrowed to what the actor may see."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.core.errors import NotFoundError
from ryadom.organisations.models import Agreement
from ryadom.volunteers.models import Membership, MembershipStatus, Volunteer


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
        agreed = Agreement.objects.filter(
            institution_id__in=scope.institution_ids, valid_from__lte=today
        ).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
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
