"""Who a support measure is for: conditions over a person's answers, checked by pure functions.

A measure's conditions are a list of `{"field", "op", "value"}`; a person matches when every
one holds (an empty list matches everyone). A field the person has not answered matches no
condition on it: the checklist offers only what the answers support. Nothing here touches
the database, so the rules are tested as properties (tests/entitlements/test_conditions.py).
"""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Callable, Sequence
from typing import Any

from django.utils.translation import gettext as _

STATUSES = ("svo_participant", "combat_veteran", "family_member")
DISABILITY_GROUPS = (0, 1, 2, 3)  # 0: none

# Each field a condition may test, and how its value is read (from JSON or a cell's text).
NUMBER_FIELDS = ("disability_group", "children", "dependants", "days_served")
YES_NO_FIELDS = ("married", "wounded")
DATE_FIELDS = ("served_from", "served_to")
TEXT_FIELDS = ("status", "region")
FIELDS = TEXT_FIELDS + NUMBER_FIELDS + YES_NO_FIELDS + DATE_FIELDS

EQUALITY = ("eq", "ne", "in")
ORDER = ("gte", "lte")
OPS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(TEXT_FIELDS, EQUALITY),
    **dict.fromkeys(NUMBER_FIELDS, EQUALITY + ORDER),
    **dict.fromkeys(YES_NO_FIELDS, ("eq",)),
    **dict.fromkeys(DATE_FIELDS, ORDER),
}
SYMBOLS = {"eq": "=", "ne": "!=", "gte": ">=", "lte": "<=", "in": "in"}


@dataclasses.dataclass(frozen=True)
class Answers:
    """What the person said about themself; None where they have not answered."""

    status: str | None = None
    region: str | None = None  # the subject code, e.g. "46"
    disability_group: int | None = None
    married: bool | None = None
    children: int | None = None
    dependants: int | None = None
    served_from: datetime.date | None = None
    served_to: datetime.date | None = None
    wounded: bool | None = None

    @property
    def days_served(self) -> int | None:
        if self.served_from is None or self.served_to is None:
            return None
        return max((self.served_to - self.served_from).days + 1, 0)

    def value(self, field: str) -> Any:
        return getattr(self, field)  # days_served is a property: read the same way


@dataclasses.dataclass(frozen=True)
class Rule:
    """What decides whether a measure applies: its region, its dates and its conditions."""

    conditions: Sequence[dict[str, Any]] = ()
    region: str | None = None  # a regional measure's subject code; None for a federal one
    effective_from: datetime.date | None = None
    effective_to: datetime.date | None = None


def in_force(rule: Rule, today: datetime.date) -> bool:
    """Whether the measure is in force on `today`."""
    starts_ok = rule.effective_from is None or rule.effective_from <= today
    return starts_ok and (rule.effective_to is None or today <= rule.effective_to)


def applies(rule: Rule, answers: Answers, today: datetime.date) -> bool:
    """Whether a person with these answers is likely entitled to the measure today."""
    if not in_force(rule, today):
        return False
    if rule.region is not None and answers.region != rule.region:
        return False
    return all(holds(c, answers) for c in rule.conditions)


def holds(condition: dict[str, Any], answers: Answers) -> bool:
    """One condition over the answers (a valid condition: see `problems`)."""
    have = answers.value(condition["field"])
    if have is None:
        return False
    want = _typed(condition["field"], condition["value"], condition["op"])
    return _COMPARE[condition["op"]](have, want)


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "eq": lambda have, want: bool(have == want),
    "ne": lambda have, want: bool(have != want),
    "in": lambda have, want: have in want,
    "gte": lambda have, want: bool(have >= want),
    "lte": lambda have, want: bool(have <= want),
}


def _one(field: str, value: Any) -> Any:
    """A single value of `field` from JSON or text; ValueError when it is not one."""
    if field in NUMBER_FIELDS:
        if isinstance(value, bool) or not isinstance(value, int | str):
            raise ValueError
        number = int(value)
        if number < 0 or (field == "disability_group" and number not in DISABILITY_GROUPS):
            raise ValueError
        return number
    if field in YES_NO_FIELDS:
        if isinstance(value, bool):
            return value
        folded = str(value).strip().casefold()
        if folded in ("yes", "да", "true", "1"):
            return True
        if folded in ("no", "нет", "false", "0"):
            return False
        raise ValueError
    if field in DATE_FIELDS:
        return datetime.date.fromisoformat(str(value))
    text = str(value).strip()
    if not text or (field == "status" and text not in STATUSES):
        raise ValueError
    if field == "region" and not (len(text) == 2 and text.isdigit()):
        raise ValueError
    return text


def _typed(field: str, value: Any, op: str) -> Any:
    if op == "in":
        parts = value if isinstance(value, list) else str(value).split(",")
        return frozenset(_one(field, p.strip() if isinstance(p, str) else p) for p in parts)
    return _one(field, value)


def problems(conditions: Any) -> list[str]:
    """What is wrong with a list of conditions, in plain words (empty when it is valid)."""
    if not isinstance(conditions, list):
        return [_("Conditions must be a list of {field, op, value}.")]
    found: list[str] = []
    for n, condition in enumerate(conditions, 1):
        if not isinstance(condition, dict) or set(condition) != {"field", "op", "value"}:
            found.append(_("Condition %(n)d: give exactly field, op and value.") % {"n": n})
            continue
        field, op = condition["field"], condition["op"]
        if field not in FIELDS:
            found.append(
                _("Condition %(n)d: unknown field “%(field)s”; one of %(known)s.")
                % {"n": n, "field": field, "known": ", ".join(FIELDS)}
            )
            continue
        if op not in OPS[field]:
            found.append(
                _("Condition %(n)d: “%(field)s” takes %(ops)s, not “%(op)s”.")
                % {"n": n, "field": field, "ops": ", ".join(OPS[field]), "op": op}
            )
            continue
        try:
            typed = _typed(field, condition["value"], op)
        except (ValueError, TypeError):
            found.append(
                _("Condition %(n)d: “%(value)s” is not a value of “%(field)s”.")
                % {"n": n, "value": condition["value"], "field": field}
            )
            continue
        if op == "in" and not typed:
            found.append(_("Condition %(n)d: “in” needs at least one value.") % {"n": n})
    return found


def from_text(text: str) -> list[dict[str, Any]]:
    """Conditions written in a cell: `status in svo_participant, combat_veteran; children >= 3`.
    ValueError with what is wrong when the text does not read as conditions."""
    by_symbol = {symbol: op for op, symbol in SYMBOLS.items()}
    conditions: list[dict[str, Any]] = []
    for part in (p.strip() for p in text.replace("\n", ";").split(";")):
        if not part:
            continue
        words = part.split(None, 2)
        if len(words) < 3 or words[1] not in by_symbol:
            raise ValueError(
                _("“%(part)s”: write a field, one of = != >= <= in, and a value.") % {"part": part}
            )
        op = by_symbol[words[1]]
        value: Any = [v.strip() for v in words[2].split(",")] if op == "in" else words[2].strip()
        conditions.append({"field": words[0], "op": op, "value": value})
    if found := problems(conditions):
        raise ValueError(" ".join(found))
    return conditions


def to_text(conditions: Sequence[dict[str, Any]]) -> str:
    """The cell text `from_text` reads back."""
    parts = []
    for c in conditions:
        value = c["value"]
        shown = ", ".join(str(v) for v in value) if isinstance(value, list) else str(value)
        if isinstance(value, bool):
            shown = "yes" if value else "no"
        parts.append(f"{c['field']} {SYMBOLS[c['op']]} {shown}")
    return "; ".join(parts)
