"""Giving a request to an NGO alone: only where the NGO has an agreement valid today."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from ryadom.care.models import CareRequest, Channel, Status
from ryadom.care.services.coordination import request_assign, request_triage
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _triaged(c: Cast) -> CareRequest:
    request = request_create(
        actor=c.coord_a,
        service_type=ServiceType.objects.get(code="leisure.reading"),
        institution=c.institution_a,
        channel=Channel.PHONE,
    )
    return request_triage(actor=c.coord_a, request=request)


def test_an_ngo_with_an_agreement_takes_the_request(care_cast: Cast) -> None:
    c = care_cast
    request = request_assign(actor=c.coord_a, request=_triaged(c), organisation=c.ngo_a)
    assert (request.status, request.organisation_id, request.volunteer_id) == (
        Status.ASSIGNED,
        c.ngo_a.pk,
        None,
    )


def test_an_ngo_without_an_agreement_with_the_institution_is_refused(care_cast: Cast) -> None:
    c = care_cast  # NGO B has an agreement with hospital B only
    request = _triaged(c)
    with pytest.raises(ApplicationError) as err:
        request_assign(actor=c.coord_a, request=request, organisation=c.ngo_b)
    assert err.value.field == "organisation"
    assert "no valid agreement" in err.value.message and c.institution_a.name in err.value.message
    request.refresh_from_db()
    assert (request.status, request.organisation_id) == (Status.TRIAGED, None)
    assert not request.events.filter(action="assign").exists()


@pytest.mark.parametrize("kind", ["expired", "future"])
def test_an_agreement_not_valid_today_does_not_count(care_cast: Cast, kind: str) -> None:
    c = care_cast
    today, day = timezone.localdate(), datetime.timedelta(days=1)
    if kind == "expired":
        f.AgreementFactory(
            organisation=c.ngo_b,
            institution=c.institution_a,
            valid_from=today - 60 * day,
            valid_to=today - day,
        )
    else:
        f.AgreementFactory(
            organisation=c.ngo_b, institution=c.institution_a, valid_from=today + day
        )
    with pytest.raises(ApplicationError):
        request_assign(actor=c.coord_a, request=_triaged(c), organisation=c.ngo_b)


def test_the_api_answers_422_naming_the_organisation(care_cast: Cast, client: Client) -> None:
    c = care_cast
    request = _triaged(c)
    client.force_login(c.coord_a)
    response = client.post(
        f"/api/v1/requests/{request.pk}/assign",
        {"organisation": c.ngo_b.pk},
        content_type="application/json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 422, response.json()
    assert response.json()["errors"][0]["field"] == "organisation"
    assert CareRequest.objects.get(pk=request.pk).status == Status.TRIAGED
