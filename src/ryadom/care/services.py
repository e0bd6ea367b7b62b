"""Every write on care requests. Each transition checks the table, the actor and the state."""

from __future__ import annotations

import datetime
import hashlib
import json
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ryadom.accounts.models import Role, RoleAssignment, ScopeKind, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.services import audit_record
from ryadom.care import deadlines, events
from ryadom.care.lifecycle import ALLOWED_TRANSITIONS, TAKEN_STATES, Action
from ryadom.care.models import (
    MAX_DETAILS_LENGTH,
    CareRequest,
    Complaint,
    Feedback,
    Status,
    Visit,
)
from ryadom.care.parties import ACTION_PARTIES, parties_of
from ryadom.care.timeline import ASKED_VIA, Coded, coded, event_record
from ryadom.care.wellbeing import CLAIM_HOURS, hour_limit_check
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.institutions.models import Department, Institution
from ryadom.organisations.models import Agreement, Organisation, valid_on_q
from ryadom.veterans.models import Consent, ConsentPurpose, Proxy, Stay, Veteran
from ryadom.volunteers.models import Volunteer

# How far from now a request's preferred window and a planned visit may lie.
HORIZON = datetime.timedelta(days=365)


def _owner_for(region_id: int) -> User | None:
    """The coordinator who owns new requests of a region: its first regional coordinator,
    or a federal coordinator where the region has none yet."""
    for kind, scope_id in ((ScopeKind.REGION, region_id), (ScopeKind.FEDERAL, None)):
        assignment = (
            RoleAssignment.objects.filter(scope_kind=kind, scope_id=scope_id)
            .filter(role__in=[Role.REGIONAL_COORDINATOR, Role.FEDERAL_COORDINATOR])
            .select_related("user")
            .order_by("pk")
            .first()
        )
        if assignment is not None:
            return assignment.user
    return None


def _check_consent(*, actor: User, veteran: Veteran) -> None:
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


def _validate_intake(
    *,
    institution: Institution,
    department: Department | None,
    veteran: Veteran | None,
    details: str,
    window: tuple[datetime.datetime, datetime.datetime] | None,
) -> None:
    if department is not None and department.institution_id != institution.pk:
        raise ApplicationError(_("This ward belongs to another institution."), field="department")
    if len(details) > MAX_DETAILS_LENGTH:
        raise ApplicationError(
            ngettext(
                "Please keep the details under %(n)d character.",
                "Please keep the details under %(n)d characters.",
                MAX_DETAILS_LENGTH,
            )
            % {"n": MAX_DETAILS_LENGTH},
            field="details",
        )
    if window is not None:
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
    if (
        veteran is not None
        and not Stay.objects.filter(
            veteran=veteran, institution=institution, discharged_on__isnull=True
        ).exists()
    ):
        raise ApplicationError(
            _("The veteran is not in this institution now."), field="institution"
        )


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


def _aware(moment: datetime.datetime, institution: Institution) -> datetime.datetime:
    """A time given without a zone is read as the institution's local time."""
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=institution.region.zone)
    return moment


def _replay(actor: User, key: str, body_hash: str) -> CareRequest | None:
    """The request made earlier with this Idempotency-Key, if the body is the same."""
    earlier = CareRequest.objects.filter(requested_by=actor, idempotency_key=key).first()
    if earlier is not None and earlier.idempotency_hash != body_hash:
        raise ConflictError(_("This Idempotency-Key was used with a different request body."))
    return earlier


def _body_hash(fields: dict[str, Any]) -> str:
    return hashlib.sha256(json.dumps(fields, sort_keys=True, default=str).encode()).hexdigest()


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
    window: tuple[datetime.datetime, datetime.datetime] | None = None,
    requester_name: str = "",
    wants_previous_volunteer: bool = False,
    idempotency_key: str = "",
) -> CareRequest:
    """Accept a request from any channel; the same idempotency key returns the same request."""
    if window is not None:
        window = (_aware(window[0], institution), _aware(window[1], institution))
    fields = {
        "service": service_type.code,
        "institution": institution.pk,
        "department": department.pk if department else None,
        "veteran": veteran.pk if veteran else None,
        "details": details,
        "urgency": urgency,
        "window": [w.isoformat() for w in window] if window else None,
        "channel": channel,
        "requester_name": requester_name,
        "wants_previous_volunteer": wants_previous_volunteer,
    }
    body_hash = _body_hash(fields)
    if idempotency_key and (earlier := _replay(actor, idempotency_key, body_hash)):
        return earlier
    if not service_type.is_active:
        raise ApplicationError(_("This service is not offered."), field="service")
    if not _may_ask(actor, institution, veteran):
        raise PermissionDeniedError(
            _("You may ask for help for yourself, for a veteran you act for, or for your ward.")
        )
    _validate_intake(
        institution=institution,
        department=department,
        veteran=veteran,
        details=details,
        window=window,
    )
    if veteran is not None:
        _check_consent(actor=actor, veteran=veteran)
    now = timezone.now()
    try:
        # A savepoint: a concurrent retry with the same key may insert first.
        with transaction.atomic():
            request = CareRequest.objects.create(
                region_id=institution.region_id,
                institution=institution,
                department=department,
                veteran=veteran,
                service_type=service_type,
                details=details.strip(),
                urgency=urgency,
                window_starts=window[0] if window else None,
                window_ends=window[1] if window else None,
                channel=channel,
                requested_by=actor,
                requester_name=requester_name.strip(),
                wants_previous_volunteer=wants_previous_volunteer,
                coordinator=_owner_for(institution.region_id),
                deadline=deadlines.deadline_for(
                    service_type=service_type, urgency=urgency, start=now
                ),
                idempotency_key=idempotency_key,
                idempotency_hash=body_hash if idempotency_key else "",
                created_at=now,
                updated_at=now,
            )
    except IntegrityError:
        if idempotency_key and (earlier := _replay(actor, idempotency_key, body_hash)):
            return earlier
        raise
    event_record(
        request=request,
        actor=actor,
        action="create",
        from_status="",
        to_status=Status.NEW,
        at=now,
        note=coded(ASKED_VIA, channel=str(channel)),
    )
    audit_record(
        actor=actor,
        action="care_request.created",
        target=request,
        region_id=request.region_id,
        changes={"channel": channel},
    )
    deadlines.watch(request)
    events.request_received.publish(request=request)
    events.request_changed.publish(request_id=request.pk)
    return request


def escalation_note(level: int) -> Coded:
    """The timeline note of an escalation to `level`, read in the reader's language."""
    return coded("escalated_regional" if level == 1 else "escalated_federal")


def _status_label(status: str) -> str:
    return str(Status(status).label)


def _may_act_or_raise(*, actor: User | None, request: CareRequest, action: Action) -> None:
    """Who may take the action: checked before anything else is said about the request, so
    someone who may only see it learns nothing more (a transfer is the system's own)."""
    if action == Action.TRANSFER or actor is None:
        return
    if not parties_of(actor, request) & ACTION_PARTIES[action]:
        raise PermissionDeniedError(_("You may not do this with this request."))


def _taken_message(*, actor: User | None, request: CareRequest, conflict: str) -> str | None:
    """Who has the request, when a helper has it and that is why it cannot be taken."""
    if request.status not in TAKEN_STATES:
        return None
    if request.volunteer is not None:
        if actor is not None and request.volunteer.user_id == actor.pk:
            return _("You have already taken this request.")
        return conflict
    if request.organisation_id is not None:
        return _("This request has already been given to an NGO.")
    return None


def _transition(
    *,
    actor: User | None,
    request: CareRequest,
    action: Action,
    note: str | Coded = "",
    changes: dict[str, Any] | None = None,
    conflict: str | None = None,
) -> CareRequest:
    """Move the request along the table: check the actor, then compare-and-set the status.

    The UPDATE matches the status we read, so of two concurrent callers exactly one changes
    the row; the other changes nothing and gets a ConflictError. `conflict` is what a taking
    action (claim, assign) says when a volunteer has the request; it is said only then.
    """
    _may_act_or_raise(actor=actor, request=request, action=action)
    sources, target = ALLOWED_TRANSITIONS[action]
    if request.status not in sources:
        raise ConflictError(
            (conflict and _taken_message(actor=actor, request=request, conflict=conflict))
            or _("This cannot be done now: the request is “%(status)s”.")
            % {"status": _status_label(request.status)}
        )
    now = timezone.now()
    values = {"status": target, "updated_at": now, **(changes or {})}
    changed = CareRequest.objects.filter(pk=request.pk, status=request.status).update(**values)
    if changed != 1:
        # "Already taken" only when a volunteer really took it. Any other change is not told:
        # the caller may no longer see the request (a reload then says "not found").
        now_state = CareRequest.objects.select_related("volunteer").get(pk=request.pk)
        taken = conflict is not None and now_state.volunteer is not None
        raise ConflictError(
            (taken and _taken_message(actor=actor, request=now_state, conflict=conflict or ""))
            or _("Someone else changed this request a moment ago. Reload and try again.")
        )
    from_status = request.status
    for field, value in values.items():
        setattr(request, field, value)
    event_record(
        request=request,
        actor=actor,
        action=str(action),
        from_status=from_status,
        to_status=target,
        note=note,
        at=now,
    )
    audit_record(
        actor=actor,
        action=f"care_request.{action}",
        target=request,
        region_id=request.region_id,
        changes={"status": [from_status, target]},
    )
    events.request_changed.publish(request_id=request.pk)
    return request


@transaction.atomic
def request_triage(*, actor: User, request: CareRequest, note: str = "") -> CareRequest:
    """The coordinator has looked at it: open for volunteers and NGOs to take."""
    result = _transition(actor=actor, request=request, action=Action.TRIAGE, note=note)
    events.request_opened.publish(request=result)
    return result


def _eligible_or_raise(*, volunteer: Volunteer, request: CareRequest) -> Organisation:
    """The NGO under which the volunteer works there, or an error listing what is missing."""
    from ryadom.care.eligibility import request_missing_steps

    today = timezone.localdate()
    missing = request_missing_steps(volunteer=volunteer, request=request, on=today)
    if missing:
        raise ApplicationError(
            _("Not yet possible: %(steps)s") % {"steps": " ".join(str(m.message) for m in missing)},
            field="volunteer",
        )
    organisation = (
        Organisation.objects.filter(
            valid_on_q(today, via="agreements__"),
            memberships__volunteer=volunteer,
            memberships__status="approved",
            agreements__institution=request.institution,
        )
        .order_by("pk")
        .first()
    )
    assert organisation is not None  # noqa: S101 - missing_steps has just checked it
    return organisation


def _within_hour_limit_or_raise(*, volunteer: Volunteer, request: CareRequest) -> None:
    """Taking a request counts as its planned window, or the shortest visit when it has none."""
    if request.window_starts is not None and request.window_ends is not None:
        day = request.window_starts.astimezone(volunteer.region.zone).date()
    else:
        day = timezone.localdate(timezone=volunteer.region.zone)
    hour_limit_check(volunteer=volunteer, day=day, adding=CLAIM_HOURS)


def _ngo_agreed_or_raise(*, organisation: Organisation, request: CareRequest) -> None:
    """An NGO alone takes a request only where an agreement valid today lets its people in."""
    today = timezone.localdate()
    agreed = (
        Agreement.objects.valid_on(today)
        .filter(organisation=organisation, institution_id=request.institution_id)
        .exists()
    )
    if not organisation.is_active or not agreed:
        raise ApplicationError(
            _(
                "%(ngo)s has no valid agreement with %(institution)s: an NGO can only be "
                "given requests of institutions it has an agreement with."
            )
            % {"ngo": organisation.name, "institution": request.institution.name},
            field="organisation",
        )


@transaction.atomic
def request_assign(
    *,
    actor: User,
    request: CareRequest,
    volunteer: Volunteer | None = None,
    organisation: Organisation | None = None,
    note: str | Coded = "",
) -> CareRequest:
    """The coordinator gives the request to a volunteer and/or an NGO."""
    _may_act_or_raise(actor=actor, request=request, action=Action.ASSIGN)
    if volunteer is None and organisation is None:
        raise ApplicationError(_("Choose a volunteer or an NGO."), field="volunteer")
    if volunteer is not None:
        organisation = _eligible_or_raise(volunteer=volunteer, request=request)
        _within_hour_limit_or_raise(volunteer=volunteer, request=request)
    elif organisation is not None:
        _ngo_agreed_or_raise(organisation=organisation, request=request)
    result = _transition(
        actor=actor,
        request=request,
        action=Action.ASSIGN,
        note=note,
        changes={"volunteer": volunteer, "organisation": organisation},
        conflict=_("Already taken: someone else has just been assigned to this request."),
    )
    events.request_assigned.publish(request=result)
    events.volunteer_assigned.publish(request=result, actor=actor)
    return result


@transaction.atomic
def request_claim(*, actor: User, request: CareRequest) -> CareRequest:
    """A volunteer takes an open request they are eligible for; the first one wins."""
    volunteer = Volunteer.objects.filter(user=actor).first()
    if volunteer is None:
        raise PermissionDeniedError(_("Only volunteers can take requests."))
    _may_act_or_raise(actor=actor, request=request, action=Action.CLAIM)
    if request.status == Status.TRIAGED:
        organisation = _eligible_or_raise(volunteer=volunteer, request=request)
        _within_hour_limit_or_raise(volunteer=volunteer, request=request)
    else:
        organisation = None  # _transition explains why it cannot be taken
    result = _transition(
        actor=actor,
        request=request,
        action=Action.CLAIM,
        changes={"volunteer": volunteer, "organisation": organisation},
        conflict=_("Already taken: another volunteer has just taken this request."),
    )
    events.request_assigned.publish(request=result)
    return result


def _drop_planned_visits(request: CareRequest) -> None:
    Visit.objects.filter(request=request, checked_in_at__isnull=True).delete()


@transaction.atomic
def request_decline(*, actor: User, request: CareRequest, reason: str) -> CareRequest:
    """The assignee cannot do it after all: back to the queue, with the reason."""
    _may_act_or_raise(actor=actor, request=request, action=Action.DECLINE)
    if not reason.strip():
        raise ApplicationError(_("Please say why."), field="reason")
    result = _transition(
        actor=actor,
        request=request,
        action=Action.DECLINE,
        note=reason.strip(),
        changes={"volunteer": None, "organisation": None},
    )
    _drop_planned_visits(request)
    events.request_opened.publish(request=result)
    return result


def _within_visiting_hours(
    institution: Institution, starts: datetime.datetime, ends: datetime.datetime
) -> bool:
    zone = institution.region.zone
    if ends - starts >= datetime.timedelta(days=1):
        return False
    local_start, local_end = starts.astimezone(zone), ends.astimezone(zone)
    if local_start.date() != local_end.date():
        return False
    return institution.visiting_hours.filter(
        weekday=local_start.weekday(), starts__lte=local_start.time(), ends__gte=local_end.time()
    ).exists()


@transaction.atomic
def request_schedule(
    *, actor: User, request: CareRequest, starts: datetime.datetime, ends: datetime.datetime
) -> CareRequest:
    """Plan the visit, within the institution's visiting hours (its region's local time)."""
    _may_act_or_raise(actor=actor, request=request, action=Action.SCHEDULE)
    starts, ends = _aware(starts, request.institution), _aware(ends, request.institution)
    if ends <= starts:
        raise ApplicationError(_("The visit ends before it starts."), field="ends")
    if starts <= timezone.now():
        raise ApplicationError(_("The visit must be in the future."), field="starts")
    if starts > timezone.now() + HORIZON:
        raise ApplicationError(_("The visit must be within the coming year."), field="starts")
    if not _within_visiting_hours(request.institution, starts, ends):
        raise ApplicationError(
            _("The visit is outside the institution's visiting hours."), field="starts"
        )
    if request.volunteer is not None:
        hour_limit_check(
            volunteer=request.volunteer,
            day=starts.astimezone(request.volunteer.region.zone).date(),
            adding=(ends - starts).total_seconds() / 3600,
            exclude_request_id=request.pk,
        )
    local = starts.astimezone(request.institution.region.zone)
    result = _transition(
        actor=actor, request=request, action=Action.SCHEDULE, note=f"{local:%Y-%m-%d %H:%M}"
    )
    _drop_planned_visits(request)
    visit = Visit.objects.create(
        request=request, volunteer=request.volunteer, starts=starts, ends=ends
    )
    events.visit_scheduled.publish(request=result, visit=visit)
    return result


@transaction.atomic
def request_check_in(*, actor: User, request: CareRequest) -> CareRequest:
    """The helper has arrived: the visit's clock starts."""
    result = _transition(actor=actor, request=request, action=Action.CHECK_IN)
    Visit.objects.filter(request=request, checked_in_at__isnull=True).update(
        checked_in_at=request.updated_at
    )
    return result


@transaction.atomic
def request_complete(*, actor: User, request: CareRequest, outcome: str = "") -> CareRequest:
    """The helper is done: the visit's clock stops and the veteran is asked to confirm."""
    _may_act_or_raise(actor=actor, request=request, action=Action.COMPLETE)
    if len(outcome) > MAX_DETAILS_LENGTH:
        raise ApplicationError(_("The outcome is too long."), field="outcome")
    result = _transition(actor=actor, request=request, action=Action.COMPLETE, note=outcome)
    Visit.objects.filter(
        request=request, checked_in_at__isnull=False, checked_out_at__isnull=True
    ).update(checked_out_at=request.updated_at, outcome=outcome)
    events.request_done.publish(request=result)
    return result


@transaction.atomic
def request_confirm(*, actor: User, request: CareRequest) -> CareRequest:
    """The veteran, a relative or the ward says it was done."""
    return _transition(actor=actor, request=request, action=Action.CONFIRM)


@transaction.atomic
def request_cancel(*, actor: User, request: CareRequest, reason: str | Coded = "") -> CareRequest:
    """No longer needed (the veteran was discharged, or the need went away)."""
    result = _transition(actor=actor, request=request, action=Action.CANCEL, note=reason)
    _drop_planned_visits(request)
    events.request_cancelled.publish(request=result, actor=actor)
    return result


@transaction.atomic
def request_reopen(*, actor: User | None, request: CareRequest, reason: str | Coded) -> CareRequest:
    """It was not done after all: back to the queue for a new helper, with a new deadline."""
    deadline = deadlines.deadline_for(
        service_type=request.service_type, urgency=request.urgency, start=timezone.now()
    )
    result = _transition(
        actor=actor,
        request=request,
        action=Action.REOPEN,
        note=reason,
        changes={
            "volunteer": None,
            "organisation": None,
            "deadline": deadline,
            "escalation_level": 0,
        },
    )
    deadlines.watch(result)
    events.request_opened.publish(request=result)
    return result


@transaction.atomic
def request_feedback(
    *,
    actor: User,
    request: CareRequest,
    done: bool,
    respectful: bool,
    rating: int | None = None,
    comment: str = "",
) -> Feedback:
    """The veteran's word. "Done" confirms; "not done" reopens; either "no" opens a complaint."""
    if rating is not None and not 1 <= rating <= 5:
        raise ApplicationError(_("The rating is from 1 to 5."), field="rating")
    if len(comment) > MAX_DETAILS_LENGTH:
        raise ApplicationError(_("The comment is too long."), field="comment")
    if request.status not in (Status.COMPLETED, Status.CONFIRMED):
        raise ConflictError(_("Feedback is given once the helper has finished."))
    if done and request.status == Status.COMPLETED:
        request_confirm(actor=actor, request=request)
    elif not done:
        request_reopen(actor=actor, request=request, reason=coded("veteran_says_not_done"))
    elif not parties_of(actor, request) & ACTION_PARTIES[Action.CONFIRM]:
        raise PermissionDeniedError(_("You may not do this with this request."))
    feedback = Feedback.objects.create(
        request=request,
        given_by=actor,
        done=done,
        respectful=respectful,
        rating=rating,
        comment=comment.strip(),
    )
    if not done or not respectful:
        complaint = Complaint.objects.create(request=request, feedback=feedback)
        events.complaint_made.publish(request=request, complaint=complaint)
    audit_record(
        actor=actor,
        action="care_request.feedback",
        target=request,
        region_id=request.region_id,
        changes={"done": done, "respectful": respectful},
    )
    events.request_changed.publish(request_id=request.pk)
    return feedback


@transaction.atomic
def complaint_answer(*, actor: User, complaint: Complaint, answer: str, upheld: bool) -> Complaint:
    """The regional coordinator answers a complaint; the answer is recorded on the timeline."""
    from ryadom.care.parties import Party

    if Party.COORDINATOR not in parties_of(actor, complaint.request):
        raise PermissionDeniedError(_("Only the coordinator answers complaints."))
    if not answer.strip():
        raise ApplicationError(_("Please write the answer."), field="answer")
    changed = Complaint.objects.filter(pk=complaint.pk, answered_at__isnull=True).update(
        answer=answer.strip(), upheld=upheld, answered_by=actor, answered_at=timezone.now()
    )
    if changed != 1:
        raise ConflictError(_("This complaint has already been answered."))
    complaint.refresh_from_db()
    audit_record(
        actor=actor,
        action="complaint.answered",
        target=complaint,
        region_id=complaint.request.region_id,
        changes={"upheld": upheld},
    )
    events.request_changed.publish(request_id=complaint.request_id)
    return complaint


@transaction.atomic
def request_escalate(*, request: CareRequest, expected_level: int) -> CareRequest:
    """A missed deadline: first to the regional coordinator, then to federal staff."""
    changed = CareRequest.objects.filter(pk=request.pk, escalation_level=expected_level).update(
        escalation_level=expected_level + 1, updated_at=timezone.now()
    )
    request.refresh_from_db()
    if changed == 1:
        event_record(
            request=request,
            action="escalate",
            from_status=request.status,
            to_status=request.status,
            note=escalation_note(request.escalation_level),
        )
        events.request_escalated.publish(request=request)
        audit_record(
            actor=None,
            action="care_request.escalated",
            target=request,
            region_id=request.region_id,
            changes={"escalation_level": [expected_level, expected_level + 1]},
        )
        events.request_changed.publish(request_id=request.pk)
    return request


@transaction.atomic
def requests_follow_veteran(
    *,
    actor: User | None,
    veteran: Veteran,
    institution: Institution,
    department: Department | None,
) -> list[CareRequest]:
    """A transferred veteran's open requests move with them, to the new region's coordinator.

    Requests not yet being worked on move as they are; assigned or scheduled ones go back
    to the queue (a helper is needed at the new place) and ask for the same volunteer again,
    who is offered first where eligible. The history stays on each request's timeline.
    """
    moved = []
    movable = [Status.NEW, Status.TRIAGED, Status.ASSIGNED, Status.SCHEDULED]
    for request in CareRequest.objects.filter(veteran=veteran, status__in=movable).order_by("pk"):
        note = coded("moved_with_veteran", place=institution.name)
        if request.status in (Status.ASSIGNED, Status.SCHEDULED):
            events.volunteer_released_by_move.publish(request=request)
            _transition(
                actor=actor,
                request=request,
                action=Action.TRANSFER,
                note=note,
                changes={
                    "volunteer": None,
                    "organisation": None,
                    "wants_previous_volunteer": request.volunteer_id is not None,
                },
            )
            _drop_planned_visits(request)
        else:
            event_record(
                request=request,
                actor=actor,
                action="move",
                from_status=request.status,
                to_status=request.status,
                note=note,
            )
        CareRequest.objects.filter(pk=request.pk).update(
            institution=institution,
            department=department,
            region_id=institution.region_id,
            coordinator=_owner_for(institution.region_id),
            updated_at=timezone.now(),
        )
        request.refresh_from_db()
        if request.status == Status.TRIAGED:
            events.request_opened.publish(request=request)
        events.request_changed.publish(request_id=request.pk)
        moved.append(request)
    return moved
