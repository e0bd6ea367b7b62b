"""What every side of the bot's conversation shares: saying things, buttons, the menu."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest
from ryadom.care.page_selectors import page_roles
from ryadom.core.errors import ApplicationError, NotFoundError
from ryadom.telegram.client import Call
from ryadom.telegram.models import TelegramLink

# How many offers, requests or visits one answer lists; the rest are on the site.
LIST_LIMIT = 5
BUTTONS_PER_ROW = 2

Markup = dict[str, Any]


def inline_keyboard(pairs: list[tuple[str, str]], per_row: int = 1) -> Markup:
    """An inline keyboard of (text, callback data) buttons."""
    rows = [
        [{"text": text, "callback_data": data} for text, data in pairs[i : i + per_row]]
        for i in range(0, len(pairs), per_row)
    ]
    return {"inline_keyboard": rows}


def when(moment: datetime.datetime, zone: Any) -> str:
    return formats.date_format(moment.astimezone(zone), "j E, H:i")


def place(request: CareRequest) -> str:
    if request.department is None:
        return request.institution.name
    return _("%(institution)s, %(department)s") % {
        "institution": request.institution.name,
        "department": request.department.name,
    }


def place_and_veteran(request: CareRequest) -> str:
    """Where the visit is and, when known, for whom: one message so word order can change."""
    if request.veteran is None:
        return place(request)
    return _("%(place)s — %(veteran)s") % {
        "place": place(request),
        "veteran": request.veteran.addressed_as,
    }


def request_url(request: CareRequest) -> str:
    return f"{settings.SITE_URL}/requests/{request.pk}/"


class Chat:
    """Answers to one update from one chat, in the chat's language."""

    def __init__(self, *, chat_id: str, link: TelegramLink | None, update_id: int) -> None:
        self.chat_id = chat_id
        self.link = link
        self.update_id = update_id
        self.calls: list[Call] = []

    @property
    def user(self) -> User:
        assert self.link is not None  # noqa: S101 - only linked chats get this far
        return self.link.user

    def say(self, text: str, markup: Markup | None = None) -> None:
        payload: dict[str, Any] = {"chat_id": self.chat_id, "text": text}
        if markup is not None:
            payload["reply_markup"] = markup
        self.calls.append(Call("sendMessage", payload))

    def attempt(self, action: Callable[[], None]) -> None:
        """Run an action; a refusal of the services becomes the answer."""
        try:
            action()
        except NotFoundError:
            self.say(_("This request was not found."))
        except ApplicationError as exc:
            self.say(exc.message)

    def menu_items(self) -> list[tuple[str, str]]:
        roles = page_roles(actor=self.user)
        items: list[tuple[str, str]] = []
        if roles.requester:
            items += [(_("Ask for help"), "/ask"), (_("My requests"), "/status")]
        if roles.volunteer:
            items += [
                (_("Offers"), "/offers"),
                (_("My visits"), "/visits"),
                (_("Tomorrow"), "/tomorrow"),
            ]
        items.append((_("Help"), "/help"))
        return items

    def menu(self) -> Markup:
        labels = [label for label, _command in self.menu_items()]
        rows = [
            [{"text": label} for label in labels[i : i + BUTTONS_PER_ROW]]
            for i in range(0, len(labels), BUTTONS_PER_ROW)
        ]
        return {"keyboard": rows, "resize_keyboard": True, "is_persistent": True}
