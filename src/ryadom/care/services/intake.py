"""Asking for help, from any channel: who may ask, what a request must say, consent, and the
idempotency key that makes a second send return the first request; and a request taken by
phone for a veteran not in Ryadom yet."""

from __future__ import annotations

import dataclasses
import datetime
import functools
import hashlib
import json
import logging
from typing import Any, cast

from django.db import IntegrityError, transaction
from django.db.models import Exists, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.services import audit_record
from ryadom.care import deadlines, events
from ryadom.care.models import MAX_DETAILS_LENGTH, CareRequest, Event, Status
from ryadom.care.selectors import TIMELINE_PREFETCH, timeline_known
from ryadom.care.services.transitions import HORIZON, aware, owner_id_of
from ryadom.care.timeline import ASKED_VIA, coded, event_record
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.institutions.models import Department, Institution
from ryadom.veterans.models import Consent, ConsentPurpose, Proxy, Stay, Veteran
from ryadom.veterans.services import admission_register

Window = tuple[datetime.datetime, datetime.datetime]
logger = logging.getLogger(__name__)


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
    """Accept a request from any channel; the same idempotency key returns the same request.

    The answer needs only the request and its first step; the rest (the requester's message,
    rollups, the deadline's watch) is announced by a task once it is committed
    (`request_announce`). The request comes with its timeline and visits as read."""
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
    facts = _facts(actor=actor, ask=ask, key=idempotency_key)
    if facts.get("earlier_id"):
        if facts["earlier_hash"] != body_hash:
            raise ConflictError(_("This Idempotency-Key was used with a different request body."))
        return _as_read(facts["earlier_id"])
    _ask_check(actor=actor, ask=ask, facts=facts)
    try:
        return _request_write(
            actor=actor,
            ask=ask,
            key=idempotency_key,
            body_hash=body_hash,
            owner_id=_owner_id(ask, facts["owner_id"]),
        )
    except IntegrityError:
        # A concurrent retry with the same key inserted after our read: our insert waited
        # for it and failed, the writes are rolled back, and its request is the answer.
        if idempotency_key and (earlier := _replay(actor, idempotency_key, body_hash)):
            return earlier
        raise


def _owner_id(ask: Ask, region_owner_id: int | None) -> int | None:
    """Whom a higher app names for this service here (a payment question goes to the region's
    named person), else the region's coordinator."""
    named = events.request_owner.publish(
        service_type=ask.service_type, region_id=ask.institution.region_id
    )
    return next((user.pk for user in named if user is not None), region_owner_id)


def _request_write(
    *, actor: User, ask: Ask, key: str, body_hash: str, owner_id: int | None
) -> CareRequest:
    """The new request with its first step and audit row, one transaction; announced once
    committed."""
    # Inside a caller's transaction (a phone entry's) this is a savepoint, which a conflict
    # with a concurrent retry's insert rolls back to.
    with transaction.atomic():
        request = _request_insert(
            actor=actor, ask=ask, idempotency_key=key, body_hash=body_hash, owner_id=owner_id
        )
        event = request_created_record(actor=actor, request=request)
    return timeline_known(request, events=[event], visits=[])


def request_created_record(*, actor: User, request: CareRequest) -> Event:
    """A new request's first timeline step and audit row; its announcement is enqueued once
    the transaction commits (the request must be inserted with `to_announce`)."""
    event = event_record(
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
    transaction.on_commit(functools.partial(_announce_enqueue, request.pk))
    return event


def _facts(*, actor: User, ask: Ask, key: str) -> dict[str, Any]:
    """What the checks and the insert need, in one read: the owner of the region's new
    requests, the request made earlier with this key, and, for a veteran, the actor's tie to
    them, their stay here and the consents in force."""
    reads: dict[str, Any] = {"owner_id": owner_id_of(ask.institution.region_id)}
    if key:
        earlier = CareRequest.objects.filter(requested_by=actor, idempotency_key=key)
        reads["earlier_id"] = Subquery(earlier.values("pk")[:1])
        reads["earlier_hash"] = Subquery(earlier.values("idempotency_hash")[:1])
    if ask.veteran is not None:
        stays = Stay.objects.filter(
            veteran=ask.veteran, institution=ask.institution, discharged_on__isnull=True
        )
        reads |= {"stays_here": Exists(stays), **_consent_reads(actor, ask.veteran)}
    # values(**reads): the stubs cannot see the names of expressions passed as a mapping.
    row = Institution.objects.filter(pk=ask.institution.pk).values(**reads).get()
    return cast(dict[str, Any], row)


def _consent_reads(actor: User, veteran: Veteran) -> dict[str, Exists]:
    """The actor's tie to the veteran and the consents in force, as `_consent_check` reads
    them."""
    proxy = Proxy.objects.filter(veteran=veteran, user=actor)
    consents = Consent.objects.filter(veteran=veteran, withdrawn_at__isnull=True)
    return {
        "is_proxy": Exists(proxy),
        "proxy_may_act": Exists(proxy.filter(may_act=True)),
        "care_consent": Exists(consents.filter(purpose=ConsentPurpose.CARE)),
        "proxy_consent": Exists(consents.filter(purpose=ConsentPurpose.PROXY)),
    }


def consent_check(*, actor: User, veteran: Veteran) -> None:
    """`_consent_check` for a request made outside intake (at home, after discharge)."""
    reads = _consent_reads(actor, veteran)
    _consent_check(
        cast(dict[str, Any], Veteran.objects.filter(pk=veteran.pk).values(**reads).get())
    )


def _replay(actor: User, key: str, body_hash: str) -> CareRequest | None:
    """The request made earlier with this Idempotency-Key, if the body is the same."""
    earlier = CareRequest.objects.filter(requested_by=actor, idempotency_key=key).first()
    if earlier is not None and earlier.idempotency_hash != body_hash:
        raise ConflictError(_("This Idempotency-Key was used with a different request body."))
    return _as_read(earlier.pk) if earlier is not None else None


def _as_read(request_id: int) -> CareRequest:
    """An earlier request with its timeline and visits, as a new one comes back."""
    related = ("region", "institution", "department", "veteran", "service_type")
    return (
        CareRequest.objects.select_related(*related)
        .prefetch_related(*TIMELINE_PREFETCH)
        .get(pk=request_id)
    )


def _ask_check(*, actor: User, ask: Ask, facts: dict[str, Any]) -> None:
    """Refuse what may not be asked: a service not offered, someone who may not ask here,
    a request that does not hold together, or a veteran without consent."""
    if not ask.service_type.is_active:
        raise ApplicationError(_("This service is not offered."), field="service")
    if not _may_ask(actor, ask, facts):
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
    if ask.veteran is not None:
        if not facts["stays_here"]:
            raise ApplicationError(
                _("The veteran is not in this institution now."), field="institution"
            )
        _consent_check(facts)


def _may_ask(actor: User, ask: Ask, facts: dict[str, Any]) -> bool:
    """The veteran, a relative of theirs, the institution's liaison, or its coordinators."""
    scope = scope_of(actor)
    institution = ask.institution
    if scope.federal or (
        scope.has(Role.REGIONAL_COORDINATOR) and institution.region_id in scope.region_ids
    ):
        return True
    if scope.has(Role.INSTITUTION_LIAISON) and institution.pk in scope.institution_ids:
        return True
    if ask.veteran is None:
        return False
    return ask.veteran.user_id == actor.pk or facts["is_proxy"]


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


def _consent_check(facts: dict[str, Any]) -> None:
    """A relative acts only with the veteran's recorded consent; anyone needs consent to care."""
    if not facts["care_consent"]:
        raise ApplicationError(
            _(
                "There is no valid consent of this veteran to arranging help, so a new request "
                "cannot be accepted. Ask the veteran or a relative to give consent."
            ),
            field="veteran",
        )
    if facts["is_proxy"] and not (facts["proxy_may_act"] and facts["proxy_consent"]):
        raise ApplicationError(
            _(
                "A relative may ask on the veteran's behalf only with the veteran's recorded "
                "consent."
            ),
            field="veteran",
        )


def _request_insert(
    *, actor: User, ask: Ask, idempotency_key: str, body_hash: str, owner_id: int | None
) -> CareRequest:
    """The new request, owned by the region's coordinator, with its deadline, to be announced."""
    now = timezone.now()
    window = ask.window
    return CareRequest.objects.create(
        region=ask.institution.region,
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
        coordinator_id=owner_id,
        deadline=deadlines.deadline_for(
            service_type=ask.service_type, urgency=ask.urgency, start=now
        ),
        idempotency_key=idempotency_key,
        idempotency_hash=body_hash if idempotency_key else "",
        to_announce=True,
        created_at=now,
        updated_at=now,
    )


def _announce_enqueue(request_id: int) -> None:
    """After commit: the task that announces the request. If the queue cannot take it now,
    the request stays marked and the safety net (`requests_announce_waiting`) enqueues it
    later; the request itself is accepted and stored either way."""
    from ryadom.care.tasks import request_announce as announce  # the task imports this module

    try:
        announce.enqueue(request_id=request_id)
    except Exception:  # noqa: BLE001 - a queue down must not turn an accepted request into an error
        logger.exception("request %s: its announcement waits for the safety net", request_id)


@transaction.atomic
def request_announce(*, request_id: int) -> CareRequest | None:
    """Tell the apps above of a new request, once (None if that was done): the deadline's
    watch and care's events, whose subscribers write the requester's message to the outbox
    in this transaction. Clearing the mark is the claim: of two runs, one announces."""
    claimed = CareRequest.objects.filter(pk=request_id, to_announce=True).update(to_announce=False)
    if claimed != 1:
        return None
    request = CareRequest.objects.select_related(
        "requested_by", "veteran__user", "service_type", "institution", "region"
    ).get(pk=request_id)
    deadlines.watch(request)
    events.request_received.publish(request=request)
    events.request_changed.publish(request_id=request.pk)
    return request


def requests_announce_waiting(*, older_than: datetime.timedelta) -> int:
    """Enqueue the announcement of requests still marked after `older_than` (the process died
    between commit and enqueue, or the queue was down); how many. Safe to run any time."""
    from ryadom.care.tasks import request_announce as announce

    cutoff = timezone.now() - older_than
    waiting = CareRequest.objects.filter(to_announce=True, created_at__lt=cutoff)
    count = 0
    for request_id in waiting.values_list("pk", flat=True).iterator():
        announce.enqueue(request_id=request_id)
        count += 1
    return count


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
