"""The bot's requester side: a veteran or a relative asks for help, follows and confirms it."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import gettext as _

from ryadom.care.models import Channel
from ryadom.care.page_selectors import current_stay, my_requests, service_types, veterans_acting_for
from ryadom.care.selectors import request_get_for_user
from ryadom.care.services.intake import request_create
from ryadom.care.services.requester import request_confirm, request_feedback
from ryadom.catalogue.models import Category
from ryadom.core.errors import ApplicationError
from ryadom.telegram.chat import BUTTONS_PER_ROW, LIST_LIMIT, Chat, inline_keyboard
from ryadom.telegram.models import Step
from ryadom.telegram.services import conversation_set


class RequesterChat(Chat):
    """Asking for help step by step, the state of one's requests, confirming the work."""

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
        self.say(_("Who needs help?"), inline_keyboard([*choices, (_("Cancel"), "cancel")]))

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
        markup = inline_keyboard([*choices, (_("Cancel"), "cancel")], per_row=BUTTONS_PER_ROW)
        self.say(_("What kind of help is needed?"), markup)

    def ask_services(self, category: str) -> None:
        self._draft_veteran_id()
        choices = [
            (service.name, f"svc:{service.pk}")
            for service in service_types().filter(category=category)
        ]
        if not choices:
            raise ApplicationError(_("This service is not offered."))
        markup = inline_keyboard([*choices, (_("Back"), "cats"), (_("Cancel"), "cancel")])
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
        markup = inline_keyboard([(_("Send without details"), "send"), (_("Cancel"), "cancel")])
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
        self.say("\n".join(lines), inline_keyboard(confirm) if confirm else None)
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
            inline_keyboard(buttons, per_row=BUTTONS_PER_ROW),
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
