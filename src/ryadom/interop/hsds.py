"""Our public directory as Open Referral HSDS 3.0 objects, written once.

Pure functions of loaded rows (no queries: callers load through `selectors.directory_load`)
in the active language; the API nests them, the data package flattens the same objects
into its tables. What maps to what:

- organization: an NGO, and an institution (the hospital that hosts volunteers);
- service: an NGO offering one service type of the catalogue (name, quality standard);
- location: an institution's building (address, coordinates, visiting hours, contact);
- service_at_location: an NGO's service in an institution where an agreement is in force;
- service_area: a region the NGO works in; taxonomy: the catalogue (categories, types).
"""

from __future__ import annotations

import datetime
import zoneinfo
from functools import lru_cache
from typing import Any

from django.db import models
from django.utils import translation
from django.utils.translation import get_language

from ryadom.catalogue.models import Category, ServiceType
from ryadom.geo.models import Region
from ryadom.institutions.models import AccessLevel, Institution, InstitutionKind, VisitingHours
from ryadom.interop.ids import hsds_id
from ryadom.organisations.models import Organisation, OrganisationKind

HSDS_VERSION = "3.0"
TAXONOMY_ID = hsds_id("taxonomy", "catalogue")
WEEKDAYS = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"]

Obj = dict[str, Any]


def _(message: str) -> str:
    """gettext, remembered per language: an export translates the same few texts many
    thousand times, and each gettext call looks the language up again."""
    return _translated(get_language() or "ru", message)


@lru_cache(maxsize=256)
def _translated(language: str, message: str) -> str:
    with translation.override(language):
        return translation.gettext(message)


def _lang() -> str:
    return "en" if (get_language() or "ru").startswith("en") else "ru"


def _label(choices: type[models.TextChoices], value: str) -> str:
    """A choice's label in the active language (cheaper than get_FOO_display in a loop)."""
    return str(choices(value).label)


def _drop_empty(obj: Obj) -> Obj:
    """HSDS leaves out what is unknown: no empty strings for e-mails and addresses."""
    return {k: v for k, v in obj.items() if v not in ("", None)}


# --- Taxonomy: the service catalogue ---------------------------------------------------------


def taxonomy() -> Obj:
    return {
        "id": TAXONOMY_ID,
        "name": _("Ryadom service catalogue"),
        "description": _(
            "Social and household services to veterans in treatment, by category, with a "
            "stable code for each service type."
        ),
        "version": "1",
    }


def category_term(category: str) -> Obj:
    return {
        "id": hsds_id("term", "category", category),
        "code": category,
        "name": _label(Category, category),
        "description": _label(Category, category),
        "taxonomy": "ryadom",
        "language": _lang(),
        "taxonomy_id": TAXONOMY_ID,
    }


def service_type_term(st: ServiceType) -> Obj:
    return {
        "id": hsds_id("term", "service_type", st.code),
        "code": st.code,
        "name": st.name,
        "description": st.standard,
        "parent_id": hsds_id("term", "category", st.category),
        "taxonomy": "ryadom",
        "language": _lang(),
        "taxonomy_id": TAXONOMY_ID,
    }


def taxonomy_terms(service_types: list[ServiceType]) -> list[Obj]:
    """Each category of the catalogue followed by its service types."""
    categories = sorted({st.category for st in service_types}, key=list(Category.values).index)
    terms: list[Obj] = []
    for category in categories:
        terms.append(category_term(category))
        terms += [service_type_term(st) for st in service_types if st.category == category]
    return terms


def _attribute(link_id: str, link_type: str, term: Obj) -> Obj:
    return {
        "id": hsds_id("attribute", link_id, term["id"]),
        "link_id": link_id,
        "link_type": link_type,
        "link_entity": "service",
        "taxonomy_term_id": term["id"],
        "value": term["code"],
        "taxonomy_term": term,
    }


# --- Organizations ------------------------------------------------------------------------


def organisation(org: Organisation) -> Obj:
    """An NGO, as in organization lists."""
    return _drop_empty(
        {
            "id": hsds_id("organisation", org.pk),
            "name": org.name,
            "description": _("%(kind)s registered in %(region)s.")
            % {"kind": _label(OrganisationKind, org.kind), "region": org.home_region.name},
            "email": org.email,
            "website": org.website,
            "tax_id": org.inn,
            "legal_status": _label(OrganisationKind, org.kind),
        }
    )


def organisation_full(org: Organisation, services: list[Obj]) -> Obj:
    """An NGO with its phone, its INN and OGRN and its services."""
    org_id = hsds_id("organisation", org.pk)
    phones = [_phone("organisation", org.pk, org.phone, organization_id=org_id)]
    identifiers = [
        {
            "id": hsds_id("organization_identifier", org.pk, scheme),
            "organization_id": org_id,
            "identifier_scheme": scheme,
            "identifier_type": kind,
            "identifier": value,
        }
        for scheme, kind, value in (("RU-INN", "INN", org.inn), ("RU-OGRN", "OGRN", org.ogrn))
    ]
    return {
        **organisation(org),
        "phones": [p for p in phones if p],
        "organization_identifiers": identifiers,
        "services": services,
    }


def institution_organisation(inst: Institution) -> Obj:
    """An institution as the organization behind its location."""
    return _drop_empty(
        {
            "id": hsds_id("institution", inst.pk),
            "name": inst.name,
            "description": _("%(kind)s under %(agency)s.")
            % {"kind": _label(InstitutionKind, inst.kind), "agency": inst.agency.name},
            "email": inst.contact_email,
            "legal_status": _label(InstitutionKind, inst.kind),
        }
    )


def institution_organisation_full(inst: Institution) -> Obj:
    return {**institution_organisation(inst), "locations": [location_full(inst)]}


# --- Locations ----------------------------------------------------------------------------


def location(inst: Institution) -> Obj:
    """An institution's building, as in lists."""
    return _drop_empty(
        {
            "id": hsds_id("location", inst.pk),
            "location_type": "physical",
            "organization_id": hsds_id("institution", inst.pk),
            "name": inst.name,
            "description": " ".join(
                [
                    _("Access for volunteers: %(level)s.")
                    % {"level": _label(AccessLevel, inst.access_level)},
                    inst.volunteer_rules,
                ]
            ).strip(),
            "latitude": inst.lat,
            "longitude": inst.lon,
            "external_identifier": str(inst.pk),
            "external_identifier_type": "ryadom_institution_id",
        }
    )


def location_full(inst: Institution) -> Obj:
    """An institution's building with its address, visiting hours and published contact."""
    loc_id = hsds_id("location", inst.pk)
    contacts = []
    phones = []
    if inst.contact_name or inst.contact_email:
        contact_id = hsds_id("contact", "institution", inst.pk)
        contact_phone = _phone("contact", inst.pk, inst.contact_phone, contact_id=contact_id)
        # The card reads "Name, position" where the position is known.
        name, _comma, title = inst.contact_name.partition(", ")
        contacts.append(
            {
                **_drop_empty(
                    {
                        "id": contact_id,
                        "location_id": loc_id,
                        "name": name,
                        "title": title or _("Contact for volunteers"),
                        "department": _("Volunteers"),
                        "email": inst.contact_email,
                    }
                ),
                "phones": [contact_phone] if contact_phone else [],
            }
        )
    elif inst.contact_phone:
        phones.append(_phone("location", inst.pk, inst.contact_phone, location_id=loc_id))
    return {
        **location(inst),
        "addresses": [_address(inst)],
        "contacts": contacts,
        "phones": phones,
        "schedules": [visiting_hours(h, inst) for h in inst.visiting_hours.all()],
        "languages": [_language("location", loc_id, location_id=loc_id)],
    }


def _address(inst: Institution) -> Obj:
    town = inst.settlement.name if inst.settlement else inst.region.centre_ru
    if inst.settlement is None and _lang() == "en":
        town = inst.region.centre_en
    return {
        "id": hsds_id("address", inst.pk),
        "location_id": hsds_id("location", inst.pk),
        "address_1": inst.address,
        "city": town,
        "state_province": inst.region.name,
        # We keep no postal codes; HSDS requires the field, so it is present and empty.
        "postal_code": "",
        "country": "RU",
        "address_type": "physical",
    }


def _utc_offset_hours(zone: str) -> float | int:
    """The zone's offset from UTC today, in hours (Russia keeps no summer time)."""
    now = datetime.datetime.now(tz=zoneinfo.ZoneInfo(zone))
    hours = (now.utcoffset() or datetime.timedelta()).total_seconds() / 3600
    return int(hours) if hours.is_integer() else hours


def visiting_hours(hours: VisitingHours, inst: Institution) -> Obj:
    """Visiting hours as a weekly recurring schedule, in the institution's local time."""
    offset = _utc_offset_hours(inst.region.timezone)
    sign = "+" if offset >= 0 else "-"
    minutes = round(abs(offset) * 60)
    suffix = f"{sign}{minutes // 60:02d}:{minutes % 60:02d}"
    return {
        "id": hsds_id("schedule", hours.pk),
        "location_id": hsds_id("location", inst.pk),
        "freq": "WEEKLY",
        "wkst": "MO",
        "interval": 1,
        "byday": WEEKDAYS[hours.weekday],
        "opens_at": f"{hours.starts:%H:%M}{suffix}",
        "closes_at": f"{hours.ends:%H:%M}{suffix}",
        "timezone": offset,
        "description": _("Visiting hours"),
        "attending_type": "in_person",
    }


def _phone(owner: str, pk: int, number: str, **links: str) -> Obj:
    if not number:
        return {}
    return {"id": hsds_id("phone", owner, pk), "number": number, "type": "voice", **links}


def _language(owner: str, owner_id: str, **links: str) -> Obj:
    lang = _lang()
    return {
        "id": hsds_id("language", owner, owner_id, "ru"),
        "name": "Russian" if lang == "en" else "Русский",
        "code": "ru",
        **links,
    }


# --- Services ---------------------------------------------------------------------------


def service(org: Organisation, st: ServiceType) -> Obj:
    """An NGO's service of one type, as in lists (with its organization)."""
    return {**_service_core(org, st), "organization": organisation(org)}


def _service_core(org: Organisation, st: ServiceType) -> Obj:
    return _drop_empty(
        {
            "id": hsds_id("service", org.pk, st.pk),
            "organization_id": hsds_id("organisation", org.pk),
            "name": st.name,
            "alternate_name": f"{org.name}: {st.name}",
            "description": st.standard,
            "url": org.website,
            "email": org.email,
            "status": "active",
            "application_process": _(
                "Ask for help in Ryadom or through the region's coordinator; the NGO's "
                "volunteers come to the ward."
            ),
            "fees_description": _("Free of charge."),
        }
    )


def service_full(
    org: Organisation,
    st: ServiceType,
    regions: list[Region],
    places: list[Institution],
    organization: Obj | None = None,
) -> Obj:
    """An NGO's service with where it is delivered, its areas and its category.

    `organization` is `organisation(org)` when the caller has it already (all of an NGO's
    services share it).
    """
    service_id = hsds_id("service", org.pk, st.pk)
    return {
        **_service_core(org, st),
        "organization": organization or organisation(org),
        "service_areas": [
            {
                "id": hsds_id("service_area", org.pk, st.pk, region.code),
                "service_id": service_id,
                "name": region.name,
                "description": _("Region %(code)s of the Russian Federation")
                % {"code": region.code},
                "uri": f"urn:ryadom:region:{region.code}",
            }
            for region in regions
        ],
        "service_at_locations": [service_at_location(org, st, inst) for inst in places],
        "languages": [_language("service", service_id, service_id=service_id)],
        "attributes": [
            _attribute(service_id, "service_type", service_type_term(st)),
            _attribute(service_id, "category", category_term(st.category)),
        ],
    }


def service_at_location(org: Organisation, st: ServiceType, inst: Institution) -> Obj:
    """An NGO's service in an institution where their agreement is in force, as in lists."""
    return _drop_empty(
        {
            "id": hsds_id("service_at_location", org.pk, st.pk, inst.pk),
            "service_id": hsds_id("service", org.pk, st.pk),
            "location_id": hsds_id("location", inst.pk),
            "description": _("%(ngo)s in %(institution)s")
            % {"ngo": org.name, "institution": inst.name},
        }
    )


def service_at_location_brief(org: Organisation, st: ServiceType, inst: Institution) -> Obj:
    return {
        **service_at_location(org, st, inst),
        "service": service(org, st),
        "location": location(inst),
    }


def service_at_location_full(org: Organisation, st: ServiceType, inst: Institution) -> Obj:
    return {
        **service_at_location(org, st, inst),
        "service": service(org, st),
        "location": location_full(inst),
    }
