"""Importing partner services (employment centres, colleges, rehabilitation, psychological
help, legal aid, the state fund's social coordinators), keyed by INN when the row has one,
else by name and region. New ones and changes go through the referrals' own services."""

from __future__ import annotations

import re
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl

from ryadom.accounts.models import AddressKind, Role
from ryadom.accounts.scopes import Scope
from ryadom.core.validation import full_clean_or_raise
from ryadom.imports.base import CREATE, UNCHANGED, UPDATE, Kind, Planned, RowError, pick, pick_many
from ryadom.imports.columns import CellError, Column, Sheet, address, choice, fold, text, yes_no
from ryadom.referrals.models import PartnerKind, PartnerService
from ryadom.referrals.services import partner_create, partner_update


def inn_digits(value: str) -> str:
    cleaned = value.replace(" ", "")
    if not re.fullmatch(r"[0-9]{10}|[0-9]{12}", cleaned):
        raise CellError(_("An INN has 10 or 12 digits."))
    return cleaned


PARTNER_SHEET = Sheet(
    kind="partner_services",
    label=gl("Partner services"),
    columns=(
        Column("name", gl("Name"), gl("Full name"), text(300), True),
        Column(
            "kind",
            gl("Kind of service"),
            gl("Employment centre, college…"),
            choice(PartnerKind),
            True,
        ),
        Column("region", gl("Region"), gl("Subject code (77) or name"), text(120), True),
        Column("inn", gl("INN"), gl("10 or 12 digits, if known"), inn_digits),
        Column(
            "service_area", gl("Regions served"), gl("Codes or names separated by “;”"), text(2000)
        ),
        Column("settlement", gl("Town"), gl("Name of a town of the region"), text(120)),
        Column("address", gl("Address"), gl("Street and building"), text(300)),
        Column("contact_person", gl("Contact person"), gl("Full name"), text(200)),
        Column("phone", gl("Phone"), gl("As it should be shown"), text(30)),
        Column("email", gl("E-mail"), gl("Referrals are sent here"), address(AddressKind.EMAIL)),
        Column("offers", gl("What it offers"), gl("In a few words"), text(5000)),
        Column("quota_info", gl("Quotas"), gl("Places for veterans, if any"), text(2000)),
        Column("active", gl("Active"), gl("да or нет; empty: да"), yes_no),
    ),
)
TEXT_FIELDS = (
    "name", "kind", "inn", "address", "contact_person", "phone", "email", "offers", "quota_info",
)  # fmt: skip


class PartnerImport(Kind):
    sheet = PARTNER_SHEET
    field_columns = {"is_active": "active", "region": "region", "settlement": "settlement"}

    @classmethod
    def may_import(cls, scope: Scope) -> bool:
        return scope.federal or scope.has(Role.REGIONAL_COORDINATOR)

    def prepare(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        partners = list(PartnerService.objects.prefetch_related("service_area"))
        self.by_inn = {p.inn: p for p in partners if p.inn}
        self.by_name = {(p.region_id, fold(p.name)): p for p in partners}
        self.seen: dict[Any, int] = {}

    def _existing(self, row: int, region_id: int, values: dict[str, Any]) -> PartnerService | None:
        key = values["inn"] or (region_id, fold(values["name"]))
        if key in self.seen:
            column = "inn" if values["inn"] else "name"
            raise RowError(
                column, _("The same service is on row %(row)d.") % {"row": self.seen[key]}
            )
        self.seen[key] = row
        if values["inn"] and values["inn"] in self.by_inn:
            return self.by_inn[values["inn"]]
        return self.by_name.get((region_id, fold(values["name"])))

    def plan(self, row: int, values: dict[str, Any]) -> Planned:
        region = pick(self.refs.regions, values["region"], "region", _("region"))
        self.region_or_refuse(region, "region")
        existing = self._existing(row, region.pk, values)
        if existing is not None:
            self.region_or_refuse(existing.region_id, "region")
        area = pick_many(
            self.refs.regions, values["service_area"] or "", "service_area", _("region")
        )
        area_ids = sorted({r.pk for r in area} | {region.pk})
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
            f: values[f] or ""
            for f in TEXT_FIELDS
            if self.given(f) or existing is None or f in ("name", "kind")
        }
        fields["region"] = region
        if existing is None or self.given("settlement"):
            fields["settlement"] = settlement
        if existing is None or self.given("active"):
            fields["is_active"] = values["active"] if values["active"] is not None else True
        if existing is None:
            full_clean_or_raise(PartnerService(**fields))
            return Planned(row, CREATE, (fields, area))
        changes = {f: v for f, v in fields.items() if getattr(existing, f) != v}
        old_area = sorted(r.pk for r in existing.service_area.all())
        new_area = area_ids if self.given("service_area") else None
        if not changes and (new_area is None or new_area == old_area):
            return Planned(row, UNCHANGED)
        return Planned(row, UPDATE, (existing, changes, new_area))

    def apply(self, planned: list[Planned]) -> None:
        for p in planned:
            if p.action == CREATE:
                fields, area = p.data
                partner_create(actor=self.actor, service_area=area, **fields)
            elif p.action == UPDATE:
                partner, changes, area = p.data
                partner_update(actor=self.actor, partner=partner, fields=changes, service_area=area)
