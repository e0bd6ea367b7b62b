"""What accounts tells the apps above it (docs/architecture.md, "Events")."""

from __future__ import annotations

from ryadom.core.events import Event

account_created = Event(
    "account_created",
    user="the new, inactive User (signed up with a one-time code)",
    channel='how the person said they can be reached: "email" or "sms"',
)
code_created = Event(
    "code_created",
    one_time_code="the OneTimeCode row (its user, address, expires_at)",
    code="the code itself, in clear: only the message to the person carries it",
    message_kind="the message that carries it (a sign-in code, a consent code...)",
)
