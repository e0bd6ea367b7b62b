"""Linking a Telegram chat to an account with a one-time code, and what an unlinked chat gets."""

from __future__ import annotations

import datetime
import json
import re
from typing import Any

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from ryadom.audit.models import AuditEvent
from ryadom.notifications.models import Preference
from ryadom.telegram.models import LinkCode, TelegramLink
from ryadom.telegram.services import link_code_issue
from tests.conftest import Cast
from tests.telegram.conftest import SECRET, linked
from tests.telegram.fakes import FakeBotApi

pytestmark = pytest.mark.django_db

NOT_LINKED = "This chat is not linked to a Ryadom account"


def _signed_in(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_the_code_from_the_profile_links_the_chat_and_turns_on_telegram_messages(
    cast: Cast, telegram: Any
) -> None:
    cast.volunteer_user.language = "en"
    cast.volunteer_user.save()
    web = _signed_in(cast.volunteer_user)
    profile = web.get("/profile/").content.decode()
    assert "Link Telegram" in profile
    assert re.search(
        r'action="/profile/telegram/link/">\s*<input type="hidden" '
        r'name="csrfmiddlewaretoken" value="\w{20,}"',
        profile,
    )
    page = web.post("/profile/telegram/link/").content.decode()
    code = re.search(r'id="link-code">(\w+)<', page).group(1)  # type: ignore[union-attr]
    assert f"https://t.me/RyadomTestBot?start={code}" in page

    person = telegram()
    answer = person.send(f"/start {code}")

    link = TelegramLink.objects.get(user=cast.volunteer_user)
    assert link.chat_id == str(person.chat_id)
    assert "Hello" in answer.text and "linked to your Ryadom account" in answer.text
    assert answer.menu == ["Offers", "My visits", "Tomorrow", "Help"]
    preference = Preference.objects.get(user=cast.volunteer_user)
    assert "telegram" in preference.channels and "email" in preference.channels
    assert preference.telegram_chat_id == str(person.chat_id)
    assert AuditEvent.objects.filter(action="telegram.linked", actor=cast.volunteer_user).exists()
    assert "Your Telegram is linked" in web.get("/profile/").content.decode()


def test_the_code_alone_links_too_and_is_stored_only_as_a_hash(cast: Cast, telegram: Any) -> None:
    cast.veteran_user.language = "en"
    cast.veteran_user.save()
    code = link_code_issue(actor=cast.veteran_user)
    stored = LinkCode.objects.get(user=cast.veteran_user)
    assert code not in json.dumps(list(LinkCode.objects.values()), default=str)
    assert len(stored.code_hash) == 64

    answer = telegram().send(code.lower())

    assert TelegramLink.objects.filter(user=cast.veteran_user).exists()
    assert answer.menu == ["Ask for help", "My requests", "Help"]


def test_after_linking_the_bot_speaks_the_accounts_language(cast: Cast, telegram: Any) -> None:
    cast.veteran_user.language = "ru"
    cast.veteran_user.save()
    answer = telegram(language_code="en").send(link_code_issue(actor=cast.veteran_user))
    assert answer.menu[0] == "Попросить о помощи"


def test_a_code_works_once(cast: Cast, telegram: Any) -> None:
    code = link_code_issue(actor=cast.veteran_user)
    first, second = telegram(), telegram()
    first.send(f"/start {code}")

    answer = second.send(f"/start {code}")

    assert "This code is wrong or has expired" in answer.text
    assert TelegramLink.objects.get(user=cast.veteran_user).chat_id == str(first.chat_id)


def test_an_expired_code_does_not_link(cast: Cast, telegram: Any) -> None:
    code = link_code_issue(actor=cast.veteran_user)
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=16)):
        answer = telegram().send(code)
    assert "This code is wrong or has expired" in answer.text
    assert not TelegramLink.objects.exists()


def test_a_new_code_replaces_the_previous_one(cast: Cast, telegram: Any) -> None:
    cast.veteran_user.language = "en"  # once linked, the bot speaks the account's language
    cast.veteran_user.save(update_fields=["language"])
    old = link_code_issue(actor=cast.veteran_user)
    new = link_code_issue(actor=cast.veteran_user)
    assert "wrong or has expired" in telegram().send(old).text
    assert "linked to your Ryadom account" in telegram().send(new).text


def test_a_chat_that_guesses_codes_is_stopped(cast: Cast, telegram: Any) -> None:
    cast.veteran_user.language = "en"  # once linked, the bot speaks the account's language
    cast.veteran_user.save(update_fields=["language"])
    person = telegram()
    for _attempt in range(5):
        assert "wrong or has expired" in person.send("/start ABCDEFGH").text
    code = link_code_issue(actor=cast.veteran_user)

    answer = person.send(f"/start {code}")

    assert "Too many wrong codes" in answer.text
    assert not TelegramLink.objects.exists()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=61)):
        fresh = link_code_issue(actor=cast.veteran_user)
        assert "linked" in person.send(f"/start {fresh}").text


def test_a_strangers_chat_learns_nothing(care_cast: Cast, telegram: Any) -> None:
    from ryadom.care.models import Channel
    from ryadom.care.services.intake import request_create
    from ryadom.catalogue.models import ServiceType

    request = request_create(
        actor=care_cast.veteran_user,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=care_cast.institution_a,
        veteran=care_cast.veteran_a,
        channel=Channel.WEB,
    )
    stranger = telegram()
    for text in ("/status", "/offers", "/ask", "My requests", "hello"):
        answer = stranger.send(text)
        assert [m["text"] for m in answer.messages] == [answer.messages[0]["text"]]
        assert NOT_LINKED in answer.text
        assert answer.buttons == {} and answer.menu == []
    pressed = stranger.press(f"confirm:{request.pk}")
    assert [method for method, _body in pressed.calls] == ["answerCallbackQuery"]
    assert NOT_LINKED in pressed.calls[0][1]["text"]
    request.refresh_from_db()
    assert request.status == "new"


def test_a_group_chat_is_never_answered_even_with_a_valid_code(cast: Cast, telegram: Any) -> None:
    group = telegram(chat_type="group")
    answer = group.send(f"/start {link_code_issue(actor=cast.veteran_user)}")
    assert answer.calls == []
    assert not TelegramLink.objects.exists()


def test_unlinking_from_the_profile_stops_the_bot_and_the_messages(
    cast: Cast, telegram: Any
) -> None:
    person = linked(telegram, cast.veteran_user)
    web = _signed_in(cast.veteran_user)

    response = web.post("/profile/telegram/unlink/", follow=True)

    assert "Telegram is unlinked" in response.content.decode()
    assert not TelegramLink.objects.exists()
    preference = Preference.objects.get(user=cast.veteran_user)
    assert (preference.channels, preference.telegram_chat_id) == (["email"], "")
    assert NOT_LINKED in person.send("/status").text


def test_unlink_from_the_chat(cast: Cast, telegram: Any) -> None:
    person = linked(telegram, cast.veteran_user)
    answer = person.send("/unlink")
    assert "no longer linked" in answer.text
    assert answer.messages[0]["reply_markup"] == {"remove_keyboard": True}
    assert not TelegramLink.objects.exists()


def test_a_chat_linked_to_someone_else_moves_to_the_new_account(cast: Cast, telegram: Any) -> None:
    person = linked(telegram, cast.veteran_user)
    person.send(link_code_issue(actor=cast.relative))
    assert TelegramLink.objects.get(chat_id=str(person.chat_id)).user == cast.relative
    assert Preference.objects.get(user=cast.veteran_user).telegram_chat_id == ""


def test_linking_pages_need_a_signed_in_person(cast: Cast) -> None:
    client = Client()
    assert client.post("/profile/telegram/link/").status_code == 302
    assert client.post("/profile/telegram/unlink/").status_code == 302
    assert not LinkCode.objects.exists()


# --- the webhook itself ---------------------------------------------------------------------


def test_a_wrong_secret_is_not_found_and_does_nothing(cast: Cast, bot_api: FakeBotApi) -> None:
    code = link_code_issue(actor=cast.veteran_user)
    update = {
        "update_id": 1,
        "message": {"chat": {"id": 1, "type": "private"}, "text": f"/start {code}"},
    }
    client = Client()
    for secret in ("wrong", SECRET[:-1], SECRET + "x"):
        response = client.post(
            f"/telegram/webhook/{secret}/", json.dumps(update), content_type="application/json"
        )
        assert response.status_code == 404
    assert not TelegramLink.objects.exists() and bot_api.bot_calls == []


def test_without_a_configured_secret_the_webhook_does_not_exist(
    cast: Cast, bot_api: FakeBotApi, settings: Any
) -> None:
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "TELEGRAM_WEBHOOK_SECRET": ""}
    response = Client().post("/telegram/webhook/x/", "{}", content_type="application/json")
    assert response.status_code == 404


def test_the_webhook_takes_only_json_posts(bot_api: FakeBotApi, db: None) -> None:
    client = Client()
    url = f"/telegram/webhook/{SECRET}/"
    assert client.get(url).status_code == 405
    assert client.post(url, "not json", content_type="application/json").status_code == 400
    assert client.post(url, "[1]", content_type="application/json").status_code == 400
    # An update of a kind the bot does not handle (an edited message, a poll): nothing.
    ok = client.post(url, json.dumps({"update_id": 7, "poll": {}}), content_type="application/json")
    assert ok.status_code == 200 and bot_api.bot_calls == []


def test_an_update_sent_twice_is_handled_once(cast: Cast, telegram: Any) -> None:
    cast.veteran_user.language = "en"  # once linked, the bot speaks the account's language
    cast.veteran_user.save(update_fields=["language"])
    person = telegram()
    code = link_code_issue(actor=cast.veteran_user)
    first = person.send(f"/start {code}", update_id=424242)
    again = person.send(f"/start {code}", update_id=424242)
    assert "linked" in first.text
    assert again.calls == []


def test_a_reply_that_cannot_be_sent_does_not_undo_the_action(
    cast: Cast, telegram: Any, bot_api: FakeBotApi
) -> None:
    bot_api.fail_with = 502
    telegram().send(link_code_issue(actor=cast.veteran_user))
    assert TelegramLink.objects.filter(user=cast.veteran_user).exists()


def test_texts_follow_the_language_of_the_persons_telegram_before_linking(
    telegram: Any, db: None
) -> None:
    answer = telegram(language_code="ru").send("/start")
    english = telegram(language_code="en").send("/start")
    assert NOT_LINKED in english.text
    # Russian is the default; with the catalogue compiled the text is in Russian.
    assert answer.text and answer.text != "" and len(answer.messages) == 1
