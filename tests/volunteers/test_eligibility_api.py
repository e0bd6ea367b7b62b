"""GET /api/v1/volunteers/me/eligibility: the checklist for one institution, as JSON."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from ryadom.volunteers.models import CheckKind, CheckStatus
from ryadom.volunteers.services import check_record
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def url(institution_id: int) -> str:
    return f"/api/v1/volunteers/me/eligibility?institution={institution_id}"


def test_a_volunteer_sees_what_is_missing_and_then_that_they_may_work(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    client.force_login(c.volunteer_user)
    body = client.get(url(c.institution_a.pk)).json()
    assert body["eligible"] is True and body["missing"] == []
    assert body["on"] == timezone.localdate().isoformat()

    # Region B's hospital: no agreement with the volunteer's NGO, no checks missing though.
    body = client.get(url(c.institution_b.pk)).json()
    assert (body["eligible"], body["missing"]) == (False, ["ngo_agreement"])

    check_record(
        actor=c.ngo_manager,
        volunteer=c.volunteer_a,
        kind=CheckKind.MEDICAL,
        status=CheckStatus.REFUSED,
    )
    body = client.get(url(c.institution_a.pk), HTTP_ACCEPT_LANGUAGE="en").json()
    assert (body["eligible"], body["missing"]) == (False, ["medical"])
    [medical] = [s for s in body["steps"] if s["code"] == "medical"]
    assert medical["status"] == "refused" and medical["done"] is False
    assert medical["missing"] == "Medical clearance: Refused."

    until = timezone.localdate() + datetime.timedelta(days=90)
    check_record(
        actor=c.ngo_manager,
        volunteer=c.volunteer_a,
        kind=CheckKind.MEDICAL,
        status=CheckStatus.PASSED,
        valid_until=until,
    )
    [medical] = [
        s for s in client.get(url(c.institution_a.pk)).json()["steps"] if s["code"] == "medical"
    ]
    assert (medical["done"], medical["valid_until"]) == (True, until.isoformat())


def test_who_gets_what(cast: Cast, client: Client) -> None:
    assert client.get(url(cast.institution_a.pk)).status_code == 401
    client.force_login(cast.veteran_user)
    refused = client.get(url(cast.institution_a.pk), HTTP_ACCEPT_LANGUAGE="en")
    assert refused.status_code == 403
    assert "Only volunteers" in refused.json()["detail"]
    client.force_login(cast.volunteer_user)
    assert client.get(url(999999)).status_code == 404
    bad = client.get("/api/v1/volunteers/me/eligibility?institution=abc")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "institution"
