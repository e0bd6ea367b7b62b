"""The hospital's side of the FHIR tests: its service account and token, a referral as its
system would send it, and calls that check every resource we answer with fhir.resources."""

from __future__ import annotations

import base64
import copy
from typing import Any

from django.test import Client
from fhir.resources.R4B import get_fhir_model_class

from ryadom.accounts.models import Role, TokenKind, User
from ryadom.accounts.services import api_token_issue, role_assign
from ryadom.institutions.models import Institution
from ryadom.interop.fhir import codes
from tests import factories as f

Json = dict[str, Any]
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
TASK_STATUSES = {"received", "accepted", "in-progress", "completed", "cancelled", "rejected"}


def hospital_system(
    institution: Institution, *, actor: User, name: str = "his", regional: bool = False
) -> str:
    """A hospital information system: a service account, liaison of its institution only
    (or, `regional`, a region's system: coordinator of the institution's region), with an
    integration client's token. Returns the token's key."""
    account = f.UserFactory(username=f"{name}-system")
    account.set_unusable_password()
    account.save(update_fields=["password"])
    if regional:
        role_assign(
            actor=actor,
            user=account,
            role=Role.REGIONAL_COORDINATOR,
            scope_id=institution.region_id,
        )
    else:
        role_assign(
            actor=actor, user=account, role=Role.INSTITUTION_LIAISON, scope_id=institution.pk
        )
    _token, key = api_token_issue(actor=None, user=account, name=name, kind=TokenKind.INTEGRATION)
    return key


def valid(resource: Json) -> Json:
    """The resource as fhir.resources reads it (R4B models); raises when it is not valid."""
    model = get_fhir_model_class(resource["resourceType"])
    model.model_validate(resource)
    if resource["resourceType"] == "Task":
        assert resource["status"] in TASK_STATUSES
    if resource["resourceType"] == "Bundle":
        for entry in resource.get("entry", []):
            valid(entry["resource"])
    return resource


def call(
    client: Client,
    method: str,
    path: str,
    key: str = "",
    body: Json | bytes | None = None,
    content_type: str = codes.FHIR_JSON,
) -> tuple[int, Json]:
    """One call to /fhir/; the answer is FHIR JSON and a valid resource, whatever the status."""
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    if method == "GET":
        response = client.get(f"/fhir/{path}", headers=headers)
    else:
        response = client.post(f"/fhir/{path}", body, content_type=content_type, headers=headers)
    assert response["Content-Type"].startswith(codes.FHIR_JSON), response.content
    return response.status_code, valid(response.json())


def referral(
    *,
    identifier: str = "REF-1",
    service: str = "leisure.reading",
    institution_id: int | None = None,
    department_id: int | None = None,
    patient_id: str = "MRN-100",
    phone: str = "+7 900 555-01-02",
    consent: bool = True,
    note: str = "Почитать вслух газету",
) -> Json:
    """A transaction Bundle as the HL7 Gravity SDOH Clinical Care guide's referral source
    sends it: Task (status requested) → ServiceRequest → Patient, and the Consent."""
    requester: Json = {"display": "Госпиталь"}
    if institution_id is not None:
        requester["identifier"] = {"system": codes.INSTITUTION_SYSTEM, "value": str(institution_id)}
    service_request: Json = {
        "resourceType": "ServiceRequest",
        "identifier": [{"system": "urn:oid:1.2.643.5.1.13.3", "value": f"SR-{identifier}"}],
        "status": "active",
        "intent": "order",
        "priority": "routine",
        "code": {"coding": [{"system": codes.SERVICE_TYPE_SYSTEM, "code": service}]},
        "subject": {"reference": "urn:uuid:patient-1"},
        "requester": {"display": "Д-р Смирнова А. В."},
        "note": [{"text": note}],
    }
    if department_id is not None:
        service_request["locationReference"] = [
            {"identifier": {"system": codes.DEPARTMENT_SYSTEM, "value": str(department_id)}}
        ]
    entries = [
        (
            "urn:uuid:task-1",
            {
                "resourceType": "Task",
                "identifier": [{"system": "urn:oid:1.2.643.5.1.13.99", "value": identifier}],
                "status": "requested",
                "intent": "order",
                "code": {"coding": [{"system": codes.TASK_CODE_SYSTEM, "code": "fulfill"}]},
                "focus": {"reference": "urn:uuid:sr-1"},
                "for": {"reference": "urn:uuid:patient-1"},
                "authoredOn": "2025-05-20T09:00:00+03:00",
                "requester": requester,
            },
        ),
        ("urn:uuid:sr-1", service_request),
        (
            "urn:uuid:patient-1",
            {
                "resourceType": "Patient",
                "identifier": [{"system": "urn:oid:1.2.643.5.1.13.99.2", "value": patient_id}],
                "name": [{"use": "usual", "text": "Иван Петрович"}],
                "gender": "male",
                **(
                    {"telecom": [{"system": "phone", "use": "mobile", "value": phone}]}
                    if phone
                    else {}
                ),
            },
        ),
    ]
    if consent:
        entries.append(
            (
                "urn:uuid:consent-1",
                {
                    "resourceType": "Consent",
                    "status": "active",
                    "scope": {
                        "coding": [
                            {
                                "system": "http://terminology.hl7.org/CodeSystem/consentscope",
                                "code": "patient-privacy",
                            }
                        ]
                    },
                    "category": [{"coding": [{"system": "http://loinc.org", "code": "59284-0"}]}],
                    "patient": {"reference": "urn:uuid:patient-1"},
                    "performer": [{"display": "Медсестра Петрова О. И."}],
                    "sourceAttachment": {
                        "contentType": "application/pdf",
                        "data": base64.b64encode(PDF).decode(),
                    },
                },
            )
        )
    return {
        "resourceType": "Bundle",
        "type": "transaction",
        "entry": [
            {"fullUrl": url, "resource": r, "request": {"method": "POST", "url": r["resourceType"]}}
            for url, r in entries
        ],
    }


def as_contained(bundle: Json) -> Json:
    """The same referral as one Task with the others contained in it."""
    resources = {e["fullUrl"]: copy.deepcopy(e["resource"]) for e in bundle["entry"]}
    local = {url: f"#{url.rsplit('-', 1)[0].split(':')[-1]}" for url in resources}

    def relink(value: Any) -> Any:
        if isinstance(value, dict):
            return {
                k: (local.get(v, v) if k == "reference" else relink(v)) for k, v in value.items()
            }
        if isinstance(value, list):
            return [relink(v) for v in value]
        return value

    task = relink(resources.pop("urn:uuid:task-1"))
    task["contained"] = [{**relink(r), "id": local[url][1:]} for url, r in resources.items()]
    return task
