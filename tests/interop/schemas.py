"""The pinned HSDS 3.0 JSON schemas (hsds_schema/README.md), as validators."""

from __future__ import annotations

import json
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
