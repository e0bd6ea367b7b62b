"""What notifications asks of the apps above it (docs/architecture.md, "Events")."""

from __future__ import annotations

from ryadom.core.events import Event

# A question: each subscriber answers a Bot API reply_markup (a dict) or None; the first
# answer that is not None goes with the message. The telegram app answers with its buttons.
telegram_markup = Event(
    "telegram_markup",
    kind="the message's kind (notifications/kinds.py)",
    dedupe_key="the message's dedupe key (names the request, visit, ...)",
    language="the recipient's language code",
)
