"""One path from Django's ValidationError to our ApplicationError, and the limits every
text, date and time input is held to (the API's types and the pages' forms both use them)."""

from __future__ import annotations

import datetime
import re

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from ryadom.core.errors import ApplicationError

# The calendar the system works in. Anything outside is a typo or an attack, and far
# outside it a time cannot even be converted to another zone (year 9999 + 3 h) or read back
# from PostgreSQL (years after 9999 and before 1). The database holds the stored moments of
# care requests and visits to the same range with CHECK constraints.
EARLIEST_DAY = datetime.date(2000, 1, 1)
LATEST_DAY = datetime.date(2099, 12, 31)
EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)

# Characters no database column of ours can hold: NUL (PostgreSQL refuses it in text) and
# halves of UTF-16 surrogate pairs (not encodable as UTF-8, so no driver can send them).
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")


class InvalidInput(ApplicationError):
    """Several field-level messages at once: `errors` maps a field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=None if field == NON_FIELD_ERRORS else field)
        self.errors = errors


def full_clean_or_raise(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run the model's validation (fields, clean(), constraints) and raise InvalidInput."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput({k: [str(m) for m in v] for k, v in exc.message_dict.items()}) from exc


def text_problem(value: str) -> str | None:
    """Why this text cannot be stored, or None: the one rule for every text input."""
    found = _UNSTORABLE.search(value)
    if found is None:
        return None
    if found.group() == "\x00":
        return _("Remove the null character (code 0): text cannot contain it.")
    return _("Remove the broken character (an unpaired UTF-16 surrogate): it is not text.")


def _out_of_range() -> str:
    return _("Give a date between %(earliest)s and %(latest)s.") % {
        "earliest": date_format(EARLIEST_DAY, "SHORT_DATE_FORMAT"),
        "latest": date_format(LATEST_DAY, "SHORT_DATE_FORMAT"),
    }


def day_problem(value: datetime.date) -> str | None:
    """Why this day is outside the calendar the system works in, or None."""
    return None if EARLIEST_DAY <= value <= LATEST_DAY else _out_of_range()


def moment_problem(value: datetime.datetime) -> str | None:
    """Why this moment is outside the calendar the system works in, or None."""
    if value.utcoffset() is None:
        # Read in some local time later: a day's margin keeps any zone inside the range.
        inside = EARLIEST_DAY < value.date() < LATEST_DAY
    else:
        inside = EARLIEST <= value < LATEST
    return None if inside else _out_of_range()


def storable(value: object) -> None:
    """A form field validator: text, days and moments a column of ours can hold."""
    problem = None
    if isinstance(value, str):
        problem = text_problem(value)
    elif isinstance(value, datetime.datetime):
        problem = moment_problem(value)
    elif isinstance(value, datetime.date):
        problem = day_problem(value)
    if problem:
        raise ValidationError(problem, code="unstorable")
