"""The coordinator's steps (triage, assign, cancel, reopen, answer a complaint) and the
system's (escalate a missed deadline, move requests with a transferred veteran)."""

from __future__ import annotations

import dataclasses

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.audit.services import audit_record
from ryadom.care import deadlines, events
from ryadom.care.lifecycle import Action
from ryadom.care.models import CareRequest, Complaint, Status
from ryadom.care.parties import Party, parties_of
from ryadom.care.selectors import request_get_for_user
from ryadom.care.services.transitions import (
    drop_planned_visits,
    may_act_or_raise,
    owner_for,
    transition,
)
from ryadom.care.services.volunteer_work import eligible_or_raise, within_hour_limit_or_raise
from ryadom.care.timeline import Coded, coded, event_record
from ryadom.core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from ryadom.institutions.models import Department, Institution
from ryadom.organisations.models import Agreement, Organisation
from ryadom.veterans.models import Veteran
from ryadom.volunteers.models import Volunteer


@transaction.atomic
def request_triage(*, actor: User, request: CareRequest, note: str = "") -> CareRequest:
    """The coordinator has looked at it: open for volunteers and NGOs to take."""
    result = transition(actor=actor, request=request, action=Action.TRIAGE, note=note)
    events.request_opened.publish(request=result)
    return result


@dataclasses.dataclass
class Triaged:
    """What a triage of several requests came to: how many went through, and why the others
    did not, one sentence each."""

    done: int = 0
    refusals: list[str] = dataclasses.field(default_factory=list)


def requests_triage(*, actor: User, ids: list[int]) -> Triaged:
    """Triage the requests one by one, each in its own transaction. A request the actor may
    not see is reported as not found, not a refusal of the whole batch."""
    outcome = Triaged()
    for pk in ids:
        try:
            request = request_get_for_user(actor=actor, request_id=pk)
            request_triage(actor=actor, request=request)
        except NotFoundError:
            outcome.refusals.append(_("Request #%(id)d was not found.") % {"id": pk})
        except ApplicationError as exc:
            outcome.refusals.append(
                _("Request #%(id)d was not triaged: %(reason)s") % {"id": pk, "reason": exc.message}
            )
        else:
            outcome.done += 1
    return outcome


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
    may_act_or_raise(actor=actor, request=request, action=Action.ASSIGN)
    if volunteer is None and organisation is None:
        raise ApplicationError(_("Choose a volunteer or an NGO."), field="volunteer")
    if volunteer is not None:
        organisation = eligible_or_raise(volunteer=volunteer, request=request)
        within_hour_limit_or_raise(volunteer=volunteer, request=request)
    elif organisation is not None:
        _ngo_agreed_or_raise(organisation=organisation, request=request)
    result = transition(
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
def request_cancel(*, actor: User, request: CareRequest, reason: str | Coded = "") -> CareRequest:
    """No longer needed (the veteran was discharged, or the need went away)."""
    result = transition(actor=actor, request=request, action=Action.CANCEL, note=reason)
    drop_planned_visits(request)
    events.request_cancelled.publish(request=result, actor=actor)
    return result


@transaction.atomic
def request_reopen(*, actor: User | None, request: CareRequest, reason: str | Coded) -> CareRequest:
    """It was not done after all: back to the queue for a new helper, with a new deadline."""
    deadline = deadlines.deadline_for(
        service_type=request.service_type, urgency=request.urgency, start=timezone.now()
    )
    result = transition(
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
def complaint_answer(*, actor: User, complaint: Complaint, answer: str, upheld: bool) -> Complaint:
    """The regional coordinator answers a complaint; the answer is recorded on the timeline."""
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


def escalation_note(level: int) -> Coded:
    """The timeline note of an escalation to `level`, read in the reader's language."""
    return coded("escalated_regional" if level == 1 else "escalated_federal")


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
    movable = [Status.NEW, Status.TRIAGED, Status.ASSIGNED, Status.SCHEDULED]
    requests = CareRequest.objects.filter(veteran=veteran, status__in=movable).order_by("pk")
    return [
        _request_follow(actor=actor, request=r, institution=institution, department=department)
        for r in requests
    ]


def _request_follow(
    *,
    actor: User | None,
    request: CareRequest,
    institution: Institution,
    department: Department | None,
) -> CareRequest:
    note = coded("moved_with_veteran", place=institution.name)
    if request.status in (Status.ASSIGNED, Status.SCHEDULED):
        events.volunteer_released_by_move.publish(request=request)
        transition(
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
        drop_planned_visits(request)
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
        coordinator=owner_for(institution.region_id),
        updated_at=timezone.now(),
    )
    request.refresh_from_db()
    if request.status == Status.TRIAGED:
        events.request_opened.publish(request=request)
    events.request_changed.publish(request_id=request.pk)
    return request
