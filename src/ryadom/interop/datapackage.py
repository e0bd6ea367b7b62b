"""The whole public directory as an HSDS tabular data package: CSV files + datapackage.json.

Built from the same nested objects the API serves (`hsds.py`): each nested object becomes a
row of its table, found by the key it sits under, once per id.
"""

from __future__ import annotations

import csv
import io
import json
import zipfile
from typing import Any

from django.core.cache import cache
from django.utils.translation import get_language

from ryadom.interop import hsds
from ryadom.interop import selectors as s

# Under which key a nested object sits → its HSDS table.
TABLE_OF_KEY = {
    "organization": "organization",
    "services": "service",
    "service": "service",
    "phones": "phone",
    "contacts": "contact",
    "locations": "location",
    "location": "location",
    "addresses": "address",
    "schedules": "schedule",
    "service_areas": "service_area",
    "service_at_locations": "service_at_location",
    "languages": "language",
    "attributes": "attribute",
    "taxonomy_term": "taxonomy_term",
    "organization_identifiers": "organization_identifier",
}

_UUID = ("string", "uuid")
_TEXT = ("string", None)
_NUMBER = ("number", None)
_URI = ("string", "uri")
_EMAIL = ("string", "email")

# The columns we fill, in the specification's order, with its types (checked against the
# specification's datapackage.json in the tests).
FIELDS: dict[str, list[tuple[str, tuple[str, str | None]]]] = {
    "organization": [
        ("id", _UUID),
        ("name", _TEXT),
        ("description", _TEXT),
        ("email", _EMAIL),
        ("website", _URI),
        ("tax_id", _TEXT),
        ("legal_status", _TEXT),
    ],
    "organization_identifier": [
        ("id", _UUID),
        ("organization_id", _UUID),
        ("identifier_scheme", _TEXT),
        ("identifier_type", _TEXT),
        ("identifier", _TEXT),
    ],
    "service": [
        ("id", _UUID),
        ("organization_id", _UUID),
        ("name", _TEXT),
        ("alternate_name", _TEXT),
        ("description", _TEXT),
        ("url", _URI),
        ("email", _EMAIL),
        ("status", _TEXT),
        ("application_process", _TEXT),
        ("fees_description", _TEXT),
    ],
    "location": [
        ("id", _UUID),
        ("location_type", _TEXT),
        ("organization_id", _UUID),
        ("name", _TEXT),
        ("description", _TEXT),
        ("latitude", _NUMBER),
        ("longitude", _NUMBER),
        ("external_identifier", _TEXT),
        ("external_identifier_type", _TEXT),
    ],
    "address": [
        ("id", _UUID),
        ("location_id", _UUID),
        ("address_1", _TEXT),
        ("city", _TEXT),
        ("state_province", _TEXT),
        ("postal_code", _TEXT),
        ("country", _TEXT),
        ("address_type", _TEXT),
    ],
    "service_at_location": [
        ("id", _UUID),
        ("service_id", _UUID),
        ("location_id", _UUID),
        ("description", _TEXT),
    ],
    "service_area": [
        ("id", _UUID),
        ("service_id", _UUID),
        ("name", _TEXT),
        ("description", _TEXT),
        ("uri", _TEXT),
    ],
    "contact": [
        ("id", _UUID),
        ("location_id", _UUID),
        ("name", _TEXT),
        ("title", _TEXT),
        ("department", _TEXT),
        ("email", _EMAIL),
    ],
    "phone": [
        ("id", _UUID),
        ("location_id", _UUID),
        ("organization_id", _UUID),
        ("contact_id", _UUID),
        ("number", _TEXT),
        ("type", _TEXT),
    ],
    "schedule": [
        ("id", _UUID),
        ("location_id", _UUID),
        ("timezone", _NUMBER),
        ("wkst", _TEXT),
        ("freq", _TEXT),
        ("interval", _NUMBER),
        ("byday", _TEXT),
        ("description", _TEXT),
        ("opens_at", ("time", None)),
        ("closes_at", ("time", None)),
        ("attending_type", _TEXT),
    ],
    "language": [
        ("id", _UUID),
        ("service_id", _UUID),
        ("location_id", _UUID),
        ("name", _TEXT),
        ("code", _TEXT),
    ],
    "attribute": [
        ("id", _UUID),
        ("link_id", _UUID),
        ("taxonomy_term_id", _UUID),
        ("link_type", _TEXT),
        ("link_entity", _TEXT),
        ("value", _TEXT),
    ],
    "taxonomy": [
        ("id", _UUID),
        ("name", _TEXT),
        ("description", _TEXT),
        ("version", _TEXT),
    ],
    "taxonomy_term": [
        ("id", _UUID),
        ("code", _TEXT),
        ("name", _TEXT),
        ("description", _TEXT),
        ("parent_id", _UUID),
        ("taxonomy", _TEXT),
        ("language", _TEXT),
        ("taxonomy_id", _UUID),
    ],
}

# File names as the specification names them.
PATHS = {
    "organization": "organizations.csv",
    "organization_identifier": "organization_identifiers.csv",
    "service": "services.csv",
    "location": "locations.csv",
    "address": "addresses.csv",
    "service_at_location": "service_at_location.csv",
    "service_area": "service_areas.csv",
    "contact": "contacts.csv",
    "phone": "phones.csv",
    "schedule": "schedules.csv",
    "language": "languages.csv",
    "attribute": "attributes.csv",
    "taxonomy": "taxonomies.csv",
    "taxonomy_term": "taxonomy_terms.csv",
}

Tables = dict[str, dict[str, dict[str, Any]]]


def flatten(obj: dict[str, Any], table: str, tables: Tables) -> None:
    """Add a nested HSDS object and everything under it to the tables, once per id."""
    row = {k: v for k, v in obj.items() if not isinstance(v, dict | list)}
    tables.setdefault(table, {}).setdefault(obj["id"], {}).update(row)
    for key, value in obj.items():
        children = value if isinstance(value, list) else [value] if isinstance(value, dict) else []
        for child in children:
            flatten(child, TABLE_OF_KEY[key], tables)


def directory_objects() -> list[tuple[dict[str, Any], str]]:
    """Every public object, fully nested, with its table: NGOs, institutions, taxonomy."""
    directory = s.directory_load()
    objects: list[tuple[dict[str, Any], str]] = [(hsds.taxonomy(), "taxonomy")]
    objects += [
        (t, "taxonomy_term") for t in hsds.taxonomy_terms(list(directory.service_types.values()))
    ]
    for org in directory.organisations.values():
        regions, places = list(org.regions.all()), directory.places(org.pk)
        brief = hsds.organisation(org)
        services = [
            hsds.service_full(org, st, regions, places, brief) for st in directory.offers(org)
        ]
        objects.append((hsds.organisation_full(org, services), "organization"))
    objects += [
        (hsds.institution_organisation_full(inst), "organization")
        for inst in directory.institutions.values()
    ]
    return objects


def tables_of(objects: list[tuple[dict[str, Any], str]]) -> Tables:
    tables: Tables = {}
    for obj, table in objects:
        flatten(obj, table, tables)
    return tables


def _cell(value: Any) -> str:
    if value is None:
        return ""
    return str(value)


def _csv(table: str, rows: dict[str, dict[str, Any]]) -> str:
    names = [name for name, _type in FIELDS[table]]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(names)
    for row in rows.values():
        writer.writerow([_cell(row.get(name)) for name in names])
    return out.getvalue()


def descriptor() -> dict[str, Any]:
    """datapackage.json: one tabular resource a table, with the specification's types."""
    return {
        "name": "ryadom_hsds",
        "title": "Ryadom: who to contact, where (HSDS 3.0)",
        "profile": "tabular-data-package",
        "version": hsds.HSDS_VERSION,
        "resources": [
            {
                "name": table,
                "path": PATHS[table],
                "profile": "tabular-data-resource",
                "format": "csv",
                "mediatype": "text/csv",
                "encoding": "utf-8",
                "schema": {
                    "fields": [
                        {"name": name, "type": kind, **({"format": fmt} if fmt else {})}
                        for name, (kind, fmt) in FIELDS[table]
                    ],
                    "primaryKey": "id",
                },
            }
            for table in FIELDS
        ],
    }


# The package is rebuilt at most this often per language: at national scale a build takes
# seconds, and the directory changes on the scale of days.
CACHE_SECONDS = 15 * 60


def package() -> bytes:
    """The zip of the data package in the active language, from the cache when fresh."""
    key = f"interop:hsds:datapackage:{get_language() or 'ru'}"
    body = cache.get(key)
    if body is None:
        body = build()
        cache.set(key, body, timeout=CACHE_SECONDS)
    return bytes(body)


def build() -> bytes:
    """The zip of the data package, in the active language."""
    tables = tables_of(directory_objects())
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("datapackage.json", json.dumps(descriptor(), ensure_ascii=False, indent=2))
        for table in FIELDS:
            archive.writestr(PATHS[table], _csv(table, tables.get(table, {})))
    return buffer.getvalue()
