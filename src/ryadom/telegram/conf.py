"""The bot's settings: the Bot API's address and token come from the notifications settings,
the webhook's secret and the bot's public name from their own entries there."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.conf import settings

from ryadom.notifications.conf import notification_settings

LINK_CODE_TTL = datetime.timedelta(minutes=15)
# Wrong codes a chat may send in an hour before the bot stops trying them.
MAX_WRONG_CODES_PER_HOUR = 5


@dataclass(frozen=True)
class TelegramSettings:
    api_base: str
    token: str
    webhook_secret: str
    bot_username: str
    http_timeout: float


def telegram_settings() -> TelegramSettings:
    raw: dict[str, Any] = settings.NOTIFICATIONS
    notifications = notification_settings()
    return TelegramSettings(
        api_base=notifications.telegram_api_base,
        token=notifications.telegram_bot_token,
        webhook_secret=str(raw.get("TELEGRAM_WEBHOOK_SECRET", "")),
        bot_username=str(raw.get("TELEGRAM_BOT_USERNAME", "")).lstrip("@"),
        http_timeout=notifications.http_timeout,
    )
