"""Settings of the hand-over home and the follow-up contacts, with their defaults."""

from __future__ import annotations

import datetime

from django.conf import settings

# Days after discharge on which the home coordinator (or their NGO) calls the veteran.
DEFAULT_CONTACT_DAYS = (7, 30, 90, 180, 365)
DEFAULT_FIRST_CONTACT_HOURS = 72
# Failed attempts (no answer) after which a contact goes to the region's coordinators.
FAILED_ATTEMPTS_TO_ESCALATE = 3
# The local time of the home region at which a contact's day is announced (the veteran
# with a linked Telegram chat is asked how they are).
CONTACT_DUE_AT = datetime.time(10)


def contact_days() -> tuple[int, ...]:
    """RYADOM_AFTERCARE_CONTACT_DAYS, e.g. "7,30,90,180,365"."""
    return tuple(getattr(settings, "RYADOM_AFTERCARE_CONTACT_DAYS", DEFAULT_CONTACT_DAYS))


def first_contact_within() -> datetime.timedelta:
    """RYADOM_AFTERCARE_FIRST_CONTACT_HOURS: the deadline of the first contact after hand-over."""
    hours = getattr(settings, "RYADOM_AFTERCARE_FIRST_CONTACT_HOURS", DEFAULT_FIRST_CONTACT_HOURS)
    return datetime.timedelta(hours=int(hours))
