"""The directory as it is, written into the templates: a coordinator downloads it, edits it
and imports it again; importing it into an empty database makes the same directory."""

from __future__ import annotations

from typing import Any

from django.utils import translation
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.accounts.scopes import scope_of
from ryadom.imports.columns import label_of
from ryadom.imports.institutions import hours_text
from ryadom.imports.models import ImportBatch, ImportKind
from ryadom.imports.runner import KINDS
from ryadom.institutions.models import AccessLevel, Institution, InstitutionKind
from ryadom.organisations.models import Agreement, Organisation, OrganisationKind

DIRECTORY = ("institutions", "organisations", "agreements")


def kind_labels(kinds: list[str]) -> list[tuple[str, str, bool]]:
    """(kind, label, whether the directory can be downloaded in its template)."""
    labels = dict(ImportKind.choices)
    return [(k, str(labels[k]), k in DIRECTORY) for k in kinds]


def _yes(value: bool) -> str:
    return _("yes") if value else _("no")


def _number(value: float | None) -> str:
    return "" if value is None else repr(value)


def _region_ids(actor: User | None) -> set[int] | None:
    """None: every region (federal staff, or no actor at all for a whole-country export)."""
    if actor is None:
        return None
    scope = scope_of(actor)
    return None if scope.federal else set(scope.region_ids)


def institution_rows(region_ids: set[int] | None, language: str) -> list[dict[str, str]]:
    qs = Institution.objects.select_related("region", "agency", "settlement").prefetch_related(
        "departments", "visiting_hours"
    )
    if region_ids is not None:
        qs = qs.filter(region_id__in=region_ids)
    rows = []
    for i in qs.exclude(code=None).order_by("code"):
        rows.append(
            {
                "code": i.code or "",
                "name": i.name,
                "kind": label_of(InstitutionKind, i.kind),
                "agency": i.agency.code,
                "region": i.region.code,
                "settlement": i.settlement.name_ru if i.settlement else "",
                "address": i.address,
                "access_level": label_of(AccessLevel, i.access_level),
                "volunteer_rules": i.volunteer_rules,
                "contact_name": i.contact_name,
                "contact_phone": i.contact_phone,
                "contact_email": i.contact_email,
                "lat": _number(i.lat),
                "lon": _number(i.lon),
                "departments": "; ".join(sorted(d.name for d in i.departments.all())),
                "visiting_hours": hours_text(
                    [(h.weekday, h.starts, h.ends) for h in i.visiting_hours.all()], language
                ),
                "active": _yes(i.is_active),
            }
        )
    return rows


def organisation_rows(region_ids: set[int] | None) -> list[dict[str, str]]:
    qs = Organisation.objects.select_related("home_region").prefetch_related(
        "regions", "service_types"
    )
    if region_ids is not None:
        qs = qs.filter(home_region_id__in=region_ids)
    return [
        {
            "inn": o.inn,
            "ogrn": o.ogrn,
            "name": o.name,
            "kind": label_of(OrganisationKind, o.kind),
            "home_region": o.home_region.code,
            "regions": "; ".join(sorted(r.code for r in o.regions.all())),
            "services": "; ".join(sorted(s.code for s in o.service_types.all())),
            "weekly_capacity": str(o.weekly_capacity),
            "phone": o.phone,
            "email": o.email,
            "website": o.website,
            "active": _yes(o.is_active),
        }
        for o in qs.order_by("inn")
    ]


def agreement_rows(region_ids: set[int] | None) -> list[dict[str, str]]:
    qs = Agreement.objects.select_related("organisation", "institution").exclude(
        institution__code=None
    )
    if region_ids is not None:
        qs = qs.filter(institution__region_id__in=region_ids)
    return [
        {
            "inn": a.organisation.inn,
            "institution": a.institution.code or "",
            "number": a.number,
            "valid_from": f"{a.valid_from:%d.%m.%Y}",
            "valid_to": f"{a.valid_to:%d.%m.%Y}" if a.valid_to else "",
        }
        for a in qs.order_by("organisation__inn", "institution__code", "valid_from", "pk")
    ]


def directory_rows(kind: str, *, actor: User | None, language: str) -> list[dict[str, str]]:
    """The rows of one template for the actor's regions (all of them for federal staff)."""
    region_ids = _region_ids(actor)
    with translation.override(language):
        if kind == "institutions":
            return institution_rows(region_ids, language)
        if kind == "organisations":
            return organisation_rows(region_ids)
        return agreement_rows(region_ids)


def problems_for_page(batch: ImportBatch, limit: int) -> list[dict[str, Any]]:
    """The first problems of the dry run, with each column's header in the page's language."""
    sheet = KINDS[batch.kind].sheet
    language = "en" if (translation.get_language() or "ru").startswith("en") else "ru"
    return [
        {
            "row": row,
            "column": sheet.by_key[column].header(language) if column in sheet.by_key else "",
            "value": value,
            "message": message,
        }
        for row, column, value, message in batch.problems[:limit]
    ]
