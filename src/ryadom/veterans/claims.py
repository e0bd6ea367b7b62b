"""Writes of a veteran claiming their admission: by the code on the admission slip, or by
asking the ward staff, who confirm the match. Either way the account becomes the veteran's
own through `veteran_link`, as it does when the veteran confirms consent with a code."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.services import role_assign
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.core.validation import full_clean_or_raise
from ryadom.institutions.models import Institution
from ryadom.veterans import events
from ryadom.veterans.models import AdmissionClaim, ClaimStatus, Stay, Veteran
from ryadom.veterans.selectors import may_admit
from ryadom.veterans.stays import current_region_id, lock_veteran

CLAIM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed from paper


def claim_code_hash(code: str) -> str:
    """Keyed with the secret key, as one-time codes are: a leaked table gives no codes away."""
    normal = code.strip().upper().replace("-", "").replace(" ", "")
    return salted_hmac("ryadom.veterans.claim_code", normal, algorithm="sha256").hexdigest()


def claim_code_new() -> str:
    raw = "".join(secrets.choice(CLAIM_ALPHABET) for _i in range(8))
    return f"{raw[:4]}-{raw[4:]}"


def veteran_link(*, actor: User, person: User, veteran: Veteran) -> None:
    """The person's account becomes the veteran's own: how every claim ends."""
    veteran.user = person
    veteran.claim_code_hash = ""
    veteran.save(update_fields=["user", "claim_code_hash"])
    role_assign(actor=actor, user=person, role=Role.VETERAN)
    audit_record(
        actor=actor,
        action="veteran.claimed",
        target=veteran,
        region_id=current_region_id(veteran),
        veteran_id=veteran.pk,
    )


def _unlinked_or_raise(person: User, field: str) -> None:
    if Veteran.objects.filter(user=person).exists():
        raise ConflictError(_("Your account already belongs to a veteran's record."), field=field)


@transaction.atomic
def admission_claim(*, actor: User, code: str) -> Veteran:
    """A veteran signed up by phone or e-mail claims their record with the code on their
    admission slip; they become its own account."""
    _unlinked_or_raise(actor, field="code")
    veteran = (
        Veteran.objects.select_for_update()
        .filter(claim_code_hash=claim_code_hash(code), user__isnull=True, anonymised_at=None)
        .exclude(claim_code_hash="")
        .first()
    )
    if veteran is None:
        raise ApplicationError(
            _("This code does not match an admission. Check it, or ask the ward staff."),
            field="code",
        )
    veteran_link(actor=actor, person=actor, veteran=veteran)
    return veteran


@transaction.atomic
def admission_claim_ask(*, actor: User, institution: Institution, name: str) -> AdmissionClaim:
    """A veteran signed up without the slip's code asks the ward staff of `institution` to
    match them to their admission. Nothing about anyone is shown to them until the staff
    confirm; the staff see the ask on their list of claims."""
    User.objects.select_for_update().filter(pk=actor.pk).values_list("pk").first()
    _unlinked_or_raise(actor, field="name")
    if not institution.is_active:
        raise ApplicationError(_("No such institution."), field="institution")
    if AdmissionClaim.objects.filter(user=actor, status=ClaimStatus.ASKED).exists():
        raise ConflictError(
            _("You have already asked; the ward staff will answer soon."), field="name"
        )
    claim = AdmissionClaim(user=actor, institution=institution, name=" ".join(name.split()))
    full_clean_or_raise(claim, exclude=["user", "institution"])
    claim.save()
    audit_record(
        actor=actor,
        action="admission_claim.asked",
        target=claim,
        region_id=institution.region_id,
    )
    return claim


def _claim_staff_or_raise(actor: User, claim: AdmissionClaim) -> None:
    if not may_admit(actor, claim.institution):
        raise PermissionDeniedError(
            _("Only the ward staff or the coordinators of the region may do this.")
        )


def _claim_decided(
    *, actor: User, claim: AdmissionClaim, status: str, veteran: Veteran | None = None
) -> None:
    changed = AdmissionClaim.objects.filter(pk=claim.pk, status=ClaimStatus.ASKED).update(
        status=status, veteran=veteran, decided_by=actor, decided_at=timezone.now()
    )
    if changed != 1:
        raise ConflictError(_("This request is already answered."))
    claim.refresh_from_db()
    audit_record(
        actor=actor,
        action=f"admission_claim.{status}",
        target=claim,
        region_id=claim.institution.region_id,
        veteran_id=veteran.pk if veteran is not None else None,
    )


@transaction.atomic
def admission_claim_confirm(
    *, actor: User, claim: AdmissionClaim, veteran: Veteran
) -> AdmissionClaim:
    """The ward staff confirm that the person asking is this patient of theirs: the account
    becomes the patient's own, as with the slip's code, and the person is told."""
    _claim_staff_or_raise(actor, claim)
    lock_veteran(veteran)
    veteran.refresh_from_db()
    in_treatment_here = Stay.objects.filter(
        veteran=veteran, institution_id=claim.institution_id, discharged_on__isnull=True
    ).exists()
    if not in_treatment_here or veteran.user_id is not None or veteran.anonymised_at:
        raise ApplicationError(
            _("Choose a patient in treatment here who has no account yet."), field="veteran"
        )
    if Veteran.objects.filter(user=claim.user_id).exists():
        raise ConflictError(_("This person's account already belongs to a veteran's record."))
    _claim_decided(actor=actor, claim=claim, status=ClaimStatus.CONFIRMED, veteran=veteran)
    veteran_link(actor=actor, person=claim.user, veteran=veteran)
    events.person_to_be_told.publish(
        recipient=claim.user,
        kind="claim_confirmed",
        context={"url": f"{settings.SITE_URL}{reverse('care:ask')}"},
        key=f"admission_claim:{claim.pk}:confirmed",
    )
    return claim


@transaction.atomic
def admission_claim_refuse(*, actor: User, claim: AdmissionClaim) -> AdmissionClaim:
    """The ward staff find no patient of theirs who is the person asking; the person is told
    plainly, and how else to get in."""
    _claim_staff_or_raise(actor, claim)
    _claim_decided(actor=actor, claim=claim, status=ClaimStatus.REFUSED)
    events.person_to_be_told.publish(
        recipient=claim.user,
        kind="claim_refused",
        context={"url": f"{settings.SITE_URL}{reverse('veterans:claim')}"},
        key=f"admission_claim:{claim.pk}:refused",
    )
    return claim
