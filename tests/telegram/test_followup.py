"""On a follow-up contact's day the veteran is asked in Telegram how they are, and answers
with a button: the answer is an attempt the home coordinator sees on the contact."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.test import Client

from ryadom.aftercare.models import ContactOutcome, FollowUpContact
from ryadom.aftercare.tasks import announce_contact_due
from ryadom.notifications.channels import channel_get
from ryadom.notifications.models import Message
from ryadom.notifications.services import message_claim
from tests import factories as f
from tests.aftercare.conftest import discharge, plan_with_consent
from tests.conftest import Cast
from tests.telegram.conftest import TelegramUser, linked

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


@pytest.fixture
def noon() -> Iterator[None]:
    """Tomorrow at noon in Moscow and Rostov: no quiet hours."""
    day = datetime.datetime.now(tz=MOSCOW).date() + datetime.timedelta(days=1)
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(12), tzinfo=MOSCOW)):
        yield


def _contact_due_today(cast: Cast) -> FollowUpContact:
    """veteran_a2, discharged a week ago and handed over home: the 7-day contact is due."""
    plan = plan_with_consent(cast, discharge(cast, days_ago=7))
    return plan.contacts.get(days_after=7)


def _asked(contact: FollowUpContact, bot_api: Any) -> dict[str, str]:
    """Announce the contact's day and deliver what the outbox wrote: the buttons sent."""
    assert announce_contact_due.call(contact_id=contact.pk) == "announced"
    for message in Message.objects.filter(dedupe_key=f"contact:{contact.pk}:due"):
        claimed = message_claim(message_id=message.pk)
        assert claimed is not None
        channel_get(claimed.channel).send(claimed)
    sent = bot_api.telegram[-1]
    assert "How are you" in sent["text"]
    return {b["text"]: b["callback_data"] for b in sent["reply_markup"]["inline_keyboard"][0]}


@pytest.fixture
def veteran_chat(care_cast: Cast, telegram: Any) -> TelegramUser:
    veteran = care_cast.veteran_a2
    veteran.user = f.UserFactory()
    veteran.save(update_fields=["user"])
    return linked(telegram, veteran.user)


@pytest.mark.usefixtures("noon")
def test_all_is_well_records_a_reached_attempt_by_the_veteran(
    care_cast: Cast, veteran_chat: TelegramUser, bot_api: Any
) -> None:
    contact = _contact_due_today(care_cast)
    buttons = _asked(contact, bot_api)
    assert set(buttons) == {"All is well", "I need help"}
    # Only to Telegram: the question has no buttons anywhere else.
    assert {m.channel for m in Message.objects.filter(dedupe_key=f"contact:{contact.pk}:due")} == {
        "telegram"
    }

    answer = veteran_chat.press(buttons["All is well"])

    assert "glad you are well" in answer.text
    contact.refresh_from_db()
    assert contact.outcome == ContactOutcome.REACHED
    [attempt] = contact.attempts.all()
    assert (attempt.by, attempt.result) == (care_cast.veteran_a2.user, ContactOutcome.REACHED)
    assert contact.plan.first_contact_at is not None
    # A second press, or the other button, is already noted and changes nothing.
    again = veteran_chat.press(buttons["I need help"])
    assert "already noted" in again.text
    assert contact.attempts.count() == 1


@pytest.mark.usefixtures("noon")
def test_i_need_help_records_new_needs_and_tells_the_home_coordinator(
    care_cast: Cast, veteran_chat: TelegramUser, bot_api: Any
) -> None:
    contact = _contact_due_today(care_cast)
    buttons = _asked(contact, bot_api)
    contact.owner.email = "home.coordinator@example.org"
    contact.owner.save(update_fields=["email"])

    answer = veteran_chat.press(buttons["I need help"])

    assert "will call you" in answer.text
    contact.refresh_from_db()
    assert contact.outcome == ContactOutcome.NEW_NEEDS
    assert contact.attempts.get().result == ContactOutcome.NEW_NEEDS
    told = Message.objects.filter(recipient=contact.owner, kind="followup_help_asked")
    assert told.exists()
    # The coordinator sees the answer on the contact's page.
    coordinator = Client()
    coordinator.force_login(contact.owner)
    page = coordinator.get(f"/aftercare/contacts/{contact.pk}/").content.decode()
    assert "answered in Telegram: needs help" in page


@pytest.mark.usefixtures("noon")
def test_an_outsider_cannot_answer_and_nothing_changes(
    care_cast: Cast, veteran_chat: TelegramUser, telegram: Any, bot_api: Any
) -> None:
    contact = _contact_due_today(care_cast)
    buttons = _asked(contact, bot_api)
    outsider = linked(telegram, care_cast.relative)

    answer = outsider.press(buttons["All is well"])

    assert "Only the veteran may answer" in answer.text
    contact.refresh_from_db()
    assert contact.outcome == ""
    assert not contact.attempts.exists()


def test_without_a_linked_chat_the_veteran_is_not_asked(care_cast: Cast) -> None:
    veteran = care_cast.veteran_a2
    veteran.user = f.UserFactory()
    veteran.save(update_fields=["user"])
    contact = _contact_due_today(care_cast)

    assert announce_contact_due.call(contact_id=contact.pk) == "announced"

    assert not Message.objects.filter(dedupe_key=f"contact:{contact.pk}:due").exists()
