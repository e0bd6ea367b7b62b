"""Coordinators hear at once of missed deadlines and of complaints."""

from __future__ import annotations

import datetime

import pytest

from ryadom.care.services.coordination import request_assign, request_escalate, request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.requester import request_feedback
from ryadom.care.services.volunteer_work import request_check_in, request_complete, request_schedule
from ryadom.catalogue.models import ServiceType
from ryadom.notifications.models import Message
from tests.care.test_lifecycle_api import _visit_slot
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _request(c: Cast) -> object:
    for user in (c.coord_a, c.federal):
        user.email = f"{user.username}@example.org"
        user.save(update_fields=["email"])
    return request_create(
        actor=c.liaison,
        institution=c.institution_a,
        veteran=c.veteran_a2,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        channel="ward",
    )


def test_a_missed_deadline_alerts_the_owner_then_federal_staff_once_each(
    care_cast: Cast,
) -> None:
    request = _request(care_cast)
    request_escalate(request=request, expected_level=0)
    request_escalate(request=request, expected_level=0)  # a second run changes nothing
    alerts = Message.objects.filter(kind="escalation")
    assert [m.recipient for m in alerts] == [care_cast.coord_a]
    assert alerts.get().urgent and f"#{request.pk}" in alerts.get().subject
    request_escalate(request=request, expected_level=1)
    assert sorted(m.recipient.username for m in Message.objects.filter(kind="escalation")) == [
        "coord_a",
        "federal",
    ]


def test_a_complaint_alerts_the_coordinator(care_cast: Cast) -> None:
    c = care_cast
    request = _request(c)
    request_triage(actor=c.coord_a, request=request)
    request_assign(actor=c.coord_a, request=request, volunteer=c.volunteer_a)
    starts, ends = (datetime.datetime.fromisoformat(t) for t in _visit_slot())
    request_schedule(actor=c.volunteer_user, request=request, starts=starts, ends=ends)
    request_check_in(actor=c.volunteer_user, request=request)
    request_complete(actor=c.volunteer_user, request=request)
    request_feedback(actor=c.liaison, request=request, done=True, respectful=False)
    alert = Message.objects.get(kind="complaint")
    assert alert.recipient == c.coord_a and f"/requests/{request.pk}/" in alert.body
