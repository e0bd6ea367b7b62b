"""Receiving a hospital's referral: the same Task identifier gives the same referral; a new
one becomes a care request through care's intake, for a veteran in treatment found by the
hospital's patient identifier or phone, or admitted through the veterans' admission."""

from __future__ import annotations

from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from ryadom.accounts.models import User
from ryadom.accounts.services import address_normalise
from ryadom.audit.services import audit_record
from ryadom.care.models import Channel
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError
from ryadom.institutions.models import Department, Institution
from ryadom.interop.fhir import codes
from ryadom.interop.fhir.codes import Outcome, invalid
from ryadom.interop.fhir.parse import Incoming
from ryadom.interop.fhir.selectors import client_institution_ids
from ryadom.interop.models import Referral
from ryadom.veterans.models import Veteran
from ryadom.veterans.services import admission_register


@transaction.atomic
def referral_receive(*, client: User, incoming: Incoming) -> tuple[Referral, bool]:
    """(the referral, whether it is new). A repeated POST of the same Task identifier by the
    same client finds the first referral; with different content it is refused (409)."""
    # One client's referrals are taken one at a time, so a retry racing the first POST waits
    # for it and then finds it (the row lock on PostgreSQL; SQLite writes one at a time).
    User.objects.select_for_update().filter(pk=client.pk).values_list("pk").first()
    system, value = incoming.identifier
    earlier = Referral.objects.filter(
        client=client, identifier_system=system, identifier_value=value
    ).first()
    fingerprint = incoming.fingerprint()
    if earlier is not None:
        if earlier.body_hash != fingerprint:
            raise Outcome(
                409,
                "duplicate",
                f"Task.identifier {system}|{value} was sent before with a different referral.",
                "Task.identifier",
            )
        return earlier, False
    return _receive(client=client, incoming=incoming, fingerprint=fingerprint), True


def _receive(*, client: User, incoming: Incoming, fingerprint: str) -> Referral:
    institution, department = _place(client, incoming)
    service_type = ServiceType.objects.filter(code=incoming.service_code).first()
    if service_type is None:
        raise invalid(
            f"ServiceRequest.code {incoming.service_code!r} is not in {codes.SERVICE_TYPE_SYSTEM}.",
            "ServiceRequest.code",
        )
    veteran = _veteran(client, incoming, institution, department)
    request = request_create(
        actor=client,
        service_type=service_type,
        institution=institution,
        channel=Channel.HOSPITAL_SYSTEM,
        department=department,
        veteran=veteran,
        details=incoming.details,
        urgency=incoming.urgency,
        window=incoming.window,
        requester_name=incoming.requester_name,
    )
    system, value = incoming.identifier
    referral = Referral.objects.create(
        client=client,
        request=request,
        identifier_system=system,
        identifier_value=value,
        patient_system=incoming.patient.system,
        patient_value=incoming.patient.value,
        echo={
            "task": incoming.task_identifiers,
            "service_request": incoming.service_request_identifiers,
            "requester": incoming.requester_name,
        },
        body_hash=fingerprint,
    )
    audit_record(
        actor=client,
        action="fhir.referral_received",
        target=referral,
        region_id=request.region_id,
        veteran_id=veteran.pk,
        changes={"request": request.pk, "identifier": f"{system}|{value}"},
    )
    return referral


def _place(client: User, incoming: Incoming) -> tuple[Institution, Department | None]:
    """The institution (Task.requester, else the ward's, else the client's only one) and the
    ward (ServiceRequest.locationReference)."""
    department = None
    if incoming.department_id is not None:
        department = (
            Department.objects.select_related("institution")
            .filter(pk=incoming.department_id)
            .first()
        )
        if department is None:
            raise invalid(
                "ServiceRequest.locationReference: no such ward.",
                "ServiceRequest.locationReference",
            )
    mine = client_institution_ids(client)
    institution_id = incoming.institution_id or (department.institution_id if department else None)
    if institution_id is None and len(mine) == 1:
        institution_id = next(iter(mine))
    if institution_id is None:
        raise invalid(
            f"Task.requester: name the institution by an identifier in {codes.INSTITUTION_SYSTEM}.",
            "Task.requester",
        )
    if institution_id not in mine:
        raise Outcome(
            403,
            "forbidden",
            "This client does not stand for the institution named.",
            "Task.requester",
        )
    institution = Institution.objects.select_related("region").get(pk=institution_id)
    if department is not None and department.institution_id != institution.pk:
        raise invalid(
            "The ward belongs to another institution.", "ServiceRequest.locationReference"
        )
    return institution, department


def _veteran(
    client: User, incoming: Incoming, institution: Institution, department: Department | None
) -> Veteran:
    """The veteran this patient is: known to the client by its identifier, or in treatment
    here with the same phone; else admitted now, with the consent the hospital sent."""
    patient = incoming.patient
    earlier = (
        Referral.objects.filter(
            client=client,
            patient_system=patient.system,
            patient_value=patient.value,
            request__veteran__anonymised_at__isnull=True,
        )
        .select_related("request__veteran")
        .order_by("-pk")
        .first()
    )
    if earlier is not None and earlier.request.veteran is not None:
        return earlier.request.veteran
    phone = _phone(patient.phone)
    if phone:
        here = Veteran.objects.filter(
            phone=phone,
            anonymised_at__isnull=True,
            stays__institution=institution,
            stays__discharged_on__isnull=True,
        ).first()
        if here is not None:
            return here
    return _admit(client, incoming, institution, department)


def _phone(raw: str) -> str:
    try:
        kind, address = address_normalise(raw) if raw.strip() else ("", "")
    except ApplicationError:
        return ""
    return address if kind == "phone" else ""


def _admit(
    client: User, incoming: Incoming, institution: Institution, department: Department | None
) -> Veteran:
    consent, patient = incoming.consent, incoming.patient
    if consent is None:
        raise invalid(
            "This patient is not in treatment here as far as Ryadom knows: send the Consent "
            "to arranging help, with the signed form as Consent.sourceAttachment, to register "
            "them.",
            "Consent",
        )
    if not patient.gender:
        raise invalid("Patient.gender: male or female, to register the patient.", "Patient.gender")
    admission = admission_register(
        actor=client,
        addressed_as=patient.name,
        gender=patient.gender,
        institution=institution,
        admitted_on=timezone.localdate(),
        consent="witness",
        department=department,
        phone=_phone(patient.phone),
        witness=consent.witness or client.get_username(),
        scan=SimpleUploadedFile(consent.filename, consent.content, consent.content_type),
    )
    return admission.veteran


def referrals_forget_patient(*, veteran: Veteran, account: User | None) -> int:
    """An anonymised veteran's hospital identifiers go (veterans' `veteran_anonymising`)."""
    return Referral.objects.filter(request__veteran=veteran).update(
        patient_system="", patient_value=""
    )
