"""The notification settings page, and the coordinators' page of undelivered messages."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from ryadom.accounts.models import User
from ryadom.audit.models import AuditEvent
from ryadom.notifications.models import Message, MessageStatus, Preference
from ryadom.notifications.services import message_claim, message_fail, notify
from tests.conftest import Cast
from tests.telegram.conftest import linked

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _daytime() -> Iterator[None]:
    noon = datetime.datetime(2026, 6, 1, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
    with time_machine.travel(noon):
        yield


def _as(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- /profile/notifications/ ---------------------------------------------------------------


def test_a_person_chooses_channels_and_quiet_hours(cast: Cast) -> None:
    user = cast.volunteer_user
    user.phone = "+79001234567"
    user.save()
    client = _as(user)
    page = client.get("/profile/notifications/").content.decode()
    assert 'value="email" ' in page and "checked" in page
    assert "+79001234567" in page and "not linked yet" in page

    response = client.post(
        "/profile/notifications/",
        {"channels": ["sms", "email"], "quiet_from": "23:00", "quiet_until": "07:30"},
        follow=True,
    )

    assert "Your notification settings are saved." in response.content.decode()
    preference = Preference.objects.get(user=user)
    assert preference.channels == ["sms", "email"]
    assert (preference.quiet_from, preference.quiet_until) == (
        datetime.time(23),
        datetime.time(7, 30),
    )
    assert AuditEvent.objects.filter(action="notification_preference.changed", actor=user).exists()


def test_no_quiet_hours_at_all(cast: Cast) -> None:
    client = _as(cast.veteran_user)
    client.post("/profile/notifications/", {"channels": ["email"]})
    preference = Preference.objects.get(user=cast.veteran_user)
    assert (preference.quiet_from, preference.quiet_until) == (None, None)


def test_bad_choices_are_explained_next_to_the_field_and_change_nothing(cast: Cast) -> None:
    client = _as(cast.veteran_user)
    none = client.post("/profile/notifications/", {"quiet_from": "22:00", "quiet_until": "08:00"})
    assert none.status_code == 400
    assert "Choose at least one of: e-mail, SMS, Telegram." in none.content.decode()
    half = client.post("/profile/notifications/", {"channels": ["email"], "quiet_from": "22:00"})
    assert half.status_code == 400
    assert "Give both the start and the end of the quiet hours" in half.content.decode()
    unknown = client.post("/profile/notifications/", {"channels": ["pigeon"]})
    assert unknown.status_code == 400
    assert not Preference.objects.exists()


def test_saving_the_page_keeps_the_linked_telegram_chat(cast: Cast, telegram: Any) -> None:
    person = linked(telegram, cast.veteran_user)
    client = _as(cast.veteran_user)
    assert "linked" in client.get("/profile/notifications/").content.decode()

    client.post("/profile/notifications/", {"channels": ["telegram"]})

    preference = Preference.objects.get(user=cast.veteran_user)
    assert (preference.channels, preference.telegram_chat_id) == (["telegram"], str(person.chat_id))


def test_the_settings_page_needs_a_signed_in_person(db: None) -> None:
    response = Client().get("/profile/notifications/")
    assert response.status_code == 302 and "/login/" in response["Location"]


# --- /queue/messages/failed/ ---------------------------------------------------------------


def _failed(user: User, key: str) -> Message:
    user.email = f"{user.username}@example.org"
    user.save()
    [message] = notify(
        recipient=user,
        kind="request_cancelled",
        context={"number": 7, "service": "Стирка"},
        dedupe_key=key,
    )
    claimed = message_claim(message_id=message.pk)
    assert claimed is not None
    return message_fail(message=claimed, error="550 No such user")


def test_a_coordinator_sees_the_failures_of_their_region_and_sends_one_again(cast: Cast) -> None:
    ours = _failed(cast.volunteer_user, "a")  # a volunteer of region A
    theirs = _failed(cast.volunteer_b.user, "b")  # region B
    client = _as(cast.coord_a)

    page = client.get("/queue/messages/failed/").content.decode()

    assert cast.volunteer_user.display_name in page and "550 No such user" in page
    assert "volunteer@example.org" in page
    assert cast.volunteer_b.user.display_name not in page
    assert "Messages not delivered" in client.get("/queue/").content.decode()  # the nav link

    response = client.post(f"/queue/messages/failed/{ours.pk}/resend/", follow=True)

    assert "will be sent again" in response.content.decode()
    ours.refresh_from_db()
    assert (ours.status, ours.attempts) == (MessageStatus.PENDING, 0)
    assert AuditEvent.objects.filter(action="notification.resent", actor=cast.coord_a).exists()
    # Theirs: the same "not found" as a message that does not exist.
    assert client.post(f"/queue/messages/failed/{theirs.pk}/resend/").status_code == 404
    assert client.post("/queue/messages/failed/999999/resend/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == MessageStatus.FAILED


def test_sending_again_twice_says_it_is_already_on_its_way(cast: Cast) -> None:
    message = _failed(cast.volunteer_user, "a")
    client = _as(cast.coord_a)
    client.post(f"/queue/messages/failed/{message.pk}/resend/")
    again = client.post(f"/queue/messages/failed/{message.pk}/resend/", follow=True)
    assert "Only a message that could not be delivered can be sent again." in (
        again.content.decode()
    )


def test_federal_staff_see_every_failure(cast: Cast) -> None:
    _failed(cast.volunteer_user, "a")
    _failed(cast.volunteer_b.user, "b")
    page = _as(cast.federal).get("/queue/messages/failed/").content.decode()
    assert page.count("Send again") == 2


def test_only_coordinators_open_the_failures_page(cast: Cast) -> None:
    message = _failed(cast.volunteer_user, "a")
    for user in (cast.volunteer_user, cast.liaison, cast.ngo_manager, cast.observer, cast.stranger):
        client = _as(user)
        assert client.get("/queue/messages/failed/").status_code == 403
        assert client.post(f"/queue/messages/failed/{message.pk}/resend/").status_code == 403
    assert Client().get("/queue/messages/failed/").status_code == 302
    message.refresh_from_db()
    assert message.status == MessageStatus.FAILED


def test_the_failures_page_takes_the_same_queries_for_many_rows(cast: Cast) -> None:
    client = _as(cast.federal)
    _failed(cast.volunteer_user, "first")
    with CaptureQueriesContext(connection) as one:
        client.get("/queue/messages/failed/")
    for n in range(10):
        _failed(cast.volunteer_b.user if n % 2 else cast.volunteer_user, f"k{n}")
    with CaptureQueriesContext(connection) as many:
        assert client.get("/queue/messages/failed/").status_code == 200
    assert len(many) == len(one)
