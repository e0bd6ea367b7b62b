"""Consent the veteran gives to staff in person (aloud before a witness, or signed on paper),
recorded by the staff member for a purpose other than care (taken at admission): handing the
case over home at discharge, sharing with a partner service."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.core.errors import ApplicationError, PermissionDeniedError
from ryadom.veterans.consent import consent_audit
from ryadom.veterans.models import Consent, ConsentMethod, ConsentPurpose, Stay, Veteran
from ryadom.veterans.selectors import may_admit
from ryadom.veterans.stays import lock_veteran

IN_PERSON = (ConsentMethod.SPOKEN, ConsentMethod.WITNESS)
# Care is taken at admission (veterans/services.py); a relative's authority is the veteran's.
STAFF_PURPOSES = (ConsentPurpose.HANDOVER, ConsentPurpose.PARTNER)


@transaction.atomic
def consent_record_in_person(
    *, actor: User, veteran: Veteran, purpose: str, method: str, witness: str
) -> Consent:
    """Staff of the veteran's latest stay (or its region's coordinators) record a consent the
    veteran gave them in person, with who witnessed it. An active one is returned as it is."""
    latest = Stay.objects.filter(veteran=veteran).select_related("institution")
    stay = latest.order_by("-admitted_on", "-pk").first()
    if veteran.anonymised_at is not None or stay is None or not may_admit(actor, stay.institution):
        raise PermissionDeniedError(
            _("Only the ward staff or the coordinators of the region may do this.")
        )
    if purpose not in STAFF_PURPOSES:
        raise ApplicationError(_("Unknown purpose of consent."), field="purpose")
    if method not in IN_PERSON:
        raise ApplicationError(
            _("Staff record consent given aloud or on paper; online, the veteran gives it."),
            field="consent_method",
        )
    if not witness.strip():
        raise ApplicationError(
            _("Write who heard the veteran's consent with you."), field="witness"
        )
    if len(witness.strip()) > 120:
        raise ApplicationError(_("The witness's name is too long."), field="witness")
    lock_veteran(veteran)
    active = Consent.objects.filter(veteran=veteran, purpose=purpose, withdrawn_at=None).first()
    if active is not None:
        return active
    consent = Consent.objects.create(
        veteran=veteran,
        purpose=purpose,
        recorded_by=actor,
        given_at=timezone.now(),
        method=method,
        witnessed_by=witness.strip(),
    )
    consent_audit(actor=actor, consent=consent)
    return consent
