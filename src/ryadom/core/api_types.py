"""The API's input types: text, moments, days, local times and paging, each with its limits.

Every schema field and query parameter of the API takes one of these instead of a bare
`str`, `datetime`, `date` or `time`, so the limits of `core/validation.py` hold in one place
and OpenAPI documents them. A value outside them is a 422 naming the field.
"""

# No `from __future__ import annotations`: pydantic and Ninja read these at runtime.
import datetime
import re
from typing import Annotated, Any

from django.utils.translation import gettext
from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination
from pydantic import AfterValidator, BeforeValidator, WithJsonSchema
from pydantic_core import PydanticCustomError

from ryadom.core.validation import (
    EARLIEST,
    EARLIEST_DAY,
    LATEST,
    LATEST_DAY,
    day_problem,
    moment_problem,
    text_problem,
)

# Ids are 64-bit signed integers in the database.
ID_MAX = 2**63 - 1
PAGE_LIMIT_MAX = 500
# Far beyond any table of ours, and far inside what SQL's OFFSET takes.
PAGE_OFFSET_MAX = 10_000_000


def _refuse(message: str) -> PydanticCustomError:
    # The message is already translated; braces would be read as placeholders.
    return PydanticCustomError("ryadom", message.replace("{", "(").replace("}", ")"))


def _text(value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise _refuse(problem)
    return value


def _moment(value: datetime.datetime) -> datetime.datetime:
    problem = moment_problem(value)
    if problem:
        raise _refuse(problem)
    return value


def _day(value: datetime.date) -> datetime.date:
    problem = day_problem(value)
    if problem:
        raise _refuse(problem)
    return value


_TIME = re.compile(r"([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d{1,6})?)?")
TIME_PATTERN = f"^{_TIME.pattern}$"


def _time_text(value: Any) -> Any:
    if isinstance(value, datetime.time):
        return value
    if not isinstance(value, str) or not _TIME.fullmatch(value):
        raise _refuse(_time_message())
    return value


def _time_message() -> str:
    return gettext("Give a local time as HH:MM, without a time zone, like 09:30.")


def _no_zone(value: datetime.time) -> datetime.time:
    if value.tzinfo is not None:
        raise _refuse(_time_message())
    return value


# Any text that will be stored or compared with stored text.
Text = Annotated[str, AfterValidator(_text)]

# A moment (RFC 3339); without an offset it is read in the institution's local time.
Moment = Annotated[
    datetime.datetime,
    AfterValidator(_moment),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date-time",
            "description": f"From {EARLIEST:%Y-%m-%d} up to {LATEST:%Y-%m-%d} (UTC).",
        }
    ),
]

Day = Annotated[
    datetime.date,
    AfterValidator(_day),
    WithJsonSchema(
        {
            "type": "string",
            "format": "date",
            "description": f"From {EARLIEST_DAY:%Y-%m-%d} to {LATEST_DAY:%Y-%m-%d}.",
        }
    ),
]

# A wall-clock time in the institution's region, so without an offset; OpenAPI's
# `format: time` (RFC 3339) would require one, so it is documented as a pattern instead.
LOCAL_TIME_SCHEMA = {
    "type": "string",
    "pattern": TIME_PATTERN,
    "description": "Local time of the institution's region (HH:MM or HH:MM:SS), no offset.",
    "example": "09:30",
}
LocalTime = Annotated[
    datetime.time,
    BeforeValidator(_time_text),
    AfterValidator(_no_zone),
    WithJsonSchema(LOCAL_TIME_SCHEMA),
]

Id = Annotated[int, Field(ge=1, le=ID_MAX)]


class Paging(LimitOffsetPagination):
    """Ninja's limit/offset paging with both numbers bounded."""

    class Input(Schema):
        limit: int = Field(100, ge=1, le=PAGE_LIMIT_MAX)
        offset: int = Field(0, ge=0, le=PAGE_OFFSET_MAX)
