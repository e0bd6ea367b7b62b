"""What care does when a veteran's record changes: subscribers of veterans' events
(veterans/events.py), registered in `CareConfig.ready()`, run in the publisher's transaction."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet

from ryadom.accounts.models import User
from ryadom.audit.backoffice import admin_history_blank
from ryadom.care.models import CareRequest, Complaint, Event, Feedback, Status, Visit
from ryadom.care.services.coordination import request_cancel
from ryadom.care.services.handover import HOME_CATEGORIES
from ryadom.care.timeline import coded
from ryadom.veterans.erasure import ANONYMOUS
from ryadom.veterans.models import Stay, Veteran

# Requests nobody has accepted yet: withdrawing consent to care stops them. Accepted ones are
# delivered with the minimum kept (where, when, what), since a helper is already on the way.
NOT_ACCEPTED = (Status.NEW, Status.TRIAGED)
UNDER_WAY = (Status.ASSIGNED, Status.SCHEDULED, Status.IN_PROGRESS)


def consent_withdrawn(*, actor: User, veteran: Veteran) -> None:
    """Cancel the veteran's requests that nobody has accepted yet."""
    for request in CareRequest.objects.filter(veteran=veteran, status__in=NOT_ACCEPTED):
        request_cancel(actor=actor, request=request, reason=coded("consent_withdrawn"))


def veteran_discharged(*, actor: User, stay: Stay) -> None:
    """Requests at the place the veteran left, not yet under way, are cancelled; the requester
    side is told as for any cancellation. Those that make sense at home (the "after discharge"
    services) wait for the discharge plan to take them home (`request_hand_over`)."""
    waiting = (
        CareRequest.objects.filter(
            veteran_id=stay.veteran_id,
            institution_id=stay.institution_id,
            status__in=[Status.NEW, Status.TRIAGED, Status.ASSIGNED, Status.SCHEDULED],
        )
        .exclude(service_type__category__in=HOME_CATEGORIES)
        .order_by("pk")
    )
    for request in waiting:
        request_cancel(actor=actor, request=request, reason=coded("discharged"))


def help_under_way(*, veteran: Veteran) -> bool:
    """Whether a helper has accepted one of the veteran's requests and not yet finished."""
    return CareRequest.objects.filter(veteran=veteran, status__in=UNDER_WAY).exists()


def veteran_anonymising(*, veteran: Veteran, account: User | None) -> None:
    """Blank the free text about the person in their requests, and the admin's history of
    them; the rows the statistics count stay."""
    requests = CareRequest.objects.filter(veteran=veteran)
    admin_history_blank(
        model=CareRequest, ids=requests.values_list("pk", flat=True), shown_as=ANONYMOUS
    )
    Event.objects.filter(request__in=requests).update(note="")
    Visit.objects.filter(request__in=requests).update(outcome="")
    Feedback.objects.filter(request__in=requests).update(comment="")
    Complaint.objects.filter(request__in=requests).update(answer="")
    requests.update(details="", requester_name="", idempotency_key="", idempotency_hash="")


def veterans_still_served(*, since: datetime.datetime) -> QuerySet[CareRequest, int]:
    """Veterans with a request still open, or closed after `since` (their ids)."""
    return (
        CareRequest.objects.filter(veteran__isnull=False)
        .filter(~Q(status__in=[Status.CONFIRMED, Status.CANCELLED]) | Q(updated_at__gt=since))
        .values_list("veteran_id", flat=True)
    )


def _iso(value: Any) -> str | None:
    return value.isoformat() if value is not None else None


def veteran_data(*, veteran: Veteran) -> dict[str, Any]:
    """The requests made for the veteran, with their timelines, visits and feedback, for the
    export of the veteran's data."""
    requests = (
        CareRequest.objects.filter(veteran=veteran)
        .select_related("service_type", "institution", "department")
        .prefetch_related("events", "visits", "feedback")
        .order_by("created_at", "pk")
    )
    return {
        "requests": [
            {
                "id": r.pk,
                "service": r.service_type.name,
                "institution": r.institution.name,
                "status": r.status,
                "details": r.details,
                "created_at": _iso(r.created_at),
                "timeline": [
                    {"at": _iso(e.at), "action": e.action, "note": e.text} for e in r.events.all()
                ],
                "visits": [
                    {"starts": _iso(v.starts), "ends": _iso(v.ends), "outcome": v.outcome}
                    for v in r.visits.all()
                ],
                "feedback": [
                    {"at": _iso(fb.at), "done": fb.done, "rating": fb.rating, "comment": fb.comment}
                    for fb in r.feedback.all()
                ],
            }
            for r in requests
        ],
    }
