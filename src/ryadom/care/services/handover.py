"""Requests that pass home with a discharged veteran: the hand-over of an open request to the
home region's coordinator, and a request asked for a veteran at home (no current stay)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.services import audit_record
from ryadom.care import deadlines, events
from ryadom.care.lifecycle import NEEDS_ACTION_STATES
from ryadom.care.models import MAX_DETAILS_LENGTH, CareRequest, Channel, Status
from ryadom.care.services.intake import consent_check, request_created_record
from ryadom.care.timeline import coded, event_record
from ryadom.catalogue.models import Category, ServiceType
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.geo.models import Region
from ryadom.institutions.models import Institution
from ryadom.veterans.models import Proxy, Stay, Veteran

# What still makes sense at home: the catalogue's "after discharge" services. Waiting ones
# of this category are kept at discharge (care/veteran_events.py) for the plan to take home.
HOME_CATEGORIES = frozenset({Category.AFTER_DISCHARGE})


def _may_hand_over(actor: User | None, request: CareRequest) -> bool:
    """The hospital side: its liaisons, the coordinators of the request's region, federal."""
    if actor is None:
        return True  # the system (the demo)
    scope = scope_of(actor)
    return (
        scope.federal
        or (scope.has(Role.REGIONAL_COORDINATOR) and request.region_id in scope.region_ids)
        or (scope.has(Role.INSTITUTION_LIAISON) and request.institution_id in scope.institution_ids)
    )


@transaction.atomic
def request_hand_over(
    *,
    actor: User | None,
    request: CareRequest,
    region: Region,
    coordinator: User,
    deadline: datetime.datetime,
) -> CareRequest:
    """Pass an open request to the home region: its coordinator owns it, with a new deadline
    watched like any other. Compare-and-set on the region and status read, so a request that
    moved meanwhile is not moved twice."""
    if not _may_hand_over(actor, request):
        raise PermissionDeniedError(_("You may not do this with this request."))
    if request.status not in NEEDS_ACTION_STATES:
        raise ConflictError(
            _("This cannot be done now: the request is “%(status)s”.")
            % {"status": Status(request.status).label}
        )
    now = timezone.now()
    changed = CareRequest.objects.filter(
        pk=request.pk, region_id=request.region_id, status=request.status
    ).update(
        region=region,
        coordinator=coordinator,
        deadline=deadline,
        escalation_level=0,
        updated_at=now,
    )
    if changed != 1:
        raise ConflictError(
            _("Someone else changed this request a moment ago. Reload and try again.")
        )
    from_region = request.region_id
    request.refresh_from_db()
    event_record(
        request=request,
        actor=actor,
        action="hand_over",
        from_status=request.status,
        to_status=request.status,
        note=coded("handed_over_home", region={"ru": region.name_ru, "en": region.name_en}),
        at=now,
    )
    audit_record(
        actor=actor,
        action="care_request.handed_over",
        target=request,
        region_id=region.pk,
        changes={"region": [from_region, region.pk], "coordinator": [None, coordinator.pk]},
    )
    deadlines.watch(request)
    events.request_changed.publish(request_id=request.pk)
    return request


def _may_ask_at_home(actor: User, region: Region, veteran: Veteran) -> bool:
    """The veteran, a relative who may act for them, coordinators of the home region (federal
    ones too) and managers of NGOs working there."""
    if veteran.user_id == actor.pk or (
        Proxy.objects.filter(veteran=veteran, user=actor, may_act=True).exists()
    ):
        return True
    scope = scope_of(actor)
    if scope.federal or (scope.has(Role.REGIONAL_COORDINATOR) and region.pk in scope.region_ids):
        return True
    return scope.has(Role.NGO_MANAGER) and bool(
        region.organisations.filter(pk__in=scope.organisation_ids).exists()
    )


@transaction.atomic
def home_request_create(
    *,
    actor: User,
    veteran: Veteran,
    service_type: ServiceType,
    region: Region,
    coordinator: User | None,
    details: str = "",
    urgency: str = "normal",
    channel: str = Channel.PHONE,
) -> CareRequest:
    """A request for a veteran at home after discharge, owned by their home coordinator. It
    names the hospital the veteran left (every request names an institution)."""
    if not _may_ask_at_home(actor, region, veteran):
        raise PermissionDeniedError(
            _(
                "Only the veteran, a relative acting for them, the home region's coordinators "
                "or an NGO working there may ask for this."
            )
        )
    if not service_type.is_active:
        raise ApplicationError(_("This service is not offered."), field="service")
    if len(details) > MAX_DETAILS_LENGTH:
        raise ApplicationError(_("The details are too long."), field="details")
    left = (
        Stay.objects.filter(veteran=veteran, discharged_on__isnull=False)
        .select_related("institution")
        .order_by("-discharged_on", "-pk")
        .first()
    )
    if left is None or Stay.objects.filter(veteran=veteran, discharged_on__isnull=True).exists():
        raise ApplicationError(_("The veteran is not discharged."), field="veteran")
    consent_check(actor=actor, veteran=veteran)
    institution: Institution = left.institution
    now = timezone.now()
    request = CareRequest.objects.create(
        region=region,
        institution=institution,
        veteran=veteran,
        service_type=service_type,
        details=details.strip(),
        urgency=urgency,
        channel=channel,
        requested_by=actor,
        coordinator=coordinator,
        deadline=deadlines.deadline_for(service_type=service_type, urgency=urgency, start=now),
        to_announce=True,
        created_at=now,
        updated_at=now,
    )
    request_created_record(actor=actor, request=request)
    return request
