"""The requester's side: the veteran, a relative or the ward says it was done and how they
were treated; a "no" opens a complaint for the coordinator."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.audit.services import audit_record
from ryadom.care import events
from ryadom.care.lifecycle import Action
from ryadom.care.models import MAX_DETAILS_LENGTH, CareRequest, Complaint, Feedback, Status
from ryadom.care.parties import ACTION_PARTIES, parties_of
from ryadom.care.services.coordination import request_reopen
from ryadom.care.services.transitions import transition
from ryadom.care.timeline import coded
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError


@transaction.atomic
def request_confirm(*, actor: User, request: CareRequest) -> CareRequest:
    """The veteran, a relative or the ward says it was done."""
    return transition(actor=actor, request=request, action=Action.CONFIRM)


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
