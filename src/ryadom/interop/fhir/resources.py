"""The FHIR resources Ryadom emits, built from its rows: Task, ServiceRequest, the search
Bundle, the code systems. Names and labels are given in Russian, the language of the
installation; the code systems carry English designations beside them."""

from __future__ import annotations

import datetime
from typing import Any

from django.utils import translation
from django.utils.functional import Promise

from ryadom.care.models import CareRequest, Status, Visit
from ryadom.catalogue.models import ServiceType
from ryadom.interop.fhir import codes
from ryadom.interop.models import Referral

Json = dict[str, Any]


def _ru(text: str | Promise) -> str:
    with translation.override("ru"):
        return str(text)


def instant(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def service_coding(service_type: ServiceType) -> Json:
    return {
        "system": codes.SERVICE_TYPE_SYSTEM,
        "code": service_type.code,
        "display": service_type.name_ru,
    }


def _patient(referral: Referral, request: CareRequest) -> Json:
    """The hospital's own patient, by its identifier (no Patient is served here)."""
    if not referral.patient_value:
        return {"display": "anonymised"}
    reference: Json = {
        "type": "Patient",
        "identifier": {"system": referral.patient_system, "value": referral.patient_value},
    }
    if request.veteran is not None and request.veteran.anonymised_at is None:
        reference["display"] = request.veteran.addressed_as
    return reference


def _requester(request: CareRequest) -> Json:
    return {
        "type": "Organization",
        "identifier": {"system": codes.INSTITUTION_SYSTEM, "value": str(request.institution_id)},
        "display": request.institution.name,
    }


def owner_reference(request: CareRequest) -> Json:
    """Who has the work: the NGO once one has it, before that Ryadom's coordination of the
    region (which is the owner a hospital polls for work nobody has taken yet)."""
    if request.organisation is not None:
        return {
            "reference": f"Organization/ngo-{request.organisation_id}",
            "display": request.organisation.name,
        }
    return {
        "reference": f"Organization/region-{request.region.code}",
        "display": f"Рядом: {request.region.name_ru}",
    }


def _status_reason(referral: Referral) -> Json | None:
    cancellations = getattr(referral.request, "cancellations", [])
    if referral.request.status != Status.CANCELLED or not cancellations:
        return None
    with translation.override("ru"):
        text = cancellations[-1].text
    return {"text": text} if text else None


def _procedure(visit: Visit, referral: Referral, request: CareRequest) -> Json:
    """A visit that was made (checked in and out), as the Procedure the guide's
    "resulting-activity" output names."""
    procedure: Json = {
        "resourceType": "Procedure",
        "id": f"visit-{visit.pk}",
        "status": "completed",
        "code": {"coding": [service_coding(request.service_type)]},
        "subject": _patient(referral, request),
        "performedPeriod": {
            "start": instant(visit.checked_in_at or visit.starts),
            "end": instant(visit.checked_out_at or visit.ends),
        },
    }
    if request.organisation is not None:
        procedure["performer"] = [{"actor": owner_reference(request)}]
    if visit.outcome:
        procedure["note"] = [{"text": visit.outcome}]
    return procedure


def _output(procedures: list[Json]) -> list[Json]:
    kind = {"coding": [{"system": codes.SDOHCC_CODES, "code": "resulting-activity"}]}
    return [{"type": kind, "valueReference": {"reference": f"#{p['id']}"}} for p in procedures]


def task(referral: Referral) -> Json:
    """The referral's Task as it stands: status and businessStatus from the lifecycle, the
    visits made as output (contained Procedures)."""
    request = referral.request
    status = (
        codes.REJECTED if getattr(referral, "refused", False) else codes.TASK_STATUS[request.status]
    )
    visits = getattr(request, "visits_made", [])
    done = [v for v in visits if v.checked_out_at is not None]
    procedures = [_procedure(v, referral, request) for v in done]
    resource: Json = {
        "resourceType": "Task",
        "id": str(request.pk),
        "meta": {"lastUpdated": instant(request.updated_at)},
        "contained": procedures or None,
        "identifier": [
            *referral.echo.get("task", []),
            {"system": codes.REQUEST_SYSTEM, "value": str(request.pk)},
        ],
        "status": status,
        "statusReason": _status_reason(referral) if status in ("rejected", "cancelled") else None,
        "businessStatus": {
            "coding": [
                {
                    "system": codes.REQUEST_STATUS_SYSTEM,
                    "code": request.status,
                    "display": _ru(Status(request.status).label),
                }
            ]
        },
        "intent": "order",
        "code": {"coding": [{"system": codes.TASK_CODE_SYSTEM, "code": "fulfill"}]},
        "focus": {"reference": f"ServiceRequest/{request.pk}"},
        "for": _patient(referral, request),
        "authoredOn": instant(request.created_at),
        "lastModified": instant(request.updated_at),
        "requester": _requester(request),
        "owner": owner_reference(request),
        "executionPeriod": _execution(visits),
        "output": _output(procedures) or None,
    }
    return {k: v for k, v in resource.items() if v is not None}


def _execution(visits: list[Visit]) -> Json | None:
    started = [v.checked_in_at for v in visits if v.checked_in_at]
    if not started:
        return None
    period = {"start": instant(min(started))}
    ended = [v.checked_out_at for v in visits if v.checked_out_at]
    if ended:
        period["end"] = instant(max(ended))
    return period


def service_request(referral: Referral) -> Json:
    request = referral.request
    resource: Json = {
        "resourceType": "ServiceRequest",
        "id": str(request.pk),
        "meta": {"lastUpdated": instant(request.updated_at)},
        "identifier": [
            *referral.echo.get("service_request", []),
            {"system": codes.REQUEST_SYSTEM, "value": str(request.pk)},
        ],
        "status": codes.SERVICE_REQUEST_STATUS.get(request.status, "active"),
        "intent": "order",
        "priority": codes.PRIORITY[request.urgency],
        "code": {"coding": [service_coding(request.service_type)]},
        "subject": _patient(referral, request),
        "authoredOn": instant(request.created_at),
        "requester": {**_requester(request), **_requester_display(referral)},
        "performer": [owner_reference(request)],
        "locationReference": [_location(request)],
    }
    if request.window_starts and request.window_ends:
        resource["occurrencePeriod"] = {
            "start": instant(request.window_starts),
            "end": instant(request.window_ends),
        }
    if request.details:
        resource["note"] = [{"text": request.details}]
    return resource


def _requester_display(referral: Referral) -> Json:
    name = referral.echo.get("requester", "")
    return {"display": f"{name}, {referral.request.institution.name}"} if name else {}


def _location(request: CareRequest) -> Json:
    if request.department is None:
        return {"display": request.institution.address or request.institution.name}
    return {
        "type": "Location",
        "identifier": {"system": codes.DEPARTMENT_SYSTEM, "value": str(request.department_id)},
        "display": f"{request.department.name}, {request.institution.name}",
    }


def searchset(entries: list[Json], *, total: int, links: dict[str, str], base: str) -> Json:
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": [{"relation": r, "url": u} for r, u in links.items()],
        "entry": [
            {"fullUrl": f"{base}/Task/{e['id']}", "resource": e, "search": {"mode": "match"}}
            for e in entries
        ],
    }
