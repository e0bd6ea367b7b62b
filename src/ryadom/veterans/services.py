"""Writes of an admission on the ward: the veteran's record (or the earlier one of the same
person), the stay, the slip's claim code, and the consent to care taken there (a code to
the veteran's phone, or signed before a witness). The rest of the veterans' writes:
`stays.py`, `consent.py`, `proxies.py`, `claims.py`, `erasure.py`."""

from __future__ import annotations

import datetime
import uuid
from dataclasses import dataclass

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ryadom.accounts.models import AddressKind, User
from ryadom.accounts.services import address_normalise, code_send, code_verify
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.core.uploads import upload_read
from ryadom.core.validation import InvalidInput, full_clean_or_raise
from ryadom.institutions.models import Department, Institution
from ryadom.veterans.claims import claim_code_hash, claim_code_new, veteran_link
from ryadom.veterans.consent import consent_audit
from ryadom.veterans.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ContactRoute,
    Stay,
    Veteran,
)
from ryadom.veterans.selectors import may_admit
from ryadom.veterans.stays import (
    current_region_id,
    lock_veteran,
    staff_of_current_stay_or_raise,
    stay_create,
)


@dataclass(frozen=True)
class Admission:
    """What an admission gives the ward: the record, the stay, and the slip's claim code."""

    veteran: Veteran
    stay: Stay
    claim_code: str
    code_sent_to: str  # the phone a consent code went to, or ""


def phone_or_raise(phone: str) -> str:
    """A mobile number as stored (+digits), "" for none; anything else is refused."""
    if not phone.strip():
        return ""
    try:
        kind, address = address_normalise(phone)
    except ApplicationError:
        kind, address = "", ""
    if kind != AddressKind.PHONE:
        raise ApplicationError(
            _("Enter a mobile phone number, e.g. +7 900 123-45-67."), field="phone"
        )
    return address


def _same_person(
    *, phone: str, addressed_as: str, institution: Institution, different_person: bool
) -> Veteran | None:
    """A record of this person already: refused while they are in treatment, reused after."""
    alive = Veteran.objects.filter(anonymised_at__isnull=True)
    earlier = alive.filter(phone=phone).order_by("pk").first() if phone else None
    if earlier is not None:
        current = Stay.objects.filter(veteran=earlier, discharged_on__isnull=True).first()
        if current is not None:
            raise ConflictError(
                _(
                    "A patient with this phone number is already in treatment (admitted on "
                    "%(date)s). Transfer them from their page instead of admitting them again."
                )
                % {"date": current.admitted_on.strftime("%d.%m.%Y")},
                field="phone",
            )
        return earlier
    namesakes = alive.filter(
        addressed_as__iexact=addressed_as,
        stays__institution=institution,
        stays__discharged_on__isnull=True,
    )
    if not different_person and namesakes.exists():
        raise ConflictError(
            _(
                "A patient called “%(name)s” is already admitted here. If this is another "
                "person, tick “This is a different person”."
            )
            % {"name": addressed_as},
            field="addressed_as",
        )
    return None


@transaction.atomic
def admission_register(
    *,
    actor: User,
    addressed_as: str,
    gender: str,
    institution: Institution,
    admitted_on: datetime.date,
    consent: str,
    department: Department | None = None,
    phone: str = "",
    witness: str = "",
    scan: UploadedFile | None = None,
    different_person: bool = False,
) -> Admission:
    """A veteran arrives on a ward: their record (or the earlier one of the same person), a
    stay, and consent to care, either by a code sent to their phone (confirmed next with
    `consent_confirm_by_code`), signed on paper before a witness with a scan of the form, or
    said aloud before a witness (taken down by a coordinator on the phone)."""
    if not may_admit(actor, institution):
        raise PermissionDeniedError(_("Only the ward staff or the region's coordinators admit."))
    addressed_as = " ".join(addressed_as.split())
    phone = phone_or_raise(phone)
    _admission_check(
        addressed_as=addressed_as,
        admitted_on=admitted_on,
        consent=consent,
        phone=phone,
        witness=witness,
        scan=scan,
    )
    veteran = _same_person(
        phone=phone,
        addressed_as=addressed_as,
        institution=institution,
        different_person=different_person,
    )
    code = claim_code_new()
    if veteran is None:
        veteran = Veteran(
            addressed_as=addressed_as,
            gender=gender,
            home_region_id=institution.region_id,
            phone=phone,
            contact_route=ContactRoute.OWN_PHONE if phone else ContactRoute.WARD,
        )
        full_clean_or_raise(veteran, exclude=["user"])
    veteran.claim_code_hash = "" if veteran.user_id else claim_code_hash(code)
    veteran.save()
    stay = stay_create(
        actor=actor,
        veteran=veteran,
        institution=institution,
        department=department,
        admitted_on=admitted_on,
    )
    audit_record(
        actor=actor,
        action="veteran.admitted",
        target=veteran,
        region_id=institution.region_id,
        veteran_id=veteran.pk,
        changes={"stay": stay.pk, "consent": consent},
    )
    sent = ""
    if consent == "witness":
        _consent_witnessed(actor=actor, veteran=veteran, witness=witness, scan=scan)
    elif consent == "spoken":
        _consent_spoken(actor=actor, veteran=veteran, witness=witness)
    elif consent == "code":
        sent = _consent_code_send(actor=actor, veteran=veteran)
    return Admission(veteran=veteran, stay=stay, claim_code=code, code_sent_to=sent)


# A code to the veteran's phone; signed on paper before a witness; or said aloud (on the
# phone to a coordinator) before a witness, with no paper.
CONSENT_WAYS = ("code", "witness", "spoken")


def _admission_check(
    *,
    addressed_as: str,
    admitted_on: datetime.date,
    consent: str,
    phone: str,
    witness: str,
    scan: UploadedFile | None,
) -> None:
    errors: dict[str, list[str]] = {}
    if not addressed_as:
        errors["addressed_as"] = [_("Write how the veteran wishes to be addressed.")]
    if admitted_on > timezone.localdate():
        errors["admitted_on"] = [_("The admission date is in the future.")]
    if consent not in CONSENT_WAYS:
        errors["consent"] = [_("Choose how the veteran gives consent.")]
    if consent == "code" and not phone:
        errors["phone"] = [_("A code needs the veteran's own mobile phone.")]
    if consent == "witness" and not witness.strip():
        errors["witness"] = [_("Write who witnessed the signature.")]
    if consent == "witness" and scan is None:
        errors["scan"] = [_("Attach a photo or a scan of the signed form.")]
    if consent == "spoken" and not witness.strip():
        errors["witness"] = [_("Write who heard the veteran's consent with you.")]
    if errors:
        raise InvalidInput(errors)


def _consent_witnessed(
    *, actor: User, veteran: Veteran, witness: str, scan: UploadedFile | None
) -> Consent:
    if scan is None:
        raise ApplicationError(_("Attach a photo or a scan of the signed form."), field="scan")
    content, kind = upload_read(scan, field="scan")
    if Consent.objects.filter(veteran=veteran, purpose=ConsentPurpose.CARE, withdrawn_at=None):
        return Consent.objects.get(veteran=veteran, purpose=ConsentPurpose.CARE, withdrawn_at=None)
    consent = Consent(
        veteran=veteran,
        purpose=ConsentPurpose.CARE,
        recorded_by=actor,
        given_at=timezone.now(),
        method=ConsentMethod.WITNESS,
        witnessed_by=witness.strip()[:120],
    )
    consent.form_scan.save(f"{uuid.uuid4().hex}.{kind}", ContentFile(content), save=False)
    consent.save()
    consent_audit(actor=actor, consent=consent, extra={"size": len(content)})
    return consent


def _consent_spoken(*, actor: User, veteran: Veteran, witness: str) -> Consent:
    active = Consent.objects.filter(
        veteran=veteran, purpose=ConsentPurpose.CARE, withdrawn_at=None
    ).first()
    if active is not None:
        return active
    consent = Consent.objects.create(
        veteran=veteran,
        purpose=ConsentPurpose.CARE,
        recorded_by=actor,
        given_at=timezone.now(),
        method=ConsentMethod.SPOKEN,
        witnessed_by=witness.strip()[:120],
    )
    consent_audit(actor=actor, consent=consent)
    return consent


def _consent_code_send(*, actor: User, veteran: Veteran) -> str:
    try:
        one_time = code_send(
            address=veteran.phone,
            language=translation.get_language() or "ru",
            message_kind="consent_code",
        )
    except ApplicationError as exc:
        exc.field = "phone"
        raise
    audit_record(
        actor=actor,
        action="consent.code_sent",
        target=veteran,
        region_id=current_region_id(veteran),
        veteran_id=veteran.pk,
    )
    return one_time.address


def consent_code_resend(*, actor: User, veteran: Veteran) -> str:
    """Send the veteran another consent code (the first was lost or expired)."""
    staff_of_current_stay_or_raise(actor, veteran)
    if not veteran.phone:
        raise ApplicationError(_("The veteran has no mobile phone on record."), field="code")
    with transaction.atomic():
        return _consent_code_send(actor=actor, veteran=veteran)


def consent_confirm_by_code(*, actor: User, veteran: Veteran, code: str) -> Consent:
    """The veteran reads out (or types in) the code their phone received: consent to care is
    recorded as theirs, and the phone's account becomes the veteran's own."""
    staff_of_current_stay_or_raise(actor, veteran)
    if not veteran.phone:
        raise ApplicationError(_("The veteran has no mobile phone on record."), field="code")
    # Not inside a transaction: a wrong code must stay counted when this call is refused.
    person = code_verify(address=veteran.phone, code=code)
    return _consent_by_code_record(actor=actor, veteran=veteran, person=person)


@transaction.atomic
def _consent_by_code_record(*, actor: User, veteran: Veteran, person: User) -> Consent:
    lock_veteran(veteran)
    veteran.refresh_from_db()
    if veteran.user_id is None and not Veteran.objects.filter(user=person).exists():
        veteran_link(actor=actor, person=person, veteran=veteran)
    active = Consent.objects.filter(
        veteran=veteran, purpose=ConsentPurpose.CARE, withdrawn_at__isnull=True
    ).first()
    if active is not None:
        return active
    consent = Consent.objects.create(
        veteran=veteran,
        purpose=ConsentPurpose.CARE,
        given_by=person,
        recorded_by=actor,
        given_at=timezone.now(),
        method=ConsentMethod.CODE,
    )
    consent_audit(actor=actor, consent=consent)
    return consent
