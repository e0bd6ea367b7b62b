"""What the FHIR endpoint says about itself: the CapabilityStatement and our code systems."""

from __future__ import annotations

from typing import Any

from django.utils import translation

from ryadom.care.models import Status
from ryadom.catalogue.models import ServiceType
from ryadom.interop.fhir import codes

Json = dict[str, Any]
# The day this statement last changed; bump it with what it says.
STATEMENT_DATE = "2025-06-01"
SEARCH_PARAMS = [
    (
        "owner",
        "reference",
        "Organization/ngo-<id> (an NGO has it) or Organization/region-<code> "
        "(Ryadom's coordination of a region).",
    ),
    (
        "status",
        "token",
        "Task statuses, comma-separated: received, accepted, in-progress, completed, "
        "cancelled, rejected.",
    ),
    ("_lastUpdated", "date", "Prefixes gt, ge, lt, le, eq; may be repeated (ge…&lt…)."),
    ("_count", "number", "Tasks a page, 1 to 100 (default 20)."),
    ("_page", "number", "Page number, from 1; the Bundle's next and previous links carry it."),
]


def capability_statement(base: str) -> Json:
    return {
        "resourceType": "CapabilityStatement",
        "status": "active",
        "date": STATEMENT_DATE,
        "publisher": "Ryadom",
        "kind": "instance",
        "software": {"name": "Ryadom"},
        "implementation": {
            "description": "Ryadom as the coordination platform of HL7 Gravity SDOH Clinical "
            "Care referrals: a hospital posts a Task for a ServiceRequest and follows it.",
            "url": base,
        },
        "fhirVersion": codes.FHIR_VERSION,
        "format": [codes.FHIR_JSON, "json"],
        "rest": [
            {
                "mode": "server",
                "documentation": "Task, ServiceRequest and search need the bearer token of an "
                "integration client (a service account of an institution or a region); "
                "metadata and CodeSystem are open.",
                "security": {
                    "description": "Authorization: Bearer <integration client's token>. A "
                    "client reads only the referrals it sent, for its own institutions."
                },
                "resource": [
                    {
                        "type": "Task",
                        "interaction": [
                            {"code": "read"},
                            {"code": "create"},
                            {"code": "search-type"},
                        ],
                        "versioning": "no-version",
                        "conditionalCreate": False,
                        "searchParam": [
                            {"name": n, "type": t, "documentation": d} for n, t, d in SEARCH_PARAMS
                        ],
                    },
                    {
                        "type": "ServiceRequest",
                        "interaction": [{"code": "read"}],
                        "versioning": "no-version",
                    },
                    {
                        "type": "CodeSystem",
                        "interaction": [{"code": "read"}],
                        "versioning": "no-version",
                    },
                ],
                "interaction": [
                    {
                        "code": "transaction",
                        "documentation": "One referral: Task + ServiceRequest + Patient "
                        "(+ Consent), all POST.",
                    }
                ],
            }
        ],
    }


def service_type_code_system() -> Json:
    concepts = []
    for service_type in ServiceType.objects.order_by("category", "code"):
        concept: Json = {
            "code": service_type.code,
            "display": service_type.name_ru,
            "definition": service_type.standard_ru,
            "designation": [{"language": "en", "value": service_type.name_en}],
        }
        if not service_type.is_active:
            concept["property"] = [{"code": "inactive", "valueBoolean": True}]
        concepts.append(concept)
    return _code_system(
        "service-type",
        codes.SERVICE_TYPE_SYSTEM,
        "Ryadom's catalogue of social and household services (its stable codes).",
        concepts,
        inactive=True,
    )


def request_status_code_system() -> Json:
    concepts = []
    for status in Status:
        with translation.override("en"):
            english = str(status.label)
        with translation.override("ru"):
            russian = str(status.label)
        concepts.append(
            {
                "code": status.value,
                "display": russian,
                "definition": f"Task.status {codes.TASK_STATUS[status.value]}.",
                "designation": [{"language": "en", "value": english}],
            }
        )
    return _code_system(
        "request-status",
        codes.REQUEST_STATUS_SYSTEM,
        "Where a request is in Ryadom's lifecycle (Task.businessStatus).",
        concepts,
    )


def _code_system(
    id_: str, url: str, description: str, concepts: list[Json], inactive: bool = False
) -> Json:
    resource: Json = {
        "resourceType": "CodeSystem",
        "id": id_,
        "url": url,
        "name": "".join(part.title() for part in id_.split("-")),
        "status": "active",
        "date": STATEMENT_DATE,
        "publisher": "Ryadom",
        "description": description,
        "language": "ru",
        "caseSensitive": True,
        "content": "complete",
        "count": len(concepts),
        "concept": concepts,
    }
    if inactive:
        resource["property"] = [
            {
                "code": "inactive",
                "type": "boolean",
                "uri": "http://hl7.org/fhir/concept-properties#inactive",
            }
        ]
    return resource


CODE_SYSTEMS = {
    "service-type": service_type_code_system,
    "request-status": request_status_code_system,
}
