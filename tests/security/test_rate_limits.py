"""Request intake is rate limited per person: a clear 429, and the window passes."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from ryadom.accounts.services import api_token_issue
from ryadom.care.models import CareRequest
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    """Messages are asserted in English; Russian is the default language of pages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


LIMIT, PERIOD = settings.RATE_LIMITS["intake"]


def test_requests_beyond_the_hours_limit_through_the_api_get_429_until_the_hour_passes(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    _token, key = api_token_issue(actor=c.liaison, user=c.liaison, name="ward system")
    auth = {"Authorization": f"Bearer {key}"}
    body = {"service": "laundry.wash", "institution": c.institution_a.pk, "details": "Постирать"}
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        for _ in range(LIMIT):
            response = client.post(
                "/api/v1/requests", body, content_type="application/json", headers=auth
            )
            assert response.status_code == 201, response.content
        limited = client.post(
            "/api/v1/requests", body, content_type="application/json", headers=auth
        )
        assert limited.status_code == 429
        assert limited.json()["detail"].startswith("Too many attempts. Please wait")
        assert limited.json()["errors"] == []
        assert 0 < int(limited["Retry-After"]) <= PERIOD
        assert CareRequest.objects.count() == LIMIT

        # Someone else is not slowed down by it.
        other = Client(HTTP_ACCEPT_LANGUAGE="en")
        other.force_login(c.coord_a)
        assert (
            other.post("/api/v1/requests", body, content_type="application/json").status_code == 201
        )

        clock.move_to(start + datetime.timedelta(seconds=PERIOD + 1))
        again = client.post("/api/v1/requests", body, content_type="application/json", headers=auth)
        assert again.status_code == 201


def test_the_ask_form_says_too_many_attempts_in_words(care_cast: Cast, client: Client) -> None:
    client.force_login(care_cast.relative)
    for _ in range(LIMIT):
        assert client.post("/ask/", {"to": "2"}).status_code != 429
    limited = client.post("/ask/", {"to": "2"}, headers={"Accept-Language": "en"})
    assert limited.status_code == 429
    page = limited.content.decode()
    assert "<h1>Too many attempts</h1>" in page
    assert "Please wait" in page
