"""What care tells whom when a request moves: subscribers of care's events (care/events.py),
run inside the transaction of the care service that published them.

Each function only calls notify() (the outbox) or enqueues a task on commit, so a rolled-back
transition tells nobody. Dedupe keys name the event, so a retried call notifies once.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ryadom.accounts.models import Role, User
from ryadom.care.models import CareRequest, Complaint, Debrief, Visit
from ryadom.notifications.links import status_url
from ryadom.notifications.selectors import is_coordinator
from ryadom.notifications.services import notify
from ryadom.veterans.models import Proxy
from ryadom.volunteers.selectors import ngo_managers_of

# Reminders before a visit, and the kinds they use.
DAY_BEFORE = datetime.timedelta(hours=24)
HOUR_BEFORE = datetime.timedelta(hours=1)
REMINDERS = {"day": DAY_BEFORE, "hour": HOUR_BEFORE}


def requester_of(request: CareRequest) -> User | None:
    """Who hears about the request: whoever asked, unless a coordinator entered it for
    someone; then the veteran's own account, or else a relative who acts for them."""
    asker = request.requested_by
    if asker is not None and asker.is_active and not is_coordinator(asker):
        return asker
    veteran = request.veteran
    if veteran is None:
        return None
    if veteran.user is not None and veteran.user.is_active:
        return veteran.user
    proxy = (
        Proxy.objects.filter(veteran=veteran, may_act=True, user__is_active=True)
        .select_related("user")
        .order_by("pk")
        .first()
    )
    return proxy.user if proxy is not None else None


def helper_name(request: CareRequest) -> str | Promise:
    """The helper as the requester knows them: a volunteer's first name, or the NGO's name.
    (Lazy words are translated when the message is rendered, in the recipient's language.)"""
    if request.volunteer is not None:
        return request.volunteer.user.first_name or _("your volunteer")
    if request.organisation is not None:
        return request.organisation.name
    return _("a helper")


def _service(request: CareRequest) -> str:
    return str(request.service_type.name)


def _number(request: CareRequest) -> str:
    return f"#{request.pk}"


def request_received(*, request: CareRequest) -> None:
    """The requester hears that the request is in, with the link to follow it."""
    person = requester_of(request)
    if person is None:
        return
    notify(
        recipient=person,
        kind="request_received",
        context={
            "service": _service(request),
            "number": _number(request),
            "status_url": status_url(request=request, person=person),
        },
        dedupe_key=f"request:{request.pk}:received",
    )


def request_assigned(*, request: CareRequest) -> None:
    """The requester hears who will help; the time once it is planned (visit_scheduled)."""
    person = requester_of(request)
    if person is None:
        return
    visit = request.visits.order_by("starts").first()
    helper_key = (
        f"v{request.volunteer_id}" if request.volunteer_id else f"o{request.organisation_id}"
    )
    notify(
        recipient=person,
        kind="request_assigned",
        context={
            "helper": helper_name(request),
            "service": _service(request),
            "when": visit.starts if visit else _("to be agreed; we will tell you"),
        },
        # A second helper after a decline is news; the same helper twice is not.
        dedupe_key=f"request:{request.pk}:assigned:{helper_key}",
    )


def volunteer_assigned(*, request: CareRequest, actor: User | None) -> None:
    """A volunteer given a request by someone else hears of it (one who took it knows)."""
    volunteer = request.volunteer
    if volunteer is None or (actor is not None and actor.pk == volunteer.user_id):
        return
    notify(
        recipient=volunteer.user,
        kind="volunteer_assigned",
        context={
            "number": _number(request),
            "service": _service(request),
            "institution": str(request.institution.name),
            "url": volunteer_request_url(request),
        },
        dedupe_key=f"request:{request.pk}:assigned:v{volunteer.pk}",
    )


def volunteer_released_by_move(*, request: CareRequest) -> None:
    """Call before a transfer drops the helper: the volunteer need not come."""
    if request.volunteer is None:
        return
    notify(
        recipient=request.volunteer.user,
        kind="volunteer_request_moved",
        context={"number": _number(request), "service": _service(request)},
        dedupe_key=f"request:{request.pk}:moved:{int(timezone.now().timestamp())}",
    )


def _visit_key(visit: Visit) -> str:
    return f"visit:{visit.pk}:{int(visit.starts.timestamp())}"


def visit_scheduled(*, request: CareRequest, visit: Visit) -> None:
    """The requester hears when the helper comes; reminders are set for the day and the hour
    before (each task re-reads the visit, so a moved or dropped visit reminds nobody)."""
    person = requester_of(request)
    if person is not None:
        notify(
            recipient=person,
            kind="visit_scheduled",
            context={
                "helper": helper_name(request),
                "service": _service(request),
                "when": visit.starts,
                "status_url": status_url(request=request, person=person),
            },
            dedupe_key=f"{_visit_key(visit)}:scheduled",
        )
    from ryadom.notifications.tasks import visit_remind  # tasks import this module's callers

    visit_id, starts = visit.pk, visit.starts
    for which, before in REMINDERS.items():
        at = starts - before
        if at <= timezone.now():
            continue  # planned too late for this reminder: the people involved just arranged it

        def enqueue(which: str = which, at: datetime.datetime = at) -> None:
            visit_remind.using(run_after=at).enqueue(
                visit_id=visit_id, starts=starts.isoformat(), which=which
            )

        transaction.on_commit(enqueue, robust=True)


def visit_reminders_send(*, visit: Visit, which: str) -> None:
    """The reminder of a visit still planned for the time it was set for."""
    request = visit.request
    key = f"{_visit_key(visit)}:{which}"
    institution = str(request.institution.name)
    volunteer = visit.volunteer or request.volunteer
    if volunteer is not None:
        notify(
            recipient=volunteer.user,
            kind="volunteer_reminder_day" if which == "day" else "volunteer_reminder_hour",
            context={
                "service": _service(request),
                "institution": institution,
                "when": visit.starts,
            },
            dedupe_key=key,
        )
    person = requester_of(request) if which == "day" else None
    if person is not None:
        notify(
            recipient=person,
            kind="visit_tomorrow",
            context={
                "helper": helper_name(request),
                "service": _service(request),
                "when": visit.starts,
            },
            dedupe_key=key,
        )


def request_done(*, request: CareRequest) -> None:
    """The helper has finished: the requester is asked to confirm, by the status link."""
    person = requester_of(request)
    if person is None:
        return
    notify(
        recipient=person,
        kind="request_done_please_confirm",
        context={
            "service": _service(request),
            "status_url": status_url(request=request, person=person),
        },
        # A request reopened and done again asks again.
        dedupe_key=f"request:{request.pk}:done:{int(request.updated_at.timestamp())}",
    )


def request_cancelled(*, request: CareRequest, actor: User | None) -> None:
    """The volunteer who was going stays home; the requester hears if someone else cancelled."""
    context = {"number": _number(request), "service": _service(request)}
    key = f"request:{request.pk}:cancelled"
    if request.volunteer is not None:
        notify(
            recipient=request.volunteer.user,
            kind="request_cancelled",
            context=context,
            dedupe_key=key,
        )
    person = requester_of(request)
    if person is not None and actor is not None and person.pk != actor.pk:
        notify(recipient=person, kind="request_cancelled", context=context, dedupe_key=key)


def request_opened(*, request: CareRequest) -> None:
    """The request waits for a helper: volunteers who fit hear of it, chosen in a task."""
    from ryadom.notifications.tasks import volunteers_alert

    request_id = request.pk
    transaction.on_commit(lambda: volunteers_alert.enqueue(request_id=request_id), robust=True)


def volunteer_request_url(request: CareRequest) -> str:
    return f"{settings.SITE_URL}/requests/{request.pk}/"


def _tell_coordinators(request: CareRequest, *, kind: str, federal: bool, key: str) -> None:
    """Coordinators hear of missed deadlines and complaints at once (urgent: no quiet hours).

    The owner hears first; federal coordinators when it goes further or nobody owns it.
    """
    owner = request.coordinator
    if federal or owner is None:
        recipients = list(
            User.objects.filter(roles__role=Role.FEDERAL_COORDINATOR, is_active=True).distinct()
        )
    else:
        recipients = [owner]
    zone = request.institution.region.zone
    context = {
        "number": f"#{request.pk}",
        "service": request.service_type.name,
        "institution": request.institution.name,
        "deadline": f"{request.deadline.astimezone(zone):%d.%m.%Y %H:%M}",
        "url": f"{settings.SITE_URL}/requests/{request.pk}/",
    }
    for user in recipients:
        notify(
            recipient=user,
            kind=kind,
            context=context,
            urgent=True,
            dedupe_key=f"request:{request.pk}:{key}",
        )


def request_escalated(*, request: CareRequest) -> None:
    """A missed deadline: the owner hears at level 1, federal coordinators at level 2."""
    level = request.escalation_level
    _tell_coordinators(request, kind="escalation", federal=level >= 2, key=f"escalation:{level}")


def complaint_made(*, request: CareRequest, complaint: Complaint) -> None:
    """The owner of the request (or federal staff, if nobody owns it) hears of a complaint."""
    _tell_coordinators(request, kind="complaint", federal=False, key=f"complaint:{complaint.pk}")


def debrief_upset(*, debrief: Debrief) -> None:
    """A volunteer upset by a visit: the managers of their NGOs hear, to offer support."""
    volunteer = debrief.volunteer
    context = {
        "volunteer": volunteer.user.get_full_name() or volunteer.user.username,
        "phone": volunteer.user.phone or "—",
        "url": f"{settings.SITE_URL}/ngo/wellbeing/",
    }
    for manager in ngo_managers_of(volunteer):
        notify(
            recipient=manager,
            kind="volunteer_distress",
            context=context,
            urgent=False,
            dedupe_key=f"debrief:{debrief.pk}",
        )
