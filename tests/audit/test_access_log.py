"""The veteran's access log names the staff who handled their requests."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import User
from ryadom.care.models import Channel
from ryadom.care.services.coordination import request_triage
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.demo.accounts import ensure_demo_accounts
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def _log(client: Client, user: User) -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client.get("/my/access-log/").content.decode()


def test_staff_steps_on_a_request_read_as_words_in_the_veterans_log(
    care_cast: Cast, client: Client
) -> None:
    request = request_create(
        actor=care_cast.veteran_user,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=care_cast.institution_a,
        veteran=care_cast.veteran_a,
        channel=Channel.WEB,
    )
    request_triage(actor=care_cast.coord_a, request=request)
    page = _log(client, care_cast.veteran_user)
    assert f"Checked a request for you #{request.pk}" in page
    assert "care_request." not in page


def test_the_demo_veteran_sees_the_staff_who_handled_their_requests(client: Client) -> None:
    ensure_demo_accounts(today=timezone.localdate())
    page = _log(client, User.objects.get(username="veteran"))
    assert "Nobody yet" not in page
    assert User.objects.get(username="coord-moscow").display_name in page
    assert "Opened a request for you" in page
