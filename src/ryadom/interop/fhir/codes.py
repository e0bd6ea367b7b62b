"""The FHIR side of Ryadom's words, written once both ways: canonical URLs, the service
catalogue as a code system, and the request lifecycle as Task.status and businessStatus."""

from __future__ import annotations

from dataclasses import dataclass

from ryadom.care.models import Status, Urgency

# Canonical URLs are names, the same in every installation (as HSDS ids are): they say
# whose code or identifier a value is, and are never fetched.
CANONICAL = "https://ryadom.example/fhir"
SERVICE_TYPE_SYSTEM = f"{CANONICAL}/CodeSystem/service-type"
REQUEST_STATUS_SYSTEM = f"{CANONICAL}/CodeSystem/request-status"
INSTITUTION_SYSTEM = f"{CANONICAL}/NamingSystem/institution"
DEPARTMENT_SYSTEM = f"{CANONICAL}/NamingSystem/department"
# Ids our Task and ServiceRequest answer to, for a client that keeps ours beside its own.
REQUEST_SYSTEM = f"{CANONICAL}/NamingSystem/care-request"

# Code systems of FHIR and of the HL7 Gravity SDOH Clinical Care guide.
TASK_CODE_SYSTEM = "http://hl7.org/fhir/CodeSystem/task-code"
SDOHCC_CODES = "http://hl7.org/fhir/us/sdoh-clinicalcare/CodeSystem/SDOHCC-CodeSystemTemporaryCodes"

FHIR_JSON = "application/fhir+json"
FHIR_VERSION = "4.0.1"

# Our request status → Task.status. A cancellation is "rejected" instead when Ryadom
# refused the referral: cancelled before any helper took it, by someone other than the
# referring client (`task_status`).
TASK_STATUS: dict[str, str] = {
    Status.NEW: "received",
    Status.TRIAGED: "accepted",
    Status.ASSIGNED: "accepted",
    Status.SCHEDULED: "accepted",
    Status.IN_PROGRESS: "in-progress",
    Status.COMPLETED: "completed",
    Status.CONFIRMED: "completed",
    Status.CANCELLED: "cancelled",
}
REJECTED = "rejected"
# Statuses from which a cancellation by Ryadom's side is a refusal of the referral.
REFUSABLE = frozenset({Status.NEW, Status.TRIAGED})
TASK_STATUSES = frozenset(TASK_STATUS.values()) | {REJECTED}


def request_statuses(task_status: str) -> frozenset[str]:
    """The request statuses a Task status stands for (rejected is among the cancelled)."""
    wanted = "cancelled" if task_status == REJECTED else task_status
    return frozenset(s for s, t in TASK_STATUS.items() if t == wanted)


# ServiceRequest.priority ↔ urgency.
PRIORITY: dict[str, str] = {
    Urgency.NORMAL: "routine",
    Urgency.URGENT: "urgent",
    Urgency.CRITICAL: "asap",
}
URGENCY = {priority: urgency for urgency, priority in PRIORITY.items()} | {"stat": Urgency.CRITICAL}

# ServiceRequest.status from the request's.
SERVICE_REQUEST_STATUS: dict[str, str] = {
    Status.COMPLETED: "completed",
    Status.CONFIRMED: "completed",
    Status.CANCELLED: "revoked",
}


@dataclass(frozen=True)
class Outcome(Exception):
    """A refusal answered as an OperationOutcome: HTTP status, FHIR issue code, diagnostics
    in English (FHIR is read by programs; people read the body of the request instead) and
    where in the input it was found (a FHIRPath, when there is one)."""

    status: int
    code: str
    diagnostics: str
    expression: str = ""

    def resource(self) -> dict[str, object]:
        issue: dict[str, object] = {
            "severity": "error",
            "code": self.code,
            "diagnostics": self.diagnostics,
        }
        if self.expression:
            issue["expression"] = [self.expression]
        return {"resourceType": "OperationOutcome", "issue": [issue]}


def invalid(diagnostics: str, expression: str = "", status: int = 422) -> Outcome:
    return Outcome(status, "invalid" if status == 400 else "business-rule", diagnostics, expression)


# Our services' field names → where a FHIR client put that value.
FIELD_PATHS = {
    "service": "ServiceRequest.code",
    "institution": "Task.requester",
    "department": "ServiceRequest.locationReference",
    "window_starts": "ServiceRequest.occurrencePeriod.start",
    "window_ends": "ServiceRequest.occurrencePeriod.end",
    "details": "ServiceRequest.note",
    "veteran": "Patient",
    "addressed_as": "Patient.name",
    "gender": "Patient.gender",
    "phone": "Patient.telecom",
    "admitted_on": "Patient",
    "consent": "Consent",
    "witness": "Consent.performer",
    "scan": "Consent.sourceAttachment",
}
ISSUE_CODES = {401: "login", 403: "forbidden", 404: "not-found", 409: "conflict", 429: "throttled"}
