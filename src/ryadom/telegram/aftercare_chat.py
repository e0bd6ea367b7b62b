"""The bot's follow-up side: the veteran answers "how are you?" on a follow-up contact's day."""

from __future__ import annotations

from django.utils.translation import gettext as _

from ryadom.aftercare.contacts import contact_answer_by_veteran
from ryadom.aftercare.models import FollowUpContact
from ryadom.core.errors import ApplicationError
from ryadom.telegram.chat import Chat


class AftercareChat(Chat):
    """Answers to the buttons under the "how are you?" message (markup.py)."""

    def contact_well(self, argument: str) -> None:
        self._answer(argument, needs_help=False)
        self.say(_("Thank you! We are glad you are well."))

    def contact_help(self, argument: str) -> None:
        self._answer(argument, needs_help=True)
        self.say(_("Thank you. Your coordinator at home will call you soon to ask what help."))

    def _answer(self, argument: str, *, needs_help: bool) -> None:
        contact = (
            FollowUpContact.objects.select_related("plan__veteran", "plan__home_region")
            .filter(pk=int(argument))
            .first()
        )
        if contact is None:
            raise ApplicationError(_("Only the veteran may answer this."))
        contact_answer_by_veteran(actor=self.user, contact=contact, needs_help=needs_help)
