"""The pinned HSDS 3.0 JSON schemas (hsds_schema/README.md), as validators."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

SCHEMA_DIR = Path(__file__).parent / "hsds_schema"


@cache
def _registry() -> Registry[Any]:
    resources = [
        (path.relative_to(SCHEMA_DIR).as_posix(), json.loads(path.read_text()))
        for path in SCHEMA_DIR.rglob("*.json")
        if path.name not in ("openapi.json", "datapackage.json")
    ]
    return Registry().with_resources(
        (name, Resource.from_contents(body, default_specification=DRAFT202012))
        for name, body in resources
    )


@cache
def validator(name: str) -> Draft202012Validator:
    """A validator for one schema file, e.g. "service.json" or "compiled/service_list.json".

    The schema files refer to each other by file name; formats (uuid, email, uri,
    date-time) are checked too.
    """
    schema = {"$ref": name}
    return Draft202012Validator(
        schema, registry=_registry(), format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def errors(name: str, instance: Any) -> list[str]:
    """Every way the instance breaks the schema, as readable lines (empty when valid)."""
    return [
        f"{'/'.join(str(p) for p in e.absolute_path)}: {e.message}"
        for e in validator(name).iter_errors(instance)
    ]


def spec_datapackage() -> dict[str, Any]:
    return json.loads((SCHEMA_DIR / "datapackage.json").read_text())  # type: ignore[no-any-return]


# Per-object schema of each table (its rows are that object without the nested arrays).
SCHEMA_OF_TABLE = {
    "organization": "organization.json",
    "organization_identifier": "organization_identifier.json",
    "service": "service.json",
    "location": "location.json",
    "address": "address.json",
    "service_at_location": "service_at_location.json",
    "service_area": "service_area.json",
    "contact": "contact.json",
    "phone": "phone.json",
    "schedule": "schedule.json",
    "language": "language.json",
    "attribute": "attribute.json",
    "taxonomy": "taxonomy.json",
    "taxonomy_term": "taxonomy_term.json",
}


def read_package(body: bytes) -> tuple[dict[str, Any], dict[str, list[dict[str, str]]]]:
    archive = zipfile.ZipFile(io.BytesIO(body))
    descriptor = json.loads(archive.read("datapackage.json"))
    tables = {
        r["name"]: list(csv.DictReader(io.StringIO(archive.read(r["path"]).decode())))
        for r in descriptor["resources"]
    }
    return descriptor, tables


def typed(row: dict[str, str], fields: list[dict[str, Any]]) -> dict[str, Any]:
    """A CSV row as the JSON object it stands for: empty cells left out, numbers as numbers."""
    kinds = {f["name"]: f["type"] for f in fields}
    return {
        name: float(value) if kinds[name] == "number" else value
        for name, value in row.items()
        if value != "" or name == "postal_code"
    }


def package_problems(
    descriptor: dict[str, Any], tables: dict[str, list[dict[str, str]]]
) -> list[str]:
    """Every way a data package breaks HSDS 3.0 (empty when valid): a table the
    specification does not define under that name, path and field types, a header that is
    not the descriptor's, a row that is not a valid object of its schema, a repeated id."""
    spec = {r["name"]: r for r in spec_datapackage()["resources"]}
    problems = []
    for resource in descriptor["resources"]:
        name, fields = resource["name"], resource["schema"]["fields"]
        if name not in spec or resource["path"] != spec[name]["path"]:
            problems.append(f"{name}: not a table of the specification at {resource['path']}")
            continue
        theirs = {f["name"]: f for f in spec[name]["schema"]["fields"]}
        for field in fields:
            mine, spec_field = field, theirs.get(field["name"], {})
            if (mine["type"], mine.get("format")) != (
                spec_field.get("type"),
                spec_field.get("format"),
            ):
                problems.append(f"{name}.{field['name']}: {mine} is not {spec_field}")
        rows = tables[name]
        if rows and list(rows[0]) != [f["name"] for f in fields]:
            problems.append(f"{name}: columns {list(rows[0])} are not the descriptor's")
        for number, row in enumerate(rows, start=2):
            problems += [
                f"{name} row {number}: {e}"
                for e in errors(SCHEMA_OF_TABLE[name], typed(row, fields))
            ]
        ids = [row["id"] for row in rows]
        if len(ids) != len(set(ids)):
            problems.append(f"{name}: {len(ids) - len(set(ids))} repeated ids")
    return problems
