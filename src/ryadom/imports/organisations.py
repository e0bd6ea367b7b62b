"""Importing NGOs (keyed by INN, the OGRN must agree) and their agreements with
institutions (keyed by NGO, institution and the agreement's number, or its start date when
it has no number). New ones go through the registries' own services."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl

from ryadom.accounts.models import Role
from ryadom.accounts.scopes import Scope
from ryadom.audit.services import audit_record
from ryadom.core.validation import full_clean_or_raise
from ryadom.imports.base import CREATE, UNCHANGED, UPDATE, Kind, Planned, RowError, pick, pick_many
from ryadom.imports.columns import (
    CellError,
    Column,
    Parser,
    Sheet,
    choice,
    day,
    integer,
    text,
    yes_no,
)
from ryadom.institutions.models import Institution
from ryadom.organisations.models import (
    Agreement,
    Organisation,
    OrganisationKind,
    validate_inn,
    validate_ogrn,
)
from ryadom.organisations.services import agreement_create, organisation_register


def validated(check: Any) -> Parser:
    def parse(value: str) -> str:
        cleaned = value.replace(" ", "")
        try:
            check(cleaned)
        except ValidationError as exc:
            raise CellError(" ".join(exc.messages)) from None
        return cleaned

    return parse


NGO_SHEET = Sheet(
    kind="organisations",
    label=gl("NGOs"),
    columns=(
        Column("inn", gl("INN"), gl("10 digits"), validated(validate_inn), True),
        Column("ogrn", gl("OGRN"), gl("13 digits"), validated(validate_ogrn), True),
        Column("name", gl("Name"), gl("Full name"), text(300), True),
        Column("kind", gl("Legal form"), gl("ANO, foundation…"), choice(OrganisationKind), True),
        Column(
            "home_region", gl("Registered in"), gl("Subject code (77) or name"), text(120), True
        ),
        Column("regions", gl("Regions served"), gl("Codes or names separated by “;”"), text(2000)),
        Column("services", gl("Services offered"), gl("Service codes or names, “;”"), text(5000)),
        Column("weekly_capacity", gl("Requests a week"), gl("A whole number"), integer(0, 100000)),
        Column("phone", gl("Phone"), gl("As it should be shown"), text(30)),
        Column("email", gl("E-mail"), gl("E-mail"), text(254)),
        Column("website", gl("Website"), gl("https://…"), text(200)),
        Column("active", gl("Active"), gl("да or нет; empty: да"), yes_no),
    ),
)
NGO_FIELDS = ("name", "kind", "weekly_capacity", "phone", "email", "website")


def _can(scope: Scope) -> bool:
    return scope.federal or scope.has(Role.REGIONAL_COORDINATOR)


class OrganisationImport(Kind):
    sheet = NGO_SHEET
    field_columns = {"home_region": "home_region", "is_active": "active"}

    @classmethod
    def may_import(cls, scope: Scope) -> bool:
        return _can(scope)

    def prepare(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        inns = [v["inn"] for _n, v in rows]
        ogrns = [v["ogrn"] for _n, v in rows]
        found = Organisation.objects.filter(inn__in=inns) | Organisation.objects.filter(
            ogrn__in=ogrns
        )
        orgs = list(found.prefetch_related("regions", "service_types"))
        self.by_inn = {o.inn: o for o in orgs}
        self.by_ogrn = {o.ogrn: o for o in orgs}
        self.seen: dict[str, int] = {}

    def plan(self, row: int, values: dict[str, Any]) -> Planned:
        inn, ogrn = values["inn"], values["ogrn"]
        for key, value in (("inn", inn), ("ogrn", ogrn)):
            if value in self.seen:
                raise RowError(
                    key, _("The same number is on row %(row)d.") % {"row": self.seen[value]}
                )
            self.seen[value] = row
        existing = self.by_inn.get(inn)
        other = self.by_ogrn.get(ogrn)
        if other is not None and other is not existing:
            raise RowError(
                "ogrn",
                _("This OGRN belongs to “%(name)s” with another INN.") % {"name": other.name},
            )
        home = pick(self.refs.regions, values["home_region"], "home_region", _("region"))
        self.region_or_refuse(home, "home_region")
        if existing is not None:
            self.region_or_refuse(existing.home_region_id, "inn")
        regions = pick_many(self.refs.regions, values["regions"] or "", "regions", _("region"))
        services = pick_many(self.refs.services, values["services"] or "", "services", _("service"))
        fields = {
            f: values[f] if values[f] is not None else ""
            for f in NGO_FIELDS
            if self.given(f) or existing is None
        }
        if "weekly_capacity" in fields and fields["weekly_capacity"] == "":
            fields["weekly_capacity"] = 0
        fields["home_region_id"] = home.pk
        if existing is None or self.given("active"):
            fields["is_active"] = values["active"] if values["active"] is not None else True
        region_ids = sorted({r.pk for r in regions} or {home.pk})
        service_ids = sorted(set(services))
        if existing is None:
            candidate = Organisation(inn=inn, ogrn=ogrn, **fields)
            full_clean_or_raise(candidate, exclude=["inn", "ogrn"])
            return Planned(row, CREATE, (fields, region_ids, service_ids, inn, ogrn, home))
        changes = {
            f: [getattr(existing, f), v] for f, v in fields.items() if getattr(existing, f) != v
        }
        if existing.ogrn != ogrn:
            changes["ogrn"] = [existing.ogrn, ogrn]
        old_regions = sorted(r.pk for r in existing.regions.all())
        old_services = sorted(s.pk for s in existing.service_types.all())
        if self.given("regions") and old_regions != region_ids:
            changes["regions"] = [old_regions, region_ids]
        if self.given("services") and old_services != service_ids:
            changes["service_types"] = [old_services, service_ids]
        if not changes:
            return Planned(row, UNCHANGED)
        for f, v in fields.items():
            setattr(existing, f, v)
        existing.ogrn = ogrn
        full_clean_or_raise(existing, exclude=["inn", "ogrn"])
        return Planned(row, UPDATE, existing, changes)

    def apply(self, planned: list[Planned]) -> None:
        for p in planned:
            if p.action == CREATE:
                self._create(*p.data)
            elif p.action == UPDATE:
                self._update(p.data, p.changes)

    @transaction.atomic
    def _create(
        self,
        fields: dict[str, Any],
        region_ids: list[int],
        service_ids: list[int],
        inn: str,
        ogrn: str,
        home: Any,
    ) -> None:
        organisation = organisation_register(
            actor=self.actor,
            name=fields["name"],
            inn=inn,
            ogrn=ogrn,
            kind=fields["kind"],
            home_region=home,
            regions=[r for r in self.refs.regions.values() if r.pk in region_ids],
            service_types=None,
            weekly_capacity=fields.get("weekly_capacity") or 0,
        )
        organisation.service_types.set(service_ids)
        organisation.regions.set(region_ids)
        rest = {f: v for f, v in fields.items() if getattr(organisation, f) != v}
        for f, v in rest.items():
            setattr(organisation, f, v)
        organisation.save()
        audit_record(
            actor=self.actor,
            action="organisation.imported",
            target=organisation,
            region_id=home.pk,
            changes={
                **{f: str(v) for f, v in rest.items()},
                "regions": region_ids,
                "service_types": service_ids,
            },
        )

    @transaction.atomic
    def _update(self, organisation: Organisation, changes: dict[str, Any]) -> None:
        organisation.save()
        if "regions" in changes:
            organisation.regions.set(changes["regions"][1])
        if "service_types" in changes:
            organisation.service_types.set(changes["service_types"][1])
        audit_record(
            actor=self.actor,
            action="organisation.updated",
            target=organisation,
            region_id=organisation.home_region_id,
            changes={
                k: [str(v[0]), str(v[1])] if not isinstance(v[0], list) else v
                for k, v in changes.items()
            },
        )


AGREEMENT_SHEET = Sheet(
    kind="agreements",
    label=gl("Agreements"),
    columns=(
        Column("inn", gl("NGO's INN"), gl("10 digits"), validated(validate_inn), True),
        Column(
            "institution",
            gl("Institution code"),
            gl("As in the institutions' file"),
            text(20),
            True,
        ),
        Column("number", gl("Agreement number"), gl("As written on it"), text(50)),
        Column("valid_from", gl("Valid from"), gl("31.12.2025"), day, True),
        Column("valid_to", gl("Valid to"), gl("Empty: open-ended"), day),
    ),
)


class AgreementImport(Kind):
    sheet = AGREEMENT_SHEET

    @classmethod
    def may_import(cls, scope: Scope) -> bool:
        return _can(scope)

    def prepare(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        self.orgs = {
            o.inn: o for o in Organisation.objects.filter(inn__in=[v["inn"] for _n, v in rows])
        }
        self.places = {
            i.code: i
            for i in Institution.objects.filter(code__in=[v["institution"] for _n, v in rows])
        }
        self.existing: dict[tuple[int, int], list[Agreement]] = {}
        for a in Agreement.objects.filter(organisation__in=self.orgs.values()):
            self.existing.setdefault((a.organisation_id, a.institution_id), []).append(a)
        self.seen: dict[tuple[Any, ...], int] = {}

    def plan(self, row: int, values: dict[str, Any]) -> Planned:
        organisation = self.orgs.get(values["inn"])
        if organisation is None:
            raise RowError("inn", _("No NGO has this INN: import the NGO first."))
        institution = self.places.get(values["institution"])
        if institution is None:
            raise RowError("institution", _("No institution has this code: import it first."))
        self.region_or_refuse(institution.region_id, "institution")
        number = values["number"] or ""
        valid_from: datetime.date = values["valid_from"]
        key = (organisation.pk, institution.pk, number or valid_from)
        if key in self.seen:
            raise RowError(
                "number", _("The same agreement is on row %(row)d.") % {"row": self.seen[key]}
            )
        self.seen[key] = row
        same = [
            a
            for a in self.existing.get((organisation.pk, institution.pk), [])
            if (a.number == number if number else (not a.number and a.valid_from == valid_from))
        ]
        fields = {"valid_from": valid_from, "valid_to": values["valid_to"]}
        if not same:
            candidate = Agreement(
                organisation=organisation, institution=institution, number=number, **fields
            )
            full_clean_or_raise(candidate)
            return Planned(row, CREATE, candidate)
        agreement = same[0]
        changes = {
            f: [str(getattr(agreement, f) or ""), str(v or "")]
            for f, v in fields.items()
            if getattr(agreement, f) != v
        }
        if not changes:
            return Planned(row, UNCHANGED)
        for f, v in fields.items():
            setattr(agreement, f, v)
        full_clean_or_raise(agreement)
        return Planned(row, UPDATE, agreement, changes)

    def apply(self, planned: list[Planned]) -> None:
        for p in planned:
            a = p.data
            if p.action == CREATE:
                agreement_create(
                    actor=self.actor,
                    organisation=a.organisation,
                    institution=a.institution,
                    valid_from=a.valid_from,
                    valid_to=a.valid_to,
                    number=a.number,
                )
            elif p.action == UPDATE:
                with transaction.atomic():
                    a.save(update_fields=["valid_from", "valid_to"])
                    audit_record(
                        actor=self.actor,
                        action="agreement.updated",
                        target=a,
                        region_id=a.institution.region_id,
                        changes=p.changes,
                    )
