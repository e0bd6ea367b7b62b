"""`ryadom telegram_setup` points Telegram at the webhook and publishes the commands."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from tests.telegram.conftest import SECRET
from tests.telegram.fakes import FakeBotApi


def test_the_webhook_and_the_commands_are_set(bot_api: FakeBotApi, settings: Any) -> None:
    settings.SITE_URL = "https://ryadom.example"
    out = io.StringIO()

    call_command("telegram_setup", stdout=out)

    methods = [method for method, _body in bot_api.bot_calls]
    assert methods == ["setWebhook", "setMyCommands", "setMyCommands"]
    webhook = bot_api.bot_calls[0][1]
    assert webhook["url"] == f"https://ryadom.example/telegram/webhook/{SECRET}/"
    english = next(body for method, body in bot_api.bot_calls if body.get("language_code") == "en")
    assert {"command": "ask", "description": "Ask for help"} in english["commands"]
    assert SECRET not in out.getvalue()


def test_without_a_token_or_secret_it_refuses(bot_api: FakeBotApi, settings: Any) -> None:
    settings.NOTIFICATIONS = {**settings.NOTIFICATIONS, "TELEGRAM_WEBHOOK_SECRET": ""}
    with pytest.raises(CommandError):
        call_command("telegram_setup")
    assert bot_api.bot_calls == []


def test_a_refusal_by_telegram_is_reported(bot_api: FakeBotApi) -> None:
    bot_api.fail_with = 401
    with pytest.raises(CommandError, match="HTTP 401"):
        call_command("telegram_setup")
