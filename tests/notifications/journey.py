"""A care request taken through the real services, for the tests of what people are told."""

from __future__ import annotations

import datetime
import zoneinfo

from django.utils import timezone

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest
from ryadom.care.services.coordination import request_assign, request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.volunteer_work import request_schedule
from ryadom.care.tasks import request_announce
from ryadom.catalogue.models import ServiceType
from ryadom.notifications.models import Message
from tests.conftest import Cast

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def next_week_at(hour: int, *, days: int = 7) -> datetime.datetime:
    """A moment some days from now, at a round local hour in Moscow (agreements, stays and
    checks of the cast are dated today, so tests stay in their future)."""
    day = (timezone.now() + datetime.timedelta(days=days)).astimezone(MOSCOW).date()
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=MOSCOW)


def ask(c: Cast, *, actor: User | None = None, service: str = "leisure.reading") -> CareRequest:
    """The relative asks for the veteran in Moscow's hospital (or `actor` does); the request
    is announced, as its task does once the request is committed."""
    request = request_create(
        actor=actor or c.relative,
        institution=c.institution_a,
        veteran=c.veteran_a,
        service_type=ServiceType.objects.get(code=service),
        channel="web",
        details="Почитать вслух",
    )
    request_announce.call(request_id=request.pk)
    return request


def assign_and_schedule(c: Cast, request: CareRequest, starts: datetime.datetime) -> CareRequest:
    """The coordinator opens it, gives it to volunteer A, who plans a one-hour visit."""
    request_triage(actor=c.coord_a, request=request)
    request_assign(actor=c.coord_a, request=request, volunteer=c.volunteer_a)
    return request_schedule(
        actor=c.volunteer_user,
        request=request,
        starts=starts,
        ends=starts + datetime.timedelta(hours=1),
    )


def told(user: User, kind: str | None = None) -> list[Message]:
    """Messages written for a person (all channels), oldest first."""
    messages = Message.objects.filter(recipient=user).order_by("created_at", "pk")
    return list(messages.filter(kind=kind) if kind else messages)


def kinds_told(user: User) -> list[str]:
    return [m.kind for m in told(user)]
