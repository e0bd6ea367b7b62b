"""Importing institutions with their departments (wards) and visiting hours.

The key is the institution's code. Departments named in the file are added; departments
the file leaves out are kept (stays and requests point at them). Visiting hours in the file
replace the institution's hours.
"""

from __future__ import annotations

import datetime
import re
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl

from ryadom.accounts.models import Role
from ryadom.accounts.scopes import Scope
from ryadom.audit.services import audit_record
from ryadom.core.validation import full_clean_or_raise
from ryadom.imports.base import CREATE, UNCHANGED, UPDATE, Kind, Planned, RowError, pick
from ryadom.imports.columns import (
    CellError,
    Column,
    Sheet,
    choice,
    decimal,
    fold,
    items,
    text,
    yes_no,
)
from ryadom.institutions.models import (
    AccessLevel,
    Department,
    Institution,
    InstitutionKind,
    VisitingHours,
)
from ryadom.institutions.services import visiting_hours_add

Hours = tuple[int, datetime.time, datetime.time]

DAYS = {
    **{name: i for i, name in enumerate(("пн", "вт", "ср", "чт", "пт", "сб", "вс"))},
    **{name: i for i, name in enumerate(("mon", "tue", "wed", "thu", "fri", "sat", "sun"))},
}
DAY_NAMES = {"ru": ("пн", "вт", "ср", "чт", "пт", "сб", "вс"), "en": tuple(list(DAYS)[7:])}
HOURS_RE = re.compile(r"^(\w+)\.?\s+(\d{1,2})[:.](\d{2})\s*[-–—]\s*(\d{1,2})[:.](\d{2})$")


def hours_parse(value: str) -> list[Hours]:
    """ "пн 16:00-19:00; сб 11:00-13:00": weekly intervals, local time of the region."""
    found: list[Hours] = []
    for part in items(value):
        match = HOURS_RE.match(fold(part))
        day = DAYS.get(match.group(1)[:3] if match else "")
        if match is None or day is None:
            raise CellError(
                _("Write hours as “пн 16:00-19:00; сб 11:00-13:00”: “%(part)s” is not.")
                % {"part": part}
            )
        h1, m1, h2, m2 = (int(g) for g in match.groups()[1:])
        try:
            starts, ends = datetime.time(h1, m1), datetime.time(h2, m2)
        except ValueError:
            raise CellError(_("“%(part)s” is not a time of day.") % {"part": part}) from None
        if ends <= starts:
            raise CellError(_("“%(part)s” ends before it starts.") % {"part": part})
        found.append((day, starts, ends))
    return sorted(set(found))


def hours_text(hours: list[Hours], language: str) -> str:
    names = DAY_NAMES[language]
    return "; ".join(f"{names[d]} {s:%H:%M}-{e:%H:%M}" for d, s, e in sorted(hours))


def departments_parse(value: str) -> list[str]:
    names = items(value)
    too_long = [n for n in names if len(n) > 200]
    if too_long:
        raise CellError(_("A department's name is at most 200 characters."))
    return list(dict.fromkeys(names))


SHEET = Sheet(
    kind="institutions",
    label=gl("Institutions"),
    columns=(
        Column("code", gl("Institution code"), gl("Unique, e.g. 77-0001"), text(20), True),
        Column("name", gl("Name"), gl("Full name"), text(300), True),
        Column(
            "kind",
            gl("Type"),
            gl("Military hospital, civilian hospital…"),
            choice(InstitutionKind),
            True,
        ),
        Column("agency", gl("Agency"), gl("Code or name of the owning agency"), text(200), True),
        Column("region", gl("Region"), gl("Subject code (77) or name"), text(120), True),
        Column("settlement", gl("Town"), gl("Name of a town of the region"), text(120)),
        Column("address", gl("Address"), gl("Street and building"), text(300), True),
        Column(
            "access_level", gl("Access"), gl("Open, pass required, screening"), choice(AccessLevel)
        ),
        Column("volunteer_rules", gl("Rules for volunteers"), gl("Plain words"), text(5000)),
        Column("contact_name", gl("Contact person"), gl("Name and position"), text(200)),
        Column("contact_phone", gl("Contact phone"), gl("As it should be shown"), text(30)),
        Column("contact_email", gl("Contact e-mail"), gl("E-mail"), text(254)),
        Column("lat", gl("Latitude"), gl("Decimal degrees; empty: the town's"), decimal(41, 82)),
        Column(
            "lon", gl("Longitude"), gl("Decimal degrees; empty: the town's"), decimal(-180, 180)
        ),
        Column("departments", gl("Departments"), gl("Names separated by “;”"), departments_parse),
        Column(
            "visiting_hours",
            gl("Visiting hours"),
            gl("пн 16:00-19:00; сб 11:00-13:00"),
            hours_parse,
        ),
        Column("active", gl("Active"), gl("да or нет; empty: да"), yes_no),
    ),
)

# Model fields the file sets, by column.
FIELDS = (
    "name",
    "kind",
    "address",
    "access_level",
    "volunteer_rules",
    "contact_name",
    "contact_phone",
    "contact_email",
)


class InstitutionImport(Kind):
    sheet = SHEET
    field_columns = {
        "agency": "agency",
        "region": "region",
        "settlement": "settlement",
        "is_active": "active",
    }

    @classmethod
    def may_import(cls, scope: Scope) -> bool:
        return scope.federal or scope.has(Role.REGIONAL_COORDINATOR)

    def prepare(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        codes = [v["code"] for _n, v in rows]
        self.existing = {
            i.code: i
            for i in Institution.objects.filter(code__in=codes).prefetch_related(
                "departments", "visiting_hours"
            )
        }
        self.seen: dict[str, int] = {}

    def plan(self, row: int, values: dict[str, Any]) -> Planned:
        code = values["code"]
        if code in self.seen:
            raise RowError("code", _("The same code is on row %(row)d.") % {"row": self.seen[code]})
        self.seen[code] = row
        existing = self.existing.get(code)
        if existing is not None:
            self.region_or_refuse(existing.region_id, "code")
        fields = self._fields(values, existing)
        departments = values["departments"] or []
        hours = values["visiting_hours"] or []
        if existing is None:
            institution = Institution(code=code, **fields)
            full_clean_or_raise(institution, exclude=["code"])
            return Planned(row, CREATE, (institution, departments, hours))
        changes = {
            f: [_plain(getattr(existing, f)), _plain(v)]
            for f, v in fields.items()
            if getattr(existing, f) != v
        }
        known = {fold(d.name) for d in existing.departments.all()}
        added = [d for d in departments if fold(d) not in known]
        old_hours = sorted((h.weekday, h.starts, h.ends) for h in existing.visiting_hours.all())
        hours_changed = self.given("visiting_hours") and old_hours != hours
        if not (changes or added or hours_changed):
            return Planned(row, UNCHANGED)
        for f, v in fields.items():
            setattr(existing, f, v)
        full_clean_or_raise(existing, exclude=["code"])
        if added:
            changes["departments_added"] = added
        if hours_changed:
            changes["visiting_hours"] = [_hours_plain(old_hours), _hours_plain(hours)]
        return Planned(row, UPDATE, (existing, added, hours if hours_changed else None), changes)

    def _fields(self, values: dict[str, Any], existing: Institution | None) -> dict[str, Any]:
        region = pick(self.refs.regions, values["region"], "region", _("region"))
        self.region_or_refuse(region, "region")
        agency = pick(self.refs.agencies, values["agency"], "agency", _("agency"))
        settlement = None
        if values["settlement"]:
            settlement = self.refs.settlements.get((region.pk, fold(values["settlement"])))
            if settlement is None:
                raise RowError(
                    "settlement",
                    _("There is no town “%(town)s” in %(region)s.")
                    % {"town": values["settlement"], "region": region.name},
                )
        fields: dict[str, Any] = {
            f: values[f] or "" for f in FIELDS if self.given(f) or existing is None
        }
        if existing is None or self.given("access_level"):
            fields["access_level"] = values["access_level"] or AccessLevel.OPEN
        fields.update(agency_id=agency.pk, region_id=region.pk)
        if existing is None or self.given("settlement"):
            fields["settlement_id"] = settlement.pk if settlement else None
        if existing is None or self.given("active"):
            fields["is_active"] = values["active"] if values["active"] is not None else True
        if values["lat"] is not None and values["lon"] is not None:
            fields["lat"], fields["lon"] = values["lat"], values["lon"]
        elif existing is None:
            home = settlement if settlement is not None and settlement.lat is not None else region
            fields["lat"], fields["lon"] = home.lat, home.lon
        return fields

    def apply(self, planned: list[Planned]) -> None:
        for p in planned:
            if p.action == CREATE:
                self._create(*p.data)
            elif p.action == UPDATE:
                self._update(p)

    @transaction.atomic
    def _create(self, institution: Institution, departments: list[str], hours: list[Hours]) -> None:
        institution.save()
        Department.objects.bulk_create(
            [Department(institution=institution, name=name) for name in departments]
        )
        audit_record(
            actor=self.actor,
            action="institution.imported",
            target=institution,
            region_id=institution.region_id,
            changes={
                "code": institution.code,
                "name": institution.name,
                "departments": departments,
            },
        )
        for day, starts, ends in hours:
            visiting_hours_add(
                actor=self.actor, institution=institution, weekday=day, starts=starts, ends=ends
            )

    @transaction.atomic
    def _update(self, p: Planned) -> None:
        institution, added, hours = p.data
        institution.save()
        Department.objects.bulk_create(
            [Department(institution=institution, name=name) for name in added]
        )
        if hours is not None:
            VisitingHours.objects.filter(institution=institution).delete()
        audit_record(
            actor=self.actor,
            action="institution.updated",
            target=institution,
            region_id=institution.region_id,
            changes=p.changes,
        )
        for day, starts, ends in hours or []:
            visiting_hours_add(
                actor=self.actor, institution=institution, weekday=day, starts=starts, ends=ends
            )


def _plain(value: Any) -> Any:
    return value if value is None or isinstance(value, bool | int | float) else str(value)


def _hours_plain(hours: list[Hours]) -> str:
    return hours_text(hours, "en")
