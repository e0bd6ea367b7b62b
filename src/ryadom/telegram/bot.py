"""The conversation: one Telegram update in, the Bot API calls that answer it out.

Every action goes through the same services and selectors as the pages, as the person the
chat is linked to, so the rules (who may ask, eligibility, parties, consent) are the same;
a refusal comes back as a chat message. A chat that is not linked learns nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from ryadom.care.page_selectors import page_roles
from ryadom.core.errors import ApplicationError
from ryadom.telegram.aftercare_chat import AftercareChat
from ryadom.telegram.client import Call
from ryadom.telegram.models import Step, TelegramLink
from ryadom.telegram.requester_chat import RequesterChat
from ryadom.telegram.services import (
    conversation_set,
    link_attempt_record,
    looks_like_code,
    telegram_link,
    telegram_unlink,
    update_claim,
)
from ryadom.telegram.volunteer_chat import VolunteerChat

logger = logging.getLogger(__name__)

LANGUAGES = ("ru", "en")


def update_handle(*, update: dict[str, Any]) -> list[Call]:
    """Handle one update in one transaction; return the answers, to send after it commits.

    An update handled before (Telegram re-sends when our answer is slow) changes nothing.
    """
    update_id = update.get("update_id")
    if not isinstance(update_id, int):
        return []
    with transaction.atomic():
        if not update_claim(update_id=update_id):
            return []
        try:
            if isinstance(update.get("callback_query"), dict):
                return _on_callback(update_id, update["callback_query"])
            if isinstance(update.get("message"), dict):
                return _on_message(update_id, update["message"])
        except (KeyError, TypeError, ValueError):
            logger.warning("Telegram update %s is not in the expected shape", update_id)
        return []


def _private_chat_id(message: dict[str, Any]) -> str | None:
    """The chat's id if it is a private chat with the bot; groups never see anyone's data."""
    chat = message.get("chat")
    if not isinstance(chat, dict) or chat.get("type") != "private":
        return None
    return str(int(chat["id"]))


def _link_of(chat_id: str) -> TelegramLink | None:
    return (
        TelegramLink.objects.select_related("user")
        .filter(chat_id=chat_id, user__is_active=True)
        .first()
    )


def _language(link: TelegramLink | None, sender: Any) -> str:
    """The account's language; before linking, the language of the person's Telegram."""
    if link is not None:
        return link.user.language
    code = str(sender.get("language_code", "")) if isinstance(sender, dict) else ""
    return code[:2] if code[:2] in LANGUAGES else settings.LANGUAGE_CODE


def _on_message(update_id: int, message: dict[str, Any]) -> list[Call]:
    chat_id = _private_chat_id(message)
    if chat_id is None:
        return []
    link = _link_of(chat_id)
    text = str(message.get("text") or "").strip()
    with translation.override(_language(link, message.get("from"))):
        conversation = Conversation(chat_id=chat_id, link=link, update_id=update_id)
        conversation.on_text(text)
        return conversation.calls


def _on_callback(update_id: int, query: dict[str, Any]) -> list[Call]:
    message = query.get("message")
    chat_id = _private_chat_id(message) if isinstance(message, dict) else None
    answer = Call("answerCallbackQuery", {"callback_query_id": str(query["id"])})
    if chat_id is None:
        return [answer]
    link = _link_of(chat_id)
    with translation.override(_language(link, query.get("from"))):
        if link is None:
            answer.payload["text"] = _not_linked_text()
            return [answer]
        conversation = Conversation(chat_id=chat_id, link=link, update_id=update_id)
        conversation.on_button(str(query.get("data") or ""))
        return [answer, *conversation.calls]


def _not_linked_text() -> str:
    return _(
        "This chat is not linked to a Ryadom account. Sign in on the Ryadom site, open your "
        "profile, press “Link Telegram” and send the code you get here."
    )


class Conversation(RequesterChat, VolunteerChat, AftercareChat):
    """Answers to one update from one chat: commands and buttons to the side they belong to."""

    def on_text(self, text: str) -> None:
        command, _sep, argument = text.partition(" ")
        command = command.split("@", 1)[0].lower()  # "/start@RyadomBot" in a command menu
        if command == "/start":
            if argument.strip():
                self.link_with(argument.strip())
            elif self.link is not None:
                self.welcome()
            else:
                self.say(_not_linked_text())
            return
        if self.link is None:
            if looks_like_code(text):
                self.link_with(text)
            else:
                self.say(_not_linked_text())
            return
        commands = self.commands()
        handler = commands.get(command) or commands.get(text.lower())
        if handler is not None:
            conversation_set(link=self.link)
            self.attempt(handler)
        elif self.link.step == Step.ASK_DETAILS:
            self.attempt(lambda: self.ask_send(text))
        elif looks_like_code(text):
            self.link_with(text)
        else:
            self.say(_("Choose what to do with the buttons below."), self.menu())

    def on_button(self, data: str) -> None:
        verb, _sep, argument = data.partition(":")
        actions: dict[str, Callable[[str], None]] = {
            "vet": self.ask_categories,
            "cats": lambda _arg: self.ask_categories(""),
            "cat": self.ask_services,
            "svc": self.ask_details,
            "send": lambda _arg: self.ask_send(""),
            "cancel": lambda _arg: self.cancel(),
            "confirm": self.confirm,
            "respect": self.respect,
            "claim": self.claim,
            "in": self.check_in,
            "out": self.check_out,
            "well": self.contact_well,
            "needhelp": self.contact_help,
        }
        action = actions.get(verb)
        if action is None:
            self.say(_("This button no longer works."), self.menu())
            return
        try:
            self.attempt(lambda: action(argument))
        except ValueError:  # not a button of ours: the data was made up
            self.say(_("This button no longer works."), self.menu())

    def commands(self) -> dict[str, Callable[[], None]]:
        """Slash commands, and the labels of the menu's buttons in the person's language."""
        commands: dict[str, Callable[[], None]] = {
            "/help": self.welcome,
            "/menu": self.welcome,
            "/cancel": self.cancel,
            "/unlink": self.unlink,
            "/ask": self.ask_start,
            "/status": self.status,
            "/offers": self.offers,
            "/visits": self.visits,
            "/tomorrow": self.tomorrow,
        }
        for label, command in self.menu_items():
            commands[label.lower()] = commands[command]
        return commands

    def welcome(self) -> None:
        roles = page_roles(actor=self.user)
        name = self.user.first_name or self.user.username
        lines = [_("Hello, %(name)s! This chat is linked to your Ryadom account.") % {"name": name}]
        if roles.requester:
            lines.append(_("Ask for help, see how your requests are going and confirm the work."))
        if roles.volunteer:
            lines.append(
                _("See requests you can take, your visits and tomorrow's, check in and out.")
            )
        lines.append(_("Messages you chose to get in Telegram come here."))
        self.say("\n".join(lines), self.menu())

    def link_with(self, code: str) -> None:
        try:
            self.link = telegram_link(chat_id=self.chat_id, code=code)
        except ApplicationError as exc:
            link_attempt_record(chat_id=self.chat_id)
            self.say(exc.message)
            return
        with translation.override(self.user.language):
            self.welcome()

    def cancel(self) -> None:
        conversation_set(link=self.link)  # type: ignore[arg-type]
        self.say(_("Cancelled."), self.menu())

    def unlink(self) -> None:
        telegram_unlink(actor=self.user, user=self.user)
        self.link = None
        self.say(
            _(
                "This chat is no longer linked to your account. You can link it again from "
                "your profile."
            ),
            {"remove_keyboard": True},
        )
