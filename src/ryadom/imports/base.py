"""What every kind of import shares: reading a row's cells, planning each row against the
database (create, update or leave unchanged), and the problems found on the way."""

from __future__ import annotations

import abc
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, ClassVar

from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.accounts.scopes import Scope, scope_of
from ryadom.catalogue.models import ServiceType, Skill
from ryadom.core.errors import ApplicationError
from ryadom.core.validation import InvalidInput
from ryadom.geo.models import Region, Settlement
from ryadom.imports.columns import CellError, Sheet, fold, items
from ryadom.imports.reader import Table
from ryadom.institutions.models import Agency

CREATE, UPDATE, UNCHANGED = "create", "update", "unchanged"
MAX_PROBLEMS = 10_000  # kept and shown; the count says how many there were in all


class RowError(Exception):
    """A row cannot be imported; `column` is the key of the cell to blame ("" for the row)."""

    def __init__(self, column: str, message: str) -> None:
        super().__init__(message)
        self.column, self.message = column, message


@dataclass
class Planned:
    """What importing one row will do."""

    row: int
    action: str
    data: Any = None
    changes: dict[str, Any] = field(default_factory=dict)


@dataclass
class Outcome:
    """The result of checking a whole file."""

    planned: list[Planned]
    problems: list[list[Any]]  # [row, column key, value, message]
    problem_count: int
    # The file's column keys and its rows as read (number, values by key): what
    # `plan_rows` plans again at the import without reading the file.
    keys: list[str] = field(default_factory=list)
    parsed: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def counts(self) -> dict[str, int]:
        counts = {CREATE: 0, UPDATE: 0, UNCHANGED: 0}
        for p in self.planned:
            counts[p.action] += 1
        return counts


class Refs:
    """The reference lists rows name things from, by code or name, loaded once per file."""

    @cached_property
    def regions(self) -> dict[str, Region]:
        found: dict[str, Region] = {}
        for region in Region.objects.all():
            for name in (region.code, region.name_ru, region.name_en):
                found[fold(name)] = region
        return found

    @cached_property
    def agencies(self) -> dict[str, Agency]:
        found: dict[str, Agency] = {}
        for agency in Agency.objects.all():
            for name in (agency.code, agency.name_ru, agency.name_en):
                found[fold(name)] = agency
        return found

    @cached_property
    def settlements(self) -> dict[tuple[int, str], Settlement]:
        found: dict[tuple[int, str], Settlement] = {}
        for town in Settlement.objects.all():
            for name in (town.name_ru, town.name_en):
                if name:
                    found[(town.region_id, fold(name))] = town
        return found

    @cached_property
    def skills(self) -> dict[str, int]:
        return _coded(Skill.objects.values_list("pk", "code", "name_ru", "name_en"))

    @cached_property
    def services(self) -> dict[str, int]:
        return _coded(ServiceType.objects.values_list("pk", "code", "name_ru", "name_en"))


def _coded(rows: Iterable[tuple[int, str, str, str]]) -> dict[str, int]:
    return {fold(name): pk for pk, *names in rows for name in names if name}


def pick(mapping: dict[str, Any], value: str, column: str, what: str) -> Any:
    """An item of a reference list by its code or name; RowError when there is none."""
    found = mapping.get(fold(value))
    if found is None:
        raise RowError(column, _("Unknown %(what)s “%(value)s”.") % {"what": what, "value": value})
    return found


def pick_many(mapping: dict[str, Any], value: str, column: str, what: str) -> list[Any]:
    return list(dict.fromkeys(pick(mapping, part, column, what) for part in items(value)))


class Kind(abc.ABC):
    """One kind of import. Each subclass says who may import it, plans a row from its parsed
    values, and applies plans."""

    sheet: ClassVar[Sheet]
    # Errors a service raises name a model field; they are shown on this column.
    field_columns: ClassVar[dict[str, str]] = {}

    def __init__(self, actor: User) -> None:
        self.actor = actor
        self.scope: Scope = scope_of(actor)
        self.refs = Refs()
        self.batch_id: int | None = None
        self.present: set[str] = {c.key for c in self.sheet.columns}

    @classmethod
    @abc.abstractmethod
    def may_import(cls, scope: Scope) -> bool:
        """Whether someone of this scope may import this kind."""

    def prepare(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        """Load what the rows will be compared with, once for the whole file (by default,
        nothing: the kind reads as it plans)."""
        return None

    @abc.abstractmethod
    def plan(self, row: int, values: dict[str, Any]) -> Planned:
        """What the row would change (nothing written)."""

    @abc.abstractmethod
    def apply(self, planned: list[Planned]) -> None:
        """Write the planned changes."""

    def given(self, key: str) -> bool:
        """Whether the file has this column: columns left out leave their fields alone."""
        return key in self.present

    def column_of(self, field_name: str) -> str:
        return self.field_columns.get(
            field_name, field_name if field_name in self.sheet.by_key else ""
        )

    def in_region(self, region: Region | int | None) -> bool:
        """Whether the actor imports for this region: federal staff anywhere, regional
        coordinators in their own regions."""
        region_id = region.pk if isinstance(region, Region) else region
        return self.scope.federal or region_id in self.scope.region_ids

    def region_or_refuse(self, region: Region | int | None, column: str) -> None:
        if not self.in_region(region):
            raise RowError(column, _("You may import only for your own region."))


def parse_row(kind: Kind, raw: dict[str, str]) -> tuple[dict[str, Any], list[tuple[str, str]]]:
    """The row's values by column key, and (column, message) for each bad cell."""
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for column in kind.sheet.columns:
        text = raw.get(column.key, "").strip()
        if not text:
            if column.required:
                errors.append((column.key, _("This column must be filled in.")))
            values[column.key] = None
            continue
        try:
            values[column.key] = column.parse(text)
        except CellError as exc:
            errors.append((column.key, exc.message))
    return values, errors


def check_table(kind: Kind, table: Table, progress: Callable[[int], None] | None = None) -> Outcome:
    """Plan every row; nothing is written. `progress` hears how many rows are done."""
    raw_by_row: dict[int, dict[str, str]] = {}
    found = _Problems(lambda number, column: raw_by_row[number].get(column, ""))
    parsed: list[tuple[int, dict[str, Any]]] = []
    for number, raw in table.rows:
        raw_by_row[number] = raw
        values, errors = parse_row(kind, raw)
        for column, message in errors:
            found.add(number, column, message)
        if not errors:
            parsed.append((number, values))
    return _plan_all(kind, list(table.keys), parsed, found, progress)


def plan_rows(
    kind: Kind,
    keys: list[str],
    parsed: list[tuple[int, dict[str, Any]]],
    progress: Callable[[int], None] | None = None,
) -> Outcome:
    """Plan rows read before (`Outcome.parsed` of a clean check, with the file's column
    keys) against the database as it is now; nothing is written. A problem's value is left
    empty: the cells' text is not kept."""
    return _plan_all(kind, keys, parsed, _Problems(lambda number, column: ""), progress)


class _Problems:
    def __init__(self, value_of: Callable[[int, str], str]) -> None:
        self.value_of = value_of
        self.kept: list[list[Any]] = []
        self.count = 0

    def add(self, number: int, column: str, message: str) -> None:
        self.count += 1
        if len(self.kept) < MAX_PROBLEMS:
            self.kept.append([number, column, self.value_of(number, column), message])


def _plan_all(
    kind: Kind,
    keys: list[str],
    parsed: list[tuple[int, dict[str, Any]]],
    found: _Problems,
    progress: Callable[[int], None] | None,
) -> Outcome:
    kind.present = set(keys)
    kind.prepare(parsed)
    planned: list[Planned] = []
    for i, (number, values) in enumerate(parsed, 1):
        try:
            planned.append(kind.plan(number, values))
        except RowError as exc:
            found.add(number, exc.column, exc.message)
        except InvalidInput as exc:
            for name, messages in exc.errors.items():
                for message in messages:
                    found.add(number, kind.column_of(name), message)
        except ApplicationError as exc:
            found.add(number, kind.column_of(exc.field or ""), exc.message)
        if progress is not None and i % 2000 == 0:
            progress(i)
    return Outcome(
        planned=planned,
        problems=found.kept,
        problem_count=found.count,
        keys=keys,
        parsed=parsed,
    )
