"""Importing support measures (keyed by their code) through the navigator's own service,
`entitlements/services.py::measure_save`, which validates conditions and writes the audit."""

from __future__ import annotations

import copy
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl

from ryadom.accounts.models import Role
from ryadom.accounts.scopes import Scope
from ryadom.core.validation import full_clean_or_raise
from ryadom.entitlements import conditions
from ryadom.entitlements.models import Level, Measure
from ryadom.entitlements.services import measure_save
from ryadom.imports.base import CREATE, UNCHANGED, UPDATE, Kind, Planned, RowError, pick
from ryadom.imports.columns import CellError, Column, Sheet, choice, day, text, yes_no


def _conditions(value: str) -> list[dict[str, Any]]:
    try:
        return conditions.from_text(value)
    except ValueError as exc:
        raise CellError(str(exc)) from None


MEASURE_SHEET = Sheet(
    kind="measures",
    label=gl("Support measures"),
    columns=(
        Column("code", gl("Code"), gl("Stable, e.g. regional.46.land_plot"), text(60), True),
        Column("level", gl("Level"), gl("federal or regional"), choice(Level), True),
        Column("region", gl("Region"), gl("Subject code (46) or name; regional only"), text(120)),
        Column("title_ru", gl("Title"), gl("In Russian"), text(200), True),
        Column("title_en", gl("Title in English"), gl("May be empty"), text(200)),
        Column("gives_ru", gl("What it gives"), gl("In Russian"), text(5000), True),
        Column("gives_en", gl("What it gives in English"), gl("May be empty"), text(5000)),
        Column("documents", gl("Documents needed"), gl("Separated by “;”"), text(5000)),
        Column("how_to_apply", gl("Where and how to apply"), gl("Office, website"), text(5000)),
        Column("legal_basis", gl("Legal act"), gl("The act and article"), text(2000)),
        Column("effective_from", gl("In force from"), gl("31.12.2025; empty: always"), day),
        Column("effective_to", gl("In force until"), gl("Empty: open-ended"), day),
        Column(
            "conditions",
            gl("Conditions"),
            gl("E.g. status in svo_participant, combat_veteran; children >= 3"),
            _conditions,
        ),
        Column("demo", gl("Demo sample"), gl("да or нет; empty: нет"), yes_no),
    ),
)
FIELDS = (
    "level",
    "title_ru",
    "title_en",
    "gives_ru",
    "gives_en",
    "documents",
    "how_to_apply",
    "legal_basis",
    "effective_from",
    "effective_to",
    "conditions",
)
EMPTY: dict[str, Any] = {"effective_from": None, "effective_to": None, "conditions": []}


class MeasureImport(Kind):
    """Federal coordinators import any measure; a regional coordinator those of their region."""

    sheet = MEASURE_SHEET
    field_columns = {"is_demo_sample": "demo"}

    @classmethod
    def may_import(cls, scope: Scope) -> bool:
        return scope.federal or scope.has(Role.REGIONAL_COORDINATOR)

    def prepare(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        codes = [v["code"] for _n, v in rows]
        self.existing = {m.code: m for m in Measure.objects.filter(code__in=codes)}
        self.seen: dict[str, int] = {}

    def plan(self, row: int, values: dict[str, Any]) -> Planned:
        code = values["code"]
        if code in self.seen:
            raise RowError("code", _("The same code is on row %(row)d.") % {"row": self.seen[code]})
        self.seen[code] = row
        existing = self.existing.get(code)
        fields = self._fields(values, existing)
        region = fields["region"]
        if not self.scope.federal:
            if region is None:
                raise RowError("level", _("Only federal coordinators import federal measures."))
            self.region_or_refuse(region, "region")
            if existing is not None:
                self.region_or_refuse(existing.region_id, "code")
        candidate = copy.copy(existing) if existing is not None else Measure(code=code)
        for name, value in fields.items():
            setattr(candidate, name, value)
        full_clean_or_raise(candidate, exclude=["code"] if existing else None)
        if existing is None:
            return Planned(row, CREATE, (code, fields))
        changes = {f: v for f, v in fields.items() if getattr(existing, f) != v}
        if not changes:
            return Planned(row, UNCHANGED)
        shown = {f: [str(getattr(existing, f)), str(v)] for f, v in changes.items()}
        return Planned(row, UPDATE, (code, changes), shown)

    def _fields(self, values: dict[str, Any], existing: Measure | None) -> dict[str, Any]:
        """The row's values; a column left out of the file keeps what the measure has."""
        fields = {
            f: values[f] if values[f] is not None else EMPTY.get(f, "")
            for f in FIELDS
            if self.given(f) or existing is None
        }
        region = None
        if values["region"]:
            region = pick(self.refs.regions, values["region"], "region", _("region"))
        fields["region"] = region
        if existing is None or self.given("demo"):
            fields["is_demo_sample"] = bool(values["demo"])
        return fields

    def apply(self, planned: list[Planned]) -> None:
        for p in planned:
            if p.action in (CREATE, UPDATE):
                code, fields = p.data
                measure_save(actor=self.actor, code=code, **fields)
