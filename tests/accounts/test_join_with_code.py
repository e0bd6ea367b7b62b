"""Signing up at /join/ with a one-time code sent to an e-mail address or a phone."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation

from ryadom.accounts.models import OneTimeCode, User
from ryadom.accounts.services import code_send, code_verify
from ryadom.core.errors import ApplicationError
from ryadom.notifications.models import Message, MessageStatus
from tests.conftest import Cast
from tests.notifications.conftest import _database_backend, gateway, transactional  # noqa: F401
from tests.notifications.fakes import FakeHttpServer

pytestmark = pytest.mark.django_db


def last_code(address_user: User) -> str:
    """The code as the person reads it: from the outbox row's text."""
    message = Message.objects.filter(recipient=address_user, kind="one_time_code").latest("pk")
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None, message.body
    return found.group(1)


def sign_up(client: Client, address: str) -> User:
    """Ask for a code and type it in; the person is signed in afterwards."""
    response = client.post("/join/", {"address": address})
    assert response.status_code == 302, response.content.decode()
    one_time = OneTimeCode.objects.latest("pk")
    response = client.post("/join/code/", {"code": last_code(one_time.user)})
    assert response.status_code == 302
    return User.objects.get(pk=one_time.user_id)


def test_an_email_address_gets_a_code_and_the_code_signs_the_newcomer_in(
    client: Client,
) -> None:
    response = client.post(
        "/join/", {"address": "  Anna.Volkova@Example.org "}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response["Location"] == "/join/code/"
    user = User.objects.get(email="anna.volkova@example.org")
    assert not user.is_active and not user.has_usable_password()
    [message] = Message.objects.filter(recipient=user)
    assert (message.kind, message.channel, message.address) == (
        "one_time_code",
        "email",
        "anna.volkova@example.org",
    )
    assert "valid for 10 minutes" in message.body
    code = last_code(user)
    assert code not in OneTimeCode.objects.get().code_hash  # only a keyed hash is kept

    page = client.get("/join/code/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "anna.volkova@example.org" in page
    wrong = "000000" if code != "000000" else "111111"
    page = client.post("/join/code/", {"code": wrong}, HTTP_ACCEPT_LANGUAGE="en")
    assert "Wrong code. 4 attempts left." in page.content.decode()

    response = client.post("/join/code/", {"code": code})
    assert response["Location"] == "/join/profile/"
    user.refresh_from_db()
    assert user.is_active
    assert client.get("/join/profile/").status_code == 200  # signed in
    # The page request above left Russian active; the service's message is read in English.
    with translation.override("en"), pytest.raises(ApplicationError, match="no longer valid"):
        code_verify(address="anna.volkova@example.org", code=code)  # used once only


def test_a_phone_number_gets_the_code_by_sms(client: Client) -> None:
    client.post("/join/", {"address": "8 (900) 765-43-21"})
    user = User.objects.get(phone="+79007654321")
    [message] = Message.objects.filter(recipient=user)
    assert (message.channel, message.address) == ("sms", "+79007654321")


def test_five_wrong_codes_use_the_code_up(db: None) -> None:
    one_time = code_send(address="ivan@example.org")
    right = last_code(one_time.user)
    wrong = "000000" if right != "000000" else "111111"
    for left in (4, 3, 2, 1):
        with pytest.raises(ApplicationError, match=f"{left} attempt"):
            code_verify(address="ivan@example.org", code=wrong)
    with pytest.raises(ApplicationError, match="Wrong code. Ask for a new one."):
        code_verify(address="ivan@example.org", code=wrong)
    with pytest.raises(ApplicationError, match="no longer valid"):
        code_verify(address="ivan@example.org", code=right)
    # A new code works, and only the newest one does.
    code_send(address="ivan@example.org")
    assert code_verify(address="ivan@example.org", code=last_code(one_time.user)).is_active


def test_a_code_expires_after_ten_minutes(db: None) -> None:
    one_time = code_send(address="ivan@example.org")
    code = last_code(one_time.user)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=10, seconds=1)):
        with pytest.raises(ApplicationError, match="no longer valid"):
            code_verify(address="ivan@example.org", code=code)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=9)):
        assert code_verify(address="IVAN@example.org", code=code).email == "ivan@example.org"


def test_at_most_five_codes_an_hour_go_to_one_address(client: Client) -> None:
    start = timezone.now()
    for _ in range(5):
        assert client.post("/join/", {"address": "+7 900 111-22-33"}).status_code == 302
    response = client.post("/join/", {"address": "+79001112233"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 429
    assert "Too many codes have been sent to this address. Try again in" in (
        response.content.decode()
    )
    assert Message.objects.filter(kind="one_time_code").count() == 5
    # Another address is not affected, and an hour later this one may ask again.
    assert client.post("/join/", {"address": "+79001112234"}).status_code == 302
    with time_machine.travel(start + datetime.timedelta(hours=1, minutes=1)):
        assert client.post("/join/", {"address": "+79001112233"}).status_code == 302


def test_bad_addresses_get_a_clear_error_and_nothing_is_sent(client: Client) -> None:
    for bad in ["anna@", "12345", "call me"]:
        page = client.post("/join/", {"address": bad}, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 422
        assert "Enter a valid e-mail address or a phone number" in page.content.decode()
    assert not Message.objects.exists() and not User.objects.exists()


def test_staff_accounts_cannot_be_entered_with_a_code(cast: Cast, client: Client) -> None:
    cast.coord_a.email = "coord@example.org"
    cast.coord_a.save()
    page = client.post("/join/", {"address": "coord@example.org"}, HTTP_ACCEPT_LANGUAGE="en")
    assert "signs in with a password" in page.content.decode()
    assert not Message.objects.filter(recipient=cast.coord_a).exists()


def test_a_volunteer_signs_back_in_with_a_code_to_their_own_account(
    cast: Cast, client: Client
) -> None:
    cast.volunteer_user.email = "helper@example.org"
    cast.volunteer_user.save()
    user = sign_up(client, "helper@example.org")
    assert user == cast.volunteer_user
    assert client.get("/join/").url == "/volunteer/checklist/"  # a volunteer already


@transactional
def test_the_sms_with_the_code_reaches_the_gateway(
    settings: Any,
    gateway: FakeHttpServer,  # noqa: F811 - the fixture imported above
    client: Client,
) -> None:
    settings.TASKS = {
        "default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["urgent", "default"]}
    }
    client.post("/join/", {"address": "+79005550011"})
    _database_backend().run_worker()
    [sms] = gateway.sms.values()
    assert sms["to"] == "+79005550011"
    code = re.search(r"\b(\d{6})\b", sms["text"])
    assert code is not None
    assert Message.objects.get().status == MessageStatus.SENT
    response = client.post("/join/code/", {"code": code.group(1)})
    assert response["Location"] == "/join/profile/"
