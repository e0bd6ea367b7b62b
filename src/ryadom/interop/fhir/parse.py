"""A referral as a hospital sends it, read into plain values: a Task with its ServiceRequest,
Patient and optional Consent, contained in the Task or as entries of a transaction Bundle.

Every resource is first parsed with `fhir.resources` (R4B models: the resources used here
are the same in R4 and R4B), so a malformed one is refused with where and why; the rules of
the referral (which statuses, which codes, which references) are checked after.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import hashlib
import json
from dataclasses import asdict, dataclass
from typing import Any

from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.task import Task
from pydantic import ValidationError

from ryadom.interop.fhir import codes
from ryadom.interop.fhir.codes import Outcome, invalid

Json = dict[str, Any]
SUPPORTED = ("Task", "ServiceRequest", "Patient", "Consent")
ATTACHMENT_TYPES = {"application/pdf": "pdf", "image/jpeg": "jpg", "image/png": "png"}


@dataclass(frozen=True)
class PatientIn:
    system: str
    value: str
    name: str
    gender: str  # "m", "f" or "" when the resource says neither
    phone: str


@dataclass(frozen=True)
class ConsentIn:
    content: bytes
    filename: str
    content_type: str
    witness: str


@dataclass(frozen=True)
class Incoming:
    """What a referral asks, in our terms."""

    identifier: tuple[str, str]
    task_identifiers: list[Json]
    service_request_identifiers: list[Json]
    service_code: str
    institution_id: int | None
    department_id: int | None
    urgency: str
    window: tuple[datetime.datetime, datetime.datetime] | None
    details: str
    requester_name: str
    patient: PatientIn
    consent: ConsentIn | None

    def fingerprint(self) -> str:
        """The same referral sent again has the same fingerprint (the Task identifier aside)."""
        values = asdict(self)
        if self.consent is not None:
            values["consent"]["content"] = hashlib.sha256(self.consent.content).hexdigest()
        return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


def _load(body: bytes) -> Json:
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise invalid(f"The body is not JSON: {exc}.", status=400) from None
    if not isinstance(data, dict) or not isinstance(data.get("resourceType"), str):
        raise invalid("The body is not a FHIR resource: it has no resourceType.", status=400)
    return data


def _validated(model: Any, data: Json) -> None:
    try:
        model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in (data["resourceType"], *first["loc"]))
        raise invalid(f"{where}: {first['msg']}", expression=where, status=400) from None
    except (KeyError, TypeError, ValueError) as exc:
        raise invalid(f"Not a valid FHIR R4 {data['resourceType']}: {exc!r}.", status=400) from None


def _expect(data: Json, resource_type: str) -> None:
    if data["resourceType"] != resource_type:
        raise Outcome(
            400, "not-supported", f"Expected a {resource_type}; got a {data['resourceType']}."
        )


def referral_from_task(body: bytes) -> Incoming:
    """A Task whose ServiceRequest, Patient and Consent are contained in it ("#id")."""
    data = _load(body)
    _expect(data, "Task")
    _validated(Task, data)
    found = {f"#{r.get('id')}": r for r in data.get("contained", [])}
    return _referral(data, found)


def referral_from_bundle(body: bytes) -> Incoming:
    """A transaction Bundle of POSTs: the Task, the ServiceRequest, the Patient, a Consent."""
    data = _load(body)
    _expect(data, "Bundle")
    _validated(Bundle, data)
    if data.get("type") != "transaction":
        raise Outcome(400, "not-supported", "Only a Bundle of type transaction is accepted here.")
    found: dict[str, Json] = {}
    tasks = []
    for n, entry in enumerate(data.get("entry", [])):
        resource = entry.get("resource") or {}
        kind = resource.get("resourceType")
        if kind not in SUPPORTED:
            raise Outcome(
                422,
                "not-supported",
                f"Bundle.entry[{n}]: a {kind} is not part of a referral here; "
                f"send {', '.join(SUPPORTED)}.",
                f"Bundle.entry[{n}].resource",
            )
        request = entry.get("request") or {}
        if request.get("method") not in ("POST", "PUT"):
            raise invalid(f"Bundle.entry[{n}].request.method: POST or PUT.", f"Bundle.entry[{n}]")
        for key in (entry.get("fullUrl"), f"{kind}/{resource.get('id')}"):
            if key:
                found[key] = resource
        if kind == "Task":
            tasks.append(resource)
    if len(tasks) != 1:
        raise invalid(f"A referral Bundle holds exactly one Task; this one has {len(tasks)}.")
    return _referral(tasks[0], found)


def _resolve(reference: Json | None, kind: str, found: dict[str, Json], path: str) -> Json:
    target = found.get((reference or {}).get("reference") or "")
    if target is None or target.get("resourceType") != kind:
        raise invalid(
            f"{path} must reference the {kind} sent with the Task (contained or in the Bundle).",
            path,
        )
    return target


def _one_identifier(identifiers: list[Json], path: str) -> tuple[str, str]:
    for identifier in identifiers:
        if identifier.get("system") and identifier.get("value"):
            return identifier["system"], identifier["value"]
    raise invalid(f"{path}: an identifier with a system and a value is required.", path)


def _referral(task: Json, found: dict[str, Json]) -> Incoming:
    if task.get("status") != "requested" or task.get("intent") != "order":
        raise invalid(
            "A new referral's Task has status 'requested' and intent 'order'.", "Task.status"
        )
    service_request = _resolve(task.get("focus"), "ServiceRequest", found, "Task.focus")
    patient = _resolve(task.get("for"), "Patient", found, "Task.for")
    if found.get((service_request.get("subject") or {}).get("reference", "")) is not patient:
        raise invalid(
            "ServiceRequest.subject must be the Task's patient.", "ServiceRequest.subject"
        )
    consents = [r for r in found.values() if r.get("resourceType") == "Consent"]
    return Incoming(
        identifier=_one_identifier(task.get("identifier", []), "Task.identifier"),
        task_identifiers=task.get("identifier", []),
        service_request_identifiers=service_request.get("identifier", []),
        service_code=_service_code(service_request),
        institution_id=_named(
            task.get("requester") or service_request.get("requester"),
            codes.INSTITUTION_SYSTEM,
            "Task.requester",
        ),
        department_id=_named(
            _first(service_request.get("locationReference")),
            codes.DEPARTMENT_SYSTEM,
            "ServiceRequest.locationReference",
        ),
        urgency=_urgency(service_request.get("priority")),
        window=_window(service_request.get("occurrencePeriod")),
        details="\n".join(n.get("text", "") for n in service_request.get("note", [])).strip(),
        requester_name=str((service_request.get("requester") or {}).get("display", ""))[:120],
        patient=_patient(patient),
        consent=_consent(consents[0], patient, found) if consents else None,
    )


def _first(values: list[Json] | None) -> Json | None:
    return values[0] if values else None


def _named(reference: Json | None, system: str, path: str) -> int | None:
    """Our id from a logical reference by identifier in one of our naming systems."""
    identifier = (reference or {}).get("identifier") or {}
    if not identifier:
        return None
    value = str(identifier.get("value", ""))
    if identifier.get("system") != system or not value.isdigit() or len(value) > 18:
        raise invalid(f"{path}.identifier: a number in the system {system}.", path)
    return int(value)


def _service_code(service_request: Json) -> str:
    if service_request.get("status") != "active" or service_request.get("intent") != "order":
        raise invalid(
            "The ServiceRequest has status 'active' and intent 'order'.", "ServiceRequest.status"
        )
    for coding in (service_request.get("code") or {}).get("coding", []):
        if coding.get("system") == codes.SERVICE_TYPE_SYSTEM and coding.get("code"):
            return str(coding["code"])
    raise invalid(
        f"ServiceRequest.code needs a coding from {codes.SERVICE_TYPE_SYSTEM} "
        "(the codes are listed at /fhir/CodeSystem/service-type).",
        "ServiceRequest.code",
    )


def _urgency(priority: str | None) -> str:
    urgency = codes.URGENCY.get(priority or "routine")
    if urgency is None:
        raise invalid(
            "ServiceRequest.priority: routine, urgent, asap or stat.",
            "ServiceRequest.priority",
            status=400,
        )
    return urgency


def _moment(value: str | None, path: str) -> datetime.datetime:
    try:
        moment = datetime.datetime.fromisoformat(value or "")
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise invalid(
            f"{path}: a date and time with its offset, e.g. 2025-05-20T15:00:00+03:00.", path
        )
    return moment


def _window(period: Json | None) -> tuple[datetime.datetime, datetime.datetime] | None:
    if not period:
        return None
    path = "ServiceRequest.occurrencePeriod"
    return _moment(period.get("start"), f"{path}.start"), _moment(period.get("end"), f"{path}.end")


def _name(patient: Json) -> str:
    """How the veteran is addressed: the name in use ("usual"), else the first; its text, else
    the given names (a first name and a patronymic), else the whole name."""
    names = patient.get("name", [])
    name = next((n for n in names if n.get("use") == "usual"), names[0] if names else {})
    given = " ".join(name.get("given", []))
    whole = " ".join([*name.get("given", []), name.get("family", "")])
    return " ".join((name.get("text") or given or whole).split())[:120]


def _patient(patient: Json) -> PatientIn:
    system, value = _one_identifier(patient.get("identifier", []), "Patient.identifier")
    phones = [t for t in patient.get("telecom", []) if t.get("system") in ("phone", "sms")]
    mobile = next((t for t in phones if t.get("use") == "mobile"), _first(phones) or {})
    return PatientIn(
        system=system,
        value=value,
        name=_name(patient),
        gender={"male": "m", "female": "f"}.get(patient.get("gender", ""), ""),
        phone=str(mobile.get("value", "")),
    )


def _consent(consent: Json, patient: Json, found: dict[str, Json]) -> ConsentIn:
    if consent.get("status") != "active":
        raise invalid("The Consent has status 'active'.", "Consent.status")
    if found.get((consent.get("patient") or {}).get("reference", "")) is not patient:
        raise invalid("Consent.patient must be the Task's patient.", "Consent.patient")
    attachment = consent.get("sourceAttachment") or {}
    kind = ATTACHMENT_TYPES.get(attachment.get("contentType", ""))
    try:
        content = base64.b64decode(attachment.get("data", ""), validate=True)
    except (binascii.Error, ValueError):
        content = b""
    if kind is None or not content:
        raise invalid(
            "Consent.sourceAttachment holds the signed form: data (base64) of contentType "
            "application/pdf, image/jpeg or image/png.",
            "Consent.sourceAttachment",
        )
    who = [
        r.get("display", "") for r in consent.get("performer", []) + consent.get("organization", [])
    ]
    return ConsentIn(
        content=content,
        filename=f"consent.{kind}",
        content_type=attachment["contentType"],
        witness=next((w for w in who if w), ""),
    )
