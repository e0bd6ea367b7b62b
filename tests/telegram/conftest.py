"""The fake Bot API, and a Telegram user who talks to the bot through the real webhook."""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.test import Client

from tests.telegram.fakes import FakeBotApi

SECRET = "webhook-secret-for-tests"
_update_ids = itertools.count(1000)


@pytest.fixture
def bot_api(settings: Any) -> Iterator[FakeBotApi]:
    server = FakeBotApi()
    server.start()
    settings.NOTIFICATIONS = {
        **settings.NOTIFICATIONS,
        "TELEGRAM_API_BASE": server.url,
        "TELEGRAM_BOT_TOKEN": server.telegram_token,
        "TELEGRAM_WEBHOOK_SECRET": SECRET,
        "TELEGRAM_BOT_USERNAME": "RyadomTestBot",
        "HTTP_TIMEOUT_SECONDS": 5,
    }
    yield server
    server.stop()


@dataclass
class Answer:
    """What the bot sent back to one update."""

    calls: list[tuple[str, dict[str, Any]]]

    @property
    def messages(self) -> list[dict[str, Any]]:
        return [body for method, body in self.calls if method == "sendMessage"]

    @property
    def text(self) -> str:
        return "\n".join(str(m["text"]) for m in self.messages)

    @property
    def buttons(self) -> dict[str, str]:
        """Inline buttons of every message: text → callback data."""
        found = {}
        for message in self.messages:
            for row in message.get("reply_markup", {}).get("inline_keyboard", []):
                for button in row:
                    found[button["text"]] = button["callback_data"]
        return found

    @property
    def callbacks(self) -> list[str]:
        """The callback data of every inline button, in order."""
        return [
            button["callback_data"]
            for message in self.messages
            for row in message.get("reply_markup", {}).get("inline_keyboard", [])
            for button in row
        ]

    @property
    def menu(self) -> list[str]:
        """The labels of the reply keyboard, if an answer set one."""
        for message in self.messages:
            keyboard = message.get("reply_markup", {}).get("keyboard")
            if keyboard:
                return [button["text"] for row in keyboard for button in row]
        return []


@dataclass
class TelegramUser:
    """A person in a private chat with the bot. Each call posts one update to the webhook."""

    api: FakeBotApi
    chat_id: int
    language_code: str = "en"
    client: Client = field(default_factory=Client)
    chat_type: str = "private"

    def post(self, update: dict[str, Any], update_id: int | None = None) -> Answer:
        before = len(self.api.bot_calls)
        update = {"update_id": update_id or next(_update_ids), **update}
        response = self.client.post(
            f"/telegram/webhook/{SECRET}/", json.dumps(update), content_type="application/json"
        )
        assert response.status_code == 200, response.content
        # Only this chat's: other chats may be talking to the bot at the same time.
        mine = [
            (method, body)
            for method, body in self.api.bot_calls[before:]
            if body.get("chat_id", str(self.chat_id)) == str(self.chat_id)
        ]
        return Answer(mine)

    def _sender(self) -> dict[str, Any]:
        return {
            "id": self.chat_id,
            "is_bot": False,
            "first_name": "Тест",
            "language_code": self.language_code,
        }

    def _chat(self) -> dict[str, Any]:
        return {"id": self.chat_id, "type": self.chat_type}

    def send(self, text: str, update_id: int | None = None) -> Answer:
        message = {
            "message_id": 1,
            "date": 0,
            "chat": self._chat(),
            "from": self._sender(),
            "text": text,
        }
        return self.post({"message": message}, update_id)

    def press(self, data: str) -> Answer:
        query = {
            "id": f"cb{next(_update_ids)}",
            "from": self._sender(),
            "data": data,
            "message": {"message_id": 1, "date": 0, "chat": self._chat()},
        }
        return self.post({"callback_query": query})


_chat_ids = itertools.count(5550001)


@pytest.fixture
def telegram(bot_api: FakeBotApi) -> Any:
    """A factory of Telegram users, each with a chat of their own."""

    def make(language_code: str = "en", chat_type: str = "private") -> TelegramUser:
        return TelegramUser(bot_api, next(_chat_ids), language_code, chat_type=chat_type)

    return make


def linked(make: Any, user: Any, *, language: str = "en") -> TelegramUser:
    """A chat linked to this user through the real code exchange."""
    from ryadom.telegram.services import link_code_issue

    user.language = language
    user.save(update_fields=["language"])
    person: TelegramUser = make()
    answer = person.send(f"/start {link_code_issue(actor=user)}")
    assert "linked to your Ryadom account" in answer.text or language != "en", answer.text
    return person
