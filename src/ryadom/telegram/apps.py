from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TelegramConfig(AppConfig):
    name = "ryadom.telegram"
    label = "telegram"
    verbose_name = _("Telegram bot")

    def ready(self) -> None:
        # Messages sent through the bot carry its buttons (notifications/events.py).
        from ryadom.notifications import events
        from ryadom.telegram.markup import message_markup

        events.telegram_markup.subscribe(message_markup)
