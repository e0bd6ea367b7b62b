"""Taking and doing a request: claim, give back, plan the visit, check in and out; and the
rules of who may take one (eligibility, the weekly hour limit), which assigning shares."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.care import events
from ryadom.care.eligibility import request_missing_steps
from ryadom.care.lifecycle import Action
from ryadom.care.models import MAX_DETAILS_LENGTH, CareRequest, Status, Visit
from ryadom.care.services.transitions import (
    HORIZON,
    aware,
    drop_planned_visits,
    may_act_or_raise,
    transition,
)
from ryadom.care.wellbeing import CLAIM_HOURS, hour_limit_check
from ryadom.core.errors import ApplicationError, PermissionDeniedError
from ryadom.institutions.models import Institution
from ryadom.organisations.models import Organisation, valid_on_q
from ryadom.volunteers.models import Volunteer


def eligible_or_raise(*, volunteer: Volunteer, request: CareRequest) -> Organisation:
    """The NGO under which the volunteer works there, or an error listing what is missing."""
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


def within_hour_limit_or_raise(*, volunteer: Volunteer, request: CareRequest) -> None:
    """Taking a request counts as its planned window, or the shortest visit when it has none."""
    if request.window_starts is not None and request.window_ends is not None:
        day = request.window_starts.astimezone(volunteer.region.zone).date()
    else:
        day = timezone.localdate(timezone=volunteer.region.zone)
    hour_limit_check(volunteer=volunteer, day=day, adding=CLAIM_HOURS)


@transaction.atomic
def request_claim(*, actor: User, request: CareRequest) -> CareRequest:
    """A volunteer takes an open request they are eligible for; the first one wins."""
    volunteer = Volunteer.objects.filter(user=actor).first()
    if volunteer is None:
        raise PermissionDeniedError(_("Only volunteers can take requests."))
    may_act_or_raise(actor=actor, request=request, action=Action.CLAIM)
    if request.status == Status.TRIAGED:
        organisation = eligible_or_raise(volunteer=volunteer, request=request)
        within_hour_limit_or_raise(volunteer=volunteer, request=request)
    else:
        organisation = None  # transition explains why it cannot be taken
    result = transition(
        actor=actor,
        request=request,
        action=Action.CLAIM,
        changes={"volunteer": volunteer, "organisation": organisation},
        conflict=_("Already taken: another volunteer has just taken this request."),
    )
    events.request_assigned.publish(request=result)
    return result


@transaction.atomic
def request_decline(*, actor: User, request: CareRequest, reason: str) -> CareRequest:
    """The assignee cannot do it after all: back to the queue, with the reason."""
    may_act_or_raise(actor=actor, request=request, action=Action.DECLINE)
    if not reason.strip():
        raise ApplicationError(_("Please say why."), field="reason")
    result = transition(
        actor=actor,
        request=request,
        action=Action.DECLINE,
        note=reason.strip(),
        changes={"volunteer": None, "organisation": None},
    )
    drop_planned_visits(request)
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


def _visit_check(request: CareRequest, starts: datetime.datetime, ends: datetime.datetime) -> None:
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


@transaction.atomic
def request_schedule(
    *, actor: User, request: CareRequest, starts: datetime.datetime, ends: datetime.datetime
) -> CareRequest:
    """Plan the visit, within the institution's visiting hours (its region's local time)."""
    may_act_or_raise(actor=actor, request=request, action=Action.SCHEDULE)
    starts, ends = aware(starts, request.institution), aware(ends, request.institution)
    _visit_check(request, starts, ends)
    local = starts.astimezone(request.institution.region.zone)
    result = transition(
        actor=actor, request=request, action=Action.SCHEDULE, note=f"{local:%Y-%m-%d %H:%M}"
    )
    drop_planned_visits(request)
    visit = Visit.objects.create(
        request=request, volunteer=request.volunteer, starts=starts, ends=ends
    )
    events.visit_scheduled.publish(request=result, visit=visit)
    return result


@transaction.atomic
def request_check_in(*, actor: User, request: CareRequest) -> CareRequest:
    """The helper has arrived: the visit's clock starts."""
    result = transition(actor=actor, request=request, action=Action.CHECK_IN)
    Visit.objects.filter(request=request, checked_in_at__isnull=True).update(
        checked_in_at=request.updated_at
    )
    return result


@transaction.atomic
def request_complete(*, actor: User, request: CareRequest, outcome: str = "") -> CareRequest:
    """The helper is done: the visit's clock stops and the veteran is asked to confirm."""
    may_act_or_raise(actor=actor, request=request, action=Action.COMPLETE)
    if len(outcome) > MAX_DETAILS_LENGTH:
        raise ApplicationError(_("The outcome is too long."), field="outcome")
    result = transition(actor=actor, request=request, action=Action.COMPLETE, note=outcome)
    Visit.objects.filter(
        request=request, checked_in_at__isnull=False, checked_out_at__isnull=True
    ).update(checked_out_at=request.updated_at, outcome=outcome)
    events.request_done.publish(request=result)
    return result
