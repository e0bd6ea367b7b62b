"""Asking for help, from any channel: who may ask, what a request must say, consent, and the
idempotency key that makes a second send return the first request; and a request taken by
phone for a veteran not in Ryadom yet."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.services import audit_record
from ryadom.care import deadlines, events
from ryadom.care.models import MAX_DETAILS_LENGTH, CareRequest, Status
from ryadom.care.services.transitions import HORIZON, aware, owner_for
from ryadom.care.timeline import ASKED_VIA, coded, event_record
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.institutions.models import Department, Institution
from ryadom.veterans.models import Consent, ConsentPurpose, Proxy, Stay, Veteran
from ryadom.veterans.services import admission_register

Window = tuple[datetime.datetime, datetime.datetime]


@dataclasses.dataclass(frozen=True)
class Ask:
    """What one request asks, whatever the channel it came by."""

    service_type: ServiceType
    institution: Institution
    channel: str
    department: Department | None
    veteran: Veteran | None
    details: str
    urgency: str
    window: Window | None
    requester_name: str
    wants_previous_volunteer: bool

    def body_hash(self) -> str:
        """The fingerprint an idempotency key is bound to."""
        fields = {
            "service": self.service_type.code,
            "institution": self.institution.pk,
            "department": self.department.pk if self.department else None,
            "veteran": self.veteran.pk if self.veteran else None,
            "details": self.details,
            "urgency": self.urgency,
            "window": [w.isoformat() for w in self.window] if self.window else None,
            "channel": self.channel,
            "requester_name": self.requester_name,
            "wants_previous_volunteer": self.wants_previous_volunteer,
        }
        raw = json.dumps(fields, sort_keys=True, default=str).encode()
        return hashlib.sha256(raw).hexdigest()


@transaction.atomic
def request_create(
    *,
    actor: User,
    service_type: ServiceType,
    institution: Institution,
    channel: str,
    department: Department | None = None,
    veteran: Veteran | None = None,
    details: str = "",
    urgency: str = "normal",
    window: Window | None = None,
    requester_name: str = "",
    wants_previous_volunteer: bool = False,
    idempotency_key: str = "",
) -> CareRequest:
    """Accept a request from any channel; the same idempotency key returns the same request."""
    if window is not None:
        window = (aware(window[0], institution), aware(window[1], institution))
    ask = Ask(
        service_type=service_type,
        institution=institution,
        channel=channel,
        department=department,
        veteran=veteran,
        details=details,
        urgency=urgency,
        window=window,
        requester_name=requester_name,
        wants_previous_volunteer=wants_previous_volunteer,
    )
    body_hash = ask.body_hash()
    if idempotency_key and (earlier := _replay(actor, idempotency_key, body_hash)):
        return earlier
    _ask_check(actor=actor, ask=ask)
    request, created = _request_insert(
        actor=actor, ask=ask, idempotency_key=idempotency_key, body_hash=body_hash
    )
    if created:
        _request_announce(actor=actor, request=request)
    return request


def _replay(actor: User, key: str, body_hash: str) -> CareRequest | None:
    """The request made earlier with this Idempotency-Key, if the body is the same."""
    earlier = CareRequest.objects.filter(requested_by=actor, idempotency_key=key).first()
    if earlier is not None and earlier.idempotency_hash != body_hash:
        raise ConflictError(_("This Idempotency-Key was used with a different request body."))
    return earlier


def _ask_check(*, actor: User, ask: Ask) -> None:
    """Refuse what may not be asked: a service not offered, someone who may not ask here,
    a request that does not hold together, or a veteran without consent."""
    if not ask.service_type.is_active:
        raise ApplicationError(_("This service is not offered."), field="service")
    if not _may_ask(actor, ask.institution, ask.veteran):
        raise PermissionDeniedError(
            _("You may ask for help for yourself, for a veteran you act for, or for your ward.")
        )
    _place_check(ask)
    if len(ask.details) > MAX_DETAILS_LENGTH:
        raise ApplicationError(
            ngettext(
                "Please keep the details under %(n)d character.",
                "Please keep the details under %(n)d characters.",
                MAX_DETAILS_LENGTH,
            )
            % {"n": MAX_DETAILS_LENGTH},
            field="details",
        )
    if ask.window is not None:
        _window_check(ask.window)
    _veteran_here_check(ask)
    if ask.veteran is not None:
        _consent_check(actor=actor, veteran=ask.veteran)


def _may_ask(actor: User, institution: Institution, veteran: Veteran | None) -> bool:
    """The veteran, a relative of theirs, the institution's liaison, or its coordinators."""
    scope = scope_of(actor)
    if scope.federal or (
        scope.has(Role.REGIONAL_COORDINATOR) and institution.region_id in scope.region_ids
    ):
        return True
    if scope.has(Role.INSTITUTION_LIAISON) and institution.pk in scope.institution_ids:
        return True
    if veteran is None:
        return False
    return veteran.user_id == actor.pk or Proxy.objects.filter(veteran=veteran, user=actor).exists()


def _place_check(ask: Ask) -> None:
    if ask.department is not None and ask.department.institution_id != ask.institution.pk:
        raise ApplicationError(_("This ward belongs to another institution."), field="department")


def _window_check(window: Window) -> None:
    starts, ends = window
    if ends <= starts:
        raise ApplicationError(_("The time window ends before it starts."), field="window_ends")
    now = timezone.now()
    if ends <= now:
        raise ApplicationError(_("The time window is in the past."), field="window_ends")
    if ends > now + HORIZON:
        raise ApplicationError(
            _("The time window must end within a year from now."), field="window_ends"
        )
    if starts < now - HORIZON:
        raise ApplicationError(
            _("The time window cannot start more than a year ago."), field="window_starts"
        )


def _veteran_here_check(ask: Ask) -> None:
    if ask.veteran is None:
        return
    here = Stay.objects.filter(
        veteran=ask.veteran, institution=ask.institution, discharged_on__isnull=True
    )
    if not here.exists():
        raise ApplicationError(
            _("The veteran is not in this institution now."), field="institution"
        )


def _consent_check(*, actor: User, veteran: Veteran) -> None:
    """A relative acts only with the veteran's recorded consent; anyone needs consent to care."""
    active = Consent.objects.filter(veteran=veteran, withdrawn_at__isnull=True)
    if not active.filter(purpose=ConsentPurpose.CARE).exists():
        raise ApplicationError(
            _(
                "There is no valid consent of this veteran to arranging help, so a new request "
                "cannot be accepted. Ask the veteran or a relative to give consent."
            ),
            field="veteran",
        )
    is_proxy = Proxy.objects.filter(veteran=veteran, user=actor).exists()
    if is_proxy:
        may_act = Proxy.objects.filter(veteran=veteran, user=actor, may_act=True).exists()
        if not may_act or not active.filter(purpose=ConsentPurpose.PROXY).exists():
            raise ApplicationError(
                _(
                    "A relative may ask on the veteran's behalf only with the veteran's recorded "
                    "consent."
                ),
                field="veteran",
            )


def _request_insert(
    *, actor: User, ask: Ask, idempotency_key: str, body_hash: str
) -> tuple[CareRequest, bool]:
    """The new request, owned by the region's coordinator, with its deadline; or the earlier
    one when a concurrent retry with the same key inserted it first (then False)."""
    now = timezone.now()
    window = ask.window
    try:
        # A savepoint: a concurrent retry with the same key may insert first.
        with transaction.atomic():
            request = CareRequest.objects.create(
                region_id=ask.institution.region_id,
                institution=ask.institution,
                department=ask.department,
                veteran=ask.veteran,
                service_type=ask.service_type,
                details=ask.details.strip(),
                urgency=ask.urgency,
                window_starts=window[0] if window else None,
                window_ends=window[1] if window else None,
                channel=ask.channel,
                requested_by=actor,
                requester_name=ask.requester_name.strip(),
                wants_previous_volunteer=ask.wants_previous_volunteer,
                coordinator=_owner(ask),
                deadline=deadlines.deadline_for(
                    service_type=ask.service_type, urgency=ask.urgency, start=now
                ),
                idempotency_key=idempotency_key,
                idempotency_hash=body_hash if idempotency_key else "",
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        if idempotency_key and (earlier := _replay(actor, idempotency_key, body_hash)):
            return earlier, False
        raise
    return request, True


def _owner(ask: Ask) -> User | None:
    """Whom a higher app names for this service here (a payment question goes to the region's
    named person), else the region's coordinator."""
    region_id = ask.institution.region_id
    named = events.request_owner.publish(service_type=ask.service_type, region_id=region_id)
    return next((user for user in named if user is not None), None) or owner_for(region_id)


def _request_announce(*, actor: User, request: CareRequest) -> None:
    """The timeline's first step, the audit row, the deadline's watch, and the events."""
    event_record(
        request=request,
        actor=actor,
        action="create",
        from_status="",
        to_status=Status.NEW,
        at=request.created_at,
        note=coded(ASKED_VIA, channel=str(request.channel)),
    )
    audit_record(
        actor=actor,
        action="care_request.created",
        target=request,
        region_id=request.region_id,
        changes={"channel": request.channel},
    )
    deadlines.watch(request)
    events.request_received.publish(request=request)
    events.request_changed.publish(request_id=request.pk)


@dataclasses.dataclass(frozen=True)
class Newcomer:
    """A veteran not in Ryadom yet, as a coordinator takes them down on the phone."""

    addressed_as: str
    gender: str
    witness: str  # who heard the veteran agree aloud, with the coordinator
    admitted_on: datetime.date
    phone: str = ""
    different_person: bool = False


@transaction.atomic
def phone_request_create(*, actor: User, newcomer: Newcomer | None, **fields: Any) -> CareRequest:
    """A request taken by phone (`request_create`'s `fields`). For a veteran not in Ryadom
    yet, the coordinator first admits them where the request is for, through the ward's own
    admission (the same person twice is caught the same way), with the consent they gave
    aloud before a witness. Sent twice with the same key, it admits and creates once."""
    if newcomer is None:
        return request_create(actor=actor, **fields)
    key = fields.get("idempotency_key", "")
    if key:
        # One phone entry of this coordinator at a time, so a double send finds the first.
        User.objects.select_for_update().filter(pk=actor.pk).first()
        earlier = CareRequest.objects.filter(requested_by=actor, idempotency_key=key).first()
        if earlier is not None:  # the same body again returns it; another one is refused
            return request_create(actor=actor, **{**fields, "veteran": earlier.veteran})
    admission = admission_register(
        actor=actor,
        institution=fields["institution"],
        department=fields.get("department"),
        consent="spoken",
        **dataclasses.asdict(newcomer),
    )
    return request_create(actor=actor, **{**fields, "veteran": admission.veteran})
