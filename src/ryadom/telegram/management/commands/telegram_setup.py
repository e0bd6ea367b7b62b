"""Point Telegram at our webhook and publish the bot's commands (run once per deployment)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation
from django.utils.translation import gettext as _

from ryadom.telegram.client import BotApiError, Call, bot_call
from ryadom.telegram.conf import telegram_settings


def _commands() -> list[dict[str, str]]:
    return [
        {"command": "ask", "description": _("Ask for help")},
        {"command": "status", "description": _("My requests")},
        {"command": "offers", "description": _("Offers")},
        {"command": "visits", "description": _("My visits")},
        {"command": "tomorrow", "description": _("Tomorrow")},
        {"command": "help", "description": _("Help")},
        {"command": "unlink", "description": _("Unlink this chat")},
    ]


class Command(BaseCommand):
    help = "Set the bot's webhook to SITE_URL/telegram/webhook/<secret>/ and its command menu."

    def handle(self, *args: Any, **options: Any) -> None:
        config = telegram_settings()
        if not config.token or not config.webhook_secret:
            raise CommandError(
                "Set RYADOM_TELEGRAM_BOT_TOKEN and RYADOM_TELEGRAM_WEBHOOK_SECRET first."
            )
        url = f"{settings.SITE_URL}/telegram/webhook/{config.webhook_secret}/"
        calls = [
            Call(
                "setWebhook",
                {"url": url, "allowed_updates": ["message", "callback_query"]},
            )
        ]
        for language in ("ru", "en"):
            with translation.override(language):
                payload: dict[str, Any] = {"commands": _commands()}
            if language != settings.LANGUAGE_CODE:
                payload["language_code"] = language
            calls.append(Call("setMyCommands", payload))
        for call in calls:
            try:
                bot_call(call)
            except BotApiError as exc:
                raise CommandError(str(exc)) from exc
        # The secret is part of the address: never print it.
        self.stdout.write(f"Webhook set to {settings.SITE_URL}/telegram/webhook/…/")
