"""Reads of veterans and their stays, narrowed to what the actor may see."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.core.errors import NotFoundError
from ryadom.veterans.models import Proxy, Stay, Veteran


def _current_stay_in(**filters: object) -> Exists:
    return Exists(
        Stay.objects.filter(veteran=OuterRef("pk"), discharged_on__isnull=True, **filters)
    )


def _visible_q(actor: User | AnonymousUser | None) -> Q | None:
    """The filter of veterans the actor may see; None means all of them.

    NGO managers, volunteers and agency observers see no veteran records: they learn what
    they need through requests, on a need-to-know basis.
    """
    scope = scope_of(actor)
    if scope.federal:
        return None
    q = Q(pk__in=[])
    if scope.region_ids and scope.has(Role.REGIONAL_COORDINATOR):
        q |= Q(home_region_id__in=scope.region_ids) | Q(
            _current_stay_in(institution__region_id__in=scope.region_ids)
        )
    if scope.institution_ids and scope.has(Role.INSTITUTION_LIAISON):
        q |= Q(_current_stay_in(institution_id__in=scope.institution_ids))
    if scope.has(Role.VETERAN) and scope.user_id is not None:
        q |= Q(user_id=scope.user_id)
    if scope.has(Role.RELATIVE) and scope.user_id is not None:
        q |= Q(
            Exists(
                Proxy.objects.filter(veteran=OuterRef("pk"), user_id=scope.user_id, may_act=True)
            )
        )
    return q


def veteran_list(*, actor: User | AnonymousUser | None) -> QuerySet[Veteran]:
    """Veterans the actor may see, newest first."""
    qs = Veteran.objects.select_related("home_region").order_by("-pk")
    visible = _visible_q(actor)
    return qs if visible is None else qs.filter(visible)


def veteran_get_for_user(*, actor: User | AnonymousUser | None, veteran_id: int) -> Veteran:
    """One veteran, or NotFoundError both when missing and when not the actor's to see."""
    veteran = (
        veteran_list(actor=actor)
        .prefetch_related("stays__institution", "stays__department")
        .filter(pk=veteran_id)
        .first()
    )
    if veteran is None:
        raise NotFoundError("Not found.")
    return veteran
