"""Reads: a person's preference and region, and the failures a coordinator may see."""

from __future__ import annotations

import zoneinfo

from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.core.errors import NotFoundError
from ryadom.geo.models import Region
from ryadom.institutions.models import Institution
from ryadom.notifications.models import Message, MessageStatus, Preference
from ryadom.organisations.models import Organisation
from ryadom.veterans.models import Proxy, Veteran
from ryadom.volunteers.models import Volunteer

# Whose region is unknown (a federal coordinator, a person with no role yet) lives by Moscow
# time, as the country's institutions mostly do.
DEFAULT_ZONE = zoneinfo.ZoneInfo("Europe/Moscow")


def preference_of(*, user: User) -> Preference:
    """The person's saved preference, or the defaults (unsaved) if they never chose."""
    preference = Preference.objects.filter(user=user).first()
    return preference if preference is not None else Preference(user=user)


def _first_region_id(user: User) -> int | None:
    scope = scope_of(user)
    if scope.has(Role.REGIONAL_COORDINATOR) and scope.region_ids:
        return min(scope.region_ids)
    if scope.has(Role.INSTITUTION_LIAISON) and scope.institution_ids:
        return (
            Institution.objects.filter(pk__in=scope.institution_ids)
            .order_by("pk")
            .values_list("region_id", flat=True)
            .first()
        )
    if scope.has(Role.NGO_MANAGER) and scope.organisation_ids:
        return (
            Organisation.objects.filter(pk__in=scope.organisation_ids)
            .order_by("pk")
            .values_list("home_region_id", flat=True)
            .first()
        )
    for region_id in (
        Volunteer.objects.filter(user=user).values_list("region_id", flat=True).first(),
        Veteran.objects.filter(user=user).values_list("home_region_id", flat=True).first(),
        Proxy.objects.filter(user=user, may_act=True)
        .order_by("pk")
        .values_list("veteran__home_region_id", flat=True)
        .first(),
    ):
        if region_id is not None:
            return region_id
    return None


def recipient_region(*, user: User) -> Region | None:
    """The region a person belongs to, for their local time and for whose coordinators see
    their failed messages: a coordinator's region, a liaison's institution's, an NGO manager's
    home region, a volunteer's region, a veteran's home region, a relative's veteran's."""
    region_id = _first_region_id(user)
    return None if region_id is None else Region.objects.filter(pk=region_id).first()


def zone_of(region: Region | None) -> zoneinfo.ZoneInfo:
    return region.zone if region is not None else DEFAULT_ZONE


def is_coordinator(user: User) -> bool:
    scope = scope_of(user)
    return scope.has(Role.REGIONAL_COORDINATOR) or scope.has(Role.FEDERAL_COORDINATOR)


def _visible(actor: User | AnonymousUser | None) -> QuerySet[Message]:
    """Federal coordinators see every message; regional ones those of their regions' people."""
    scope = scope_of(actor)
    messages = Message.objects.select_related("recipient", "region")
    if scope.federal:
        return messages
    if scope.has(Role.REGIONAL_COORDINATOR):
        return messages.filter(region_id__in=scope.region_ids)
    return messages.none()


def message_list_failed(*, actor: User | AnonymousUser | None) -> QuerySet[Message]:
    """Messages that could not be delivered, newest first: someone must reach these people."""
    return _visible(actor).filter(status=MessageStatus.FAILED).order_by("-failed_at", "-pk")


def message_get_for_user(*, actor: User | AnonymousUser | None, message_id: int) -> Message:
    """One message the actor may see; the same NotFoundError for missing and not theirs."""
    message = _visible(actor).filter(pk=message_id).first()
    if message is None:
        raise NotFoundError("Not found.")
    return message
