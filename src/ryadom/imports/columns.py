"""The columns of the import templates and how each cell is read.

A header is written in the reader's language (Russian by default) and read in either
language. A parser takes the cell's text and returns the value, or raises `CellError` with
what is wrong in words the coordinator can act on.
"""

from __future__ import annotations

import datetime
import functools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ryadom.accounts.models import AddressKind
from ryadom.accounts.services import address_normalise
from ryadom.core.errors import ApplicationError
from ryadom.core.validation import text_problem

LANGUAGES = ("ru", "en")


def current() -> str:
    """The language of the page being served (Russian unless English is chosen)."""
    return "en" if (translation.get_language() or "ru").startswith("en") else "ru"


class CellError(Exception):
    """What is wrong with one cell."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


Parser = Callable[[str], Any]


@dataclass(frozen=True)
class Column:
    """One column of a template: its key in the code, its header and its help."""

    key: str
    label: Promise
    hint: Promise
    parse: Parser
    required: bool = False
    example: str = ""

    def header(self, language: str) -> str:
        with translation.override(language):
            return str(self.label)

    def headers(self) -> set[str]:
        return {fold(self.header(lang)) for lang in LANGUAGES} | {fold(self.key)}


@dataclass(frozen=True)
class Sheet:
    """One kind of import: the sheet's name and its columns, in order."""

    kind: str
    label: Promise
    columns: tuple[Column, ...]
    by_key: dict[str, Column] = field(init=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_key", {c.key: c for c in self.columns})

    def title(self, language: str) -> str:
        with translation.override(language):
            return str(self.label)

    def titles(self) -> set[str]:
        return {fold(self.title(lang)) for lang in LANGUAGES} | {fold(self.kind)}


def fold(text: str) -> str:
    """A header or a name compared without case, extra spaces, ё or a trailing asterisk."""
    return " ".join(text.replace("ё", "е").replace("Ё", "Е").rstrip("*").split()).casefold()


# --- parsers ---------------------------------------------------------------------------------


def text(max_length: int) -> Parser:
    def parse(value: str) -> str:
        if problem := text_problem(value):
            raise CellError(problem)
        if len(value) > max_length:
            raise CellError(
                _("At most %(n)d characters; this cell has %(m)d.")
                % {"n": max_length, "m": len(value)}
            )
        return value

    return parse


def integer(low: int, high: int) -> Parser:
    def parse(value: str) -> int:
        cleaned = value.replace(" ", "").removesuffix(".0")
        if not re.fullmatch(r"-?\d{1,9}", cleaned):
            raise CellError(_("A whole number is expected."))
        number = int(cleaned)
        if not low <= number <= high:
            raise CellError(_("A number from %(low)d to %(high)d.") % {"low": low, "high": high})
        return number

    return parse


def decimal(low: float, high: float) -> Parser:
    def parse(value: str) -> float:
        try:
            number = float(value.replace(",", ".").replace(" ", ""))
        except ValueError:
            raise CellError(_("A number is expected, e.g. 55.7558.")) from None
        if not low <= number <= high:
            raise CellError(_("A number from %(low)s to %(high)s.") % {"low": low, "high": high})
        return number

    return parse


YES = {"да", "yes", "д", "y", "1", "true", "истина", "+"}
NO = {"нет", "no", "н", "n", "0", "false", "ложь", "-"}


def yes_no(value: str) -> bool:
    folded = fold(value)
    if folded in YES:
        return True
    if folded in NO:
        return False
    raise CellError(_("Write “да” or “нет” (yes or no)."))


def day(value: str) -> datetime.date:
    cleaned = value.strip().split(" ")[0]
    for pattern in ("%d.%m.%Y", "%Y-%m-%d"):
        try:
            parsed = datetime.datetime.strptime(cleaned, pattern).date()  # noqa: DTZ007 - a day
        except ValueError:
            continue
        if not 2000 <= parsed.year <= 2099:
            raise CellError(_("A date from 2000 to 2099."))
        return parsed
    raise CellError(_("A date is expected, e.g. 31.12.2025."))


def choice(choices: type[models.TextChoices]) -> Parser:
    """A value of the choices by its code or by its label in either language."""

    def parse(value: str) -> str:
        known = choice_names(choices)
        found = known.get(fold(value))
        if found is None:
            names = ", ".join(label_of(choices, v) for v in choices.values)
            raise CellError(_("One of: %(names)s.") % {"names": names})
        return found

    return parse


@functools.cache
def choice_names(choices: type[models.TextChoices]) -> dict[str, str]:
    """Each value by its code and its label in either language (read once per process)."""
    known: dict[str, str] = {}
    for value, label in choices.choices:
        known[fold(value)] = value
        for lang in LANGUAGES:
            with translation.override(lang):
                known[fold(str(label))] = value
    return known


def label_of(choices: type[models.TextChoices], value: str) -> str:
    return str(dict(choices.choices).get(value, value))


def items(value: str) -> list[str]:
    """A list in one cell: items separated by semicolons (or new lines)."""
    return [part.strip() for part in re.split(r"[;\n]", value) if part.strip()]


def address(kind: str) -> Parser:
    """A phone (+7…) or an e-mail, normalised as sign-in normalises it."""

    def parse(value: str) -> str:
        try:
            found_kind, normalised = address_normalise(value)
        except ApplicationError as exc:
            raise CellError(exc.message) from None
        if found_kind != kind:
            raise CellError(
                _("A phone number is expected, e.g. +7 900 123-45-67.")
                if kind == AddressKind.PHONE
                else _("An e-mail address is expected.")
            )
        return normalised

    return parse


def joined(values: Iterable[str]) -> str:
    return "; ".join(values)
