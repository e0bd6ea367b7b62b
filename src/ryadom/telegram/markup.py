"""The bot's buttons under the messages the outbox sends to Telegram.

A volunteer alerted of a new request can take it, and a requester asked whether the work was
done can confirm it, with one press; the press reaches the bot's webhook like any other and
goes through the same services.
"""

from __future__ import annotations

import re
from typing import Any

from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

# Producers key a request's messages "request:<id>:…" (notifications/producers.py, alerts.py).
REQUEST_KEY = re.compile(r"^request:(\d+):")
# … and the follow-up contact's "how are you?" "contact:<id>:due" (after_discharge.py).
CONTACT_DUE_KEY = re.compile(r"^contact:(\d+):due$")

# kind → (button text, the bot's callback verb for the request)
BUTTONS: dict[str, tuple[Promise, str]] = {
    "volunteer_new_request": (_("Take it"), "claim"),
    "request_done_please_confirm": (_("It was done: confirm"), "confirm"),
}


def message_markup(*, kind: str, dedupe_key: str, language: str) -> dict[str, Any] | None:
    """An inline keyboard for a message of this kind about a request, or None."""
    contact = CONTACT_DUE_KEY.match(dedupe_key)
    if kind == "followup_due" and contact is not None:
        with translation.override(language):
            well, help_ = str(_("All is well")), str(_("I need help"))
        row = [
            {"text": well, "callback_data": f"well:{contact.group(1)}"},
            {"text": help_, "callback_data": f"needhelp:{contact.group(1)}"},
        ]
        return {"inline_keyboard": [row]}
    button = BUTTONS.get(kind)
    match = REQUEST_KEY.match(dedupe_key)
    if button is None or match is None:
        return None
    text, verb = button
    with translation.override(language):
        label = str(text)
    return {"inline_keyboard": [[{"text": label, "callback_data": f"{verb}:{match.group(1)}"}]]}
