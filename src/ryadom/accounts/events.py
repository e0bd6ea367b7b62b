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
staff_duty_asked = Event(
    "staff_duty_asked",
    user=(
        "a signed-in User: does an app above give them other people's data to work with "
        "although they hold no staff role (a regular partner's staff)? Answer True or False"
    ),
)
