"""The conversation: one Telegram update in, the Bot API calls that answer it out.

Every action goes through the same services and selectors as the pages, as the person the
chat is linked to, so the rules (who may ask, eligibility, parties, consent) are the same;
a refusal comes back as a chat message. A chat that is not linked learns nothing.
"""

from __future__ import annotations

import datetime
import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.care.lifecycle import Action
from ryadom.care.models import CareRequest, Channel
from ryadom.care.page_selectors import (
    current_stay,
    my_requests,
    page_roles,
    request_actions,
    service_types,
    veterans_acting_for,
    volunteer_of,
    volunteer_open_requests,
    volunteer_schedule,
)
from ryadom.care.selectors import request_get_for_action, request_get_for_user
from ryadom.care.services.intake import request_create
from ryadom.care.services.requester import request_confirm, request_feedback
from ryadom.care.services.volunteer_work import request_check_in, request_claim, request_complete
from ryadom.catalogue.models import Category
from ryadom.core.errors import ApplicationError, NotFoundError
from ryadom.telegram.client import Call
from ryadom.telegram.models import Step, TelegramLink
from ryadom.telegram.services import (
    conversation_set,
    link_attempt_record,
    looks_like_code,
    telegram_link,
    telegram_unlink,
    update_claim,
)

logger = logging.getLogger(__name__)

LANGUAGES = ("ru", "en")
# How many offers, requests or visits one answer lists; the rest are on the site.
LIST_LIMIT = 5
BUTTONS_PER_ROW = 2

Markup = dict[str, Any]


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


def _buttons(pairs: list[tuple[str, str]], per_row: int = 1) -> Markup:
    """An inline keyboard of (text, callback data) buttons."""
    rows = [
        [{"text": text, "callback_data": data} for text, data in pairs[i : i + per_row]]
        for i in range(0, len(pairs), per_row)
    ]
    return {"inline_keyboard": rows}


def _when(moment: datetime.datetime, zone: Any) -> str:
    return formats.date_format(moment.astimezone(zone), "j E, H:i")


def _place(request: CareRequest) -> str:
    if request.department is None:
        return request.institution.name
    return _("%(institution)s, %(department)s") % {
        "institution": request.institution.name,
        "department": request.department.name,
    }


def _place_and_veteran(request: CareRequest) -> str:
    """Where the visit is and, when known, for whom: one message so word order can change."""
    if request.veteran is None:
        return _place(request)
    return _("%(place)s — %(veteran)s") % {
        "place": _place(request),
        "veteran": request.veteran.addressed_as,
    }


def _request_url(request: CareRequest) -> str:
    return f"{settings.SITE_URL}/requests/{request.pk}/"


class Conversation:
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

    # --- what the person typed or pressed --------------------------------------------------

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
        }
        action = actions.get(verb)
        if action is None:
            self.say(_("This button no longer works."), self.menu())
            return
        try:
            self.attempt(lambda: action(argument))
        except ValueError:  # not a button of ours: the data was made up
            self.say(_("This button no longer works."), self.menu())

    def attempt(self, action: Callable[[], None]) -> None:
        """Run an action; a refusal of the services becomes the answer."""
        try:
            action()
        except NotFoundError:
            self.say(_("This request was not found."))
        except ApplicationError as exc:
            self.say(exc.message)

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

    # --- the menu ----------------------------------------------------------------------------

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

    # --- a veteran or a relative asks for help ---------------------------------------------

    def ask_start(self) -> None:
        veterans = list(veterans_acting_for(actor=self.user))
        if not veterans:
            self.say(
                _(
                    "Here you can ask for help for yourself or for a veteran you act for while "
                    "they are in treatment. We have no one in treatment now for whom you may ask."
                )
            )
            return
        if len(veterans) == 1:
            self.ask_categories(str(veterans[0].pk))
            return
        choices = []
        for veteran in veterans:
            stay = current_stay(veteran)
            label = veteran.addressed_as
            if stay is not None:
                label = _("%(veteran)s — %(institution)s") % {
                    "veteran": veteran.addressed_as,
                    "institution": stay.institution.name,
                }
            choices.append((label, f"vet:{veteran.pk}"))
        self.say(_("Who needs help?"), _buttons([*choices, (_("Cancel"), "cancel")]))

    def _draft_veteran_id(self) -> int:
        veteran_id = self.link.draft.get("veteran") if self.link else None
        if not isinstance(veteran_id, int):
            raise ApplicationError(_("Let us start again: press “Ask for help”."))
        return veteran_id

    def ask_categories(self, veteran: str) -> None:
        """What kind of help; `veteran` is empty when going back from a category."""
        veteran_id = int(veteran) if veteran else self._draft_veteran_id()
        if not veterans_acting_for(actor=self.user).filter(pk=veteran_id).exists():
            raise ApplicationError(_("You may not ask for help for this person here."))
        conversation_set(link=self.link, veteran=veteran_id)  # type: ignore[arg-type]
        codes = list(dict.fromkeys(service_types().values_list("category", flat=True)))
        choices = [(str(Category(code).label), f"cat:{code}") for code in codes]
        markup = _buttons([*choices, (_("Cancel"), "cancel")], per_row=BUTTONS_PER_ROW)
        self.say(_("What kind of help is needed?"), markup)

    def ask_services(self, category: str) -> None:
        self._draft_veteran_id()
        choices = [
            (service.name, f"svc:{service.pk}")
            for service in service_types().filter(category=category)
        ]
        if not choices:
            raise ApplicationError(_("This service is not offered."))
        markup = _buttons([*choices, (_("Back"), "cats"), (_("Cancel"), "cancel")])
        self.say(_("Which one?"), markup)

    def ask_details(self, service_id: str) -> None:
        veteran_id = self._draft_veteran_id()
        service = service_types().filter(pk=int(service_id)).first()
        if service is None:
            raise ApplicationError(_("This service is not offered."))
        conversation_set(
            link=self.link,  # type: ignore[arg-type]
            step=Step.ASK_DETAILS,
            veteran=veteran_id,
            service=service.pk,
        )
        markup = _buttons([(_("Send without details"), "send"), (_("Cancel"), "cancel")])
        self.say(
            _(
                "“%(service)s”. In one message, write what is needed and what time suits, "
                "or send the request without details."
            )
            % {"service": service.name},
            markup,
        )

    def ask_send(self, details: str) -> None:
        if self.link is None or self.link.step != Step.ASK_DETAILS:
            raise ApplicationError(_("Let us start again: press “Ask for help”."))
        veteran_id, service_id = self._draft_veteran_id(), self.link.draft.get("service")
        veteran = veterans_acting_for(actor=self.user).filter(pk=veteran_id).first()
        service = service_types().filter(pk=int(service_id or 0)).first()
        stay = current_stay(veteran) if veteran is not None else None
        if veteran is None or service is None or stay is None:
            conversation_set(link=self.link)
            raise ApplicationError(_("The veteran is not in treatment now."))
        try:
            request = request_create(
                actor=self.user,
                service_type=service,
                institution=stay.institution,
                department=stay.department,
                veteran=veteran,
                details=details,
                channel=Channel.TELEGRAM,
                idempotency_key=f"telegram:{self.update_id}",
            )
        except ApplicationError as exc:
            if exc.field != "details":  # too long: they may send a shorter text
                conversation_set(link=self.link)
            raise
        conversation_set(link=self.link)
        self.say(
            _(
                "Your request number %(number)s (“%(service)s”) is sent. The coordinator of "
                "the region will find a helper; you will hear from us."
            )
            % {"number": request.pk, "service": service.name},
            self.menu(),
        )

    # --- status and confirmation ---------------------------------------------------------

    def status(self) -> None:
        everything = my_requests(actor=self.user)
        rows = everything[:LIST_LIMIT]
        if not rows:
            self.say(_("You have no requests yet."), self.menu())
            return
        lines, confirm = [], []
        for row in rows:
            lines.append(
                _("№%(number)s “%(service)s”: %(status)s")
                % {
                    "number": row.pk,
                    "service": row.service_type.name,
                    "status": row.get_status_display(),
                }
            )
            if getattr(row, "can_confirm", False):
                confirm.append(
                    (_("It was done: confirm №%(n)s") % {"n": row.pk}, f"confirm:{row.pk}")
                )
        self.say("\n".join(lines), _buttons(confirm) if confirm else None)
        if len(everything) > LIST_LIMIT:
            self.say(_("All your requests: %(url)s") % {"url": f"{settings.SITE_URL}/my/"})

    def confirm(self, request_id: str) -> None:
        request = request_get_for_user(actor=self.user, request_id=int(request_id))
        request_confirm(actor=self.user, request=request)
        buttons = [
            (_("Yes"), f"respect:{request.pk}:yes"),
            (_("No"), f"respect:{request.pk}:no"),
        ]
        self.say(
            _("Confirmed. Thank you. Were you listened to and treated with respect?"),
            _buttons(buttons, per_row=BUTTONS_PER_ROW),
        )

    def respect(self, argument: str) -> None:
        """The second question of the feedback, after confirming; a "no" opens a complaint."""
        request_id, _sep, answer = argument.partition(":")
        if answer not in ("yes", "no"):
            raise ValueError(answer)
        request = request_get_for_user(actor=self.user, request_id=int(request_id))
        if request.feedback.filter(given_by=self.user).exists():  # an old message pressed again
            self.say(_("Your answer is already recorded. Thank you."), self.menu())
            return
        request_feedback(actor=self.user, request=request, done=True, respectful=answer == "yes")
        if answer == "yes":
            self.say(_("Thank you. Your answer is recorded."), self.menu())
        else:
            self.say(
                _("We are sorry. The coordinator will look into it and answer you."), self.menu()
            )

    # --- a volunteer ---------------------------------------------------------------------

    def _volunteer(self) -> Any:
        volunteer = volunteer_of(actor=self.user)
        if volunteer is None:
            raise ApplicationError(_("This is for volunteers."))
        return volunteer

    def offers(self) -> None:
        volunteer = self._volunteer()
        rows = volunteer_open_requests(actor=self.user, volunteer=volunteer)
        if not rows:
            self.say(_("Nothing waiting near you right now. Thank you for looking."), self.menu())
            return
        for row in rows[:LIST_LIMIT]:
            lines = [
                _("№%(number)s “%(service)s”")
                % {"number": row.pk, "service": row.service_type.name},
                _place(row),
                _("Needed by %(when)s") % {"when": _when(row.deadline, row.region.zone)},
            ]
            if row.details:
                lines.append(row.details[:300])
            self.say("\n".join(lines), _buttons([(_("Take it"), f"claim:{row.pk}")]))
        if len(rows) > LIST_LIMIT:
            self.say(
                _("There are more on the site: %(url)s")
                % {"url": f"{settings.SITE_URL}/volunteer/"}
            )

    def claim(self, request_id: str) -> None:
        self._volunteer()
        request = request_get_for_action(
            actor=self.user, request_id=int(request_id), action=Action.CLAIM
        )
        request_claim(actor=self.user, request=request)
        self.say(
            _("You took request №%(number)s. Plan the visit on the site: %(url)s")
            % {"number": request.pk, "url": _request_url(request)},
            self.menu(),
        )

    def visits(self) -> None:
        volunteer = self._volunteer()
        rows = list(volunteer_schedule(actor=self.user, volunteer=volunteer)[:LIST_LIMIT])
        if not rows:
            self.say(_("No visits planned."), self.menu())
            return
        for row in rows:
            lines = [
                _("№%(number)s “%(service)s”: %(status)s")
                % {
                    "number": row.pk,
                    "service": row.service_type.name,
                    "status": row.get_status_display(),
                },
                _place_and_veteran(row),
            ]
            for visit in row.visits.all():
                lines.append(_("Visit: %(when)s") % {"when": _when(visit.starts, row.region.zone)})
            actions = request_actions(actor=self.user, request=row)
            buttons = []
            if Action.CHECK_IN in actions:
                buttons.append((_("I have arrived (check in)"), f"in:{row.pk}"))
            if Action.COMPLETE in actions:
                buttons.append((_("Done (check out)"), f"out:{row.pk}"))
            self.say("\n".join(lines), _buttons(buttons) if buttons else None)

    def tomorrow(self) -> None:
        volunteer = self._volunteer()
        found = []
        now = timezone.now()
        for row in volunteer_schedule(actor=self.user, volunteer=volunteer):
            zone = row.region.zone
            tomorrow = now.astimezone(zone).date() + datetime.timedelta(days=1)
            for visit in row.visits.all():
                if visit.starts.astimezone(zone).date() == tomorrow:
                    found.append((visit.starts, visit.ends, row))
        if not found:
            self.say(_("No visits tomorrow."), self.menu())
            return
        lines = [_("Tomorrow:")]
        for starts, ends, row in sorted(found, key=lambda item: item[0]):
            zone = row.region.zone
            lines.append(
                _("%(starts)s–%(ends)s “%(service)s”, %(place)s")
                % {
                    "starts": f"{starts.astimezone(zone):%H:%M}",
                    "ends": f"{ends.astimezone(zone):%H:%M}",
                    "service": row.service_type.name,
                    "place": _place_and_veteran(row),
                }
            )
        self.say("\n".join(lines), self.menu())

    def check_in(self, request_id: str) -> None:
        request = request_get_for_user(actor=self.user, request_id=int(request_id))
        request_check_in(actor=self.user, request=request)
        self.say(_("Checked in. Thank you for coming."))

    def check_out(self, request_id: str) -> None:
        request = request_get_for_user(actor=self.user, request_id=int(request_id))
        request_complete(actor=self.user, request=request)
        self.say(_("Checked out. The veteran will be asked to confirm."), self.menu())
