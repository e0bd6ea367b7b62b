""" "What matters to me": the coordinator reads all of it on the request page; the assigned
volunteer sees only how to address, communication and mobility, for the visit; reads audited."""

from __future__ import annotations

import pytest
from django.test import Client

from ryadom.audit.models import AuditEvent
from ryadom.care.models import CareRequest
from ryadom.care.services.coordination import request_assign, request_triage
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.veterans.consent import what_matters_update
from tests.conftest import Cast, make_ready_for_care

pytestmark = pytest.mark.django_db


def _request(c: Cast) -> CareRequest:
    make_ready_for_care(c)
    what_matters_update(
        actor=c.veteran_user,
        veteran=c.veteran_a,
        what_matters="Любит шахматы, не говорить о войне",
        communication_needs="Плохо слышит левым ухом",
        mobility_needs="На коляске",
    )
    service = ServiceType.objects.get(code="leisure.reading")
    return request_create(
        actor=c.veteran_user,
        service_type=service,
        institution=c.institution_a,
        veteran=c.veteran_a,
        channel="web",
    )


def _page(user: object, request: CareRequest) -> str:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    response = client.get(f"/requests/{request.pk}/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    return response.content.decode()


def test_the_coordinator_sees_what_matters_on_the_request_page(cast: Cast) -> None:
    request = _request(cast)
    page = _page(cast.coord_a, request)
    assert "Любит шахматы" in page and "Плохо слышит" in page and "На коляске" in page
    assert AuditEvent.objects.filter(
        action="veteran.card_viewed", actor=cast.coord_a, veteran_id=cast.veteran_a.pk
    ).exists()


def test_the_assigned_volunteer_sees_only_the_need_to_know_part(cast: Cast) -> None:
    request = _request(cast)
    request_triage(actor=cast.coord_a, request=request)
    before = _page(cast.volunteer_user, request)
    assert "Плохо слышит" not in before  # not theirs yet
    request_assign(actor=cast.coord_a, request=request, volunteer=cast.volunteer_a)
    page = _page(cast.volunteer_user, request)
    assert "Плохо слышит" in page and "На коляске" in page
    assert "Любит шахматы" not in page
    assert AuditEvent.objects.filter(
        action="veteran.need_to_know_viewed", actor=cast.volunteer_user
    ).exists()


def test_the_liaison_edits_nothing_but_the_coordinator_may(cast: Cast) -> None:
    _request(cast)
    liaison = Client()
    liaison.force_login(cast.liaison)
    url = f"/veterans/{cast.veteran_a.pk}/what-matters/"
    assert liaison.get(url).status_code == 404
    coordinator = Client()
    coordinator.force_login(cast.coord_a)
    response = coordinator.post(url, {"addressed_as": "Иван", "what_matters": "Чай без сахара"})
    assert response.status_code == 302
    cast.veteran_a.refresh_from_db()
    assert cast.veteran_a.what_matters == "Чай без сахара"
    assert cast.veteran_a.communication_needs == ""
    event = AuditEvent.objects.filter(action="veteran.what_matters_updated").latest("pk")
    assert "Чай" not in str(event.changes)
