"""Writes on veterans: stays and transfers, consent, anonymisation and deletion requests."""

from __future__ import annotations

import datetime
import secrets
import uuid
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

from ryadom.accounts.models import AddressKind, Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.accounts.services import address_normalise, code_send, code_verify, role_assign
from ryadom.audit.backoffice import admin_history_blank
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from ryadom.core.uploads import upload_read
from ryadom.core.validation import InvalidInput, full_clean_or_raise
from ryadom.institutions.models import Department, Institution
from ryadom.veterans import events
from ryadom.veterans.models import (
    AdmissionClaim,
    Consent,
    ConsentMethod,
    ConsentPurpose,
    ContactRoute,
    DeletionRequest,
    DeletionStatus,
    Proxy,
    ProxyStatus,
    Stay,
    Veteran,
)
from ryadom.veterans.selectors import may_admit


def _lock_veteran(veteran: Veteran) -> None:
    # Serialises writes of one veteran's stays, so two overlapping stays cannot both pass the
    # overlap check (PostgreSQL row lock; SQLite transactions already take the write lock).
    Veteran.objects.select_for_update().filter(pk=veteran.pk).values_list("pk").first()


@transaction.atomic
def stay_create(
    *,
    actor: User | None,
    veteran: Veteran,
    institution: Institution,
    department: Department | None = None,
    admitted_on: datetime.date,
    discharged_on: datetime.date | None = None,
    transferred_from: Stay | None = None,
) -> Stay:
    """Record a stay; refused when it overlaps another stay of the same veteran."""
    _lock_veteran(veteran)
    stay = Stay(
        veteran=veteran,
        institution=institution,
        department=department,
        admitted_on=admitted_on,
        discharged_on=discharged_on,
        transferred_from=transferred_from,
    )
    full_clean_or_raise(stay)
    stay.save()
    audit_record(
        actor=actor,
        action="stay.created",
        target=stay,
        region_id=institution.region_id,
        veteran_id=veteran.pk,
        changes={"institution": institution.pk, "admitted_on": admitted_on.isoformat()},
    )
    return stay


@transaction.atomic
def stay_transfer(
    *,
    actor: User | None,
    veteran: Veteran,
    institution: Institution,
    department: Department | None = None,
    on: datetime.date,
) -> Stay:
    """End the current stay on `on` and start one in the new institution the same day; open
    requests follow. `actor` None is the system (the demo, imports)."""
    _lock_veteran(veteran)
    current = Stay.objects.filter(veteran=veteran, discharged_on__isnull=True).first()
    if current is None:
        raise ApplicationError(_("The veteran has no current stay to transfer from."))
    if actor is not None and not may_admit(actor, current.institution):
        raise PermissionDeniedError(
            _("Only the ward staff or the coordinators of the region may move this veteran.")
        )
    if institution.pk == current.institution_id and department == current.department:
        raise ApplicationError(_("The veteran is already there."), field="institution")
    if on < current.admitted_on:
        raise ApplicationError(_("The transfer date is before the current stay began."), field="on")
    current.discharged_on = on
    current.save(update_fields=["discharged_on"])
    audit_record(
        actor=actor,
        action="stay.discharged",
        target=current,
        region_id=current.institution.region_id,
        veteran_id=veteran.pk,
        changes={"discharged_on": [None, on.isoformat()]},
    )
    new_stay = stay_create(
        actor=actor,
        veteran=veteran,
        institution=institution,
        department=department,
        admitted_on=on,
        transferred_from=current,
    )
    # Care continues through the transfer (care follows the veteran: veterans/events.py).
    events.veteran_moved.publish(
        actor=actor, veteran=veteran, institution=institution, department=department
    )
    return new_stay


# --- consent -------------------------------------------------------------------------------


def acts_for(actor: User, veteran: Veteran) -> bool:
    """The veteran themself, or a relative with authority to act for them."""
    if veteran.user_id is not None and veteran.user_id == actor.pk:
        return True
    return Proxy.objects.filter(veteran=veteran, user=actor, may_act=True).exists()


def _subject_or_raise(actor: User, veteran: Veteran) -> None:
    if veteran.anonymised_at is not None:
        raise NotFoundError("Not found.")
    if not acts_for(actor, veteran):
        raise PermissionDeniedError(
            _("Only the veteran or a relative with authority to act for them may do this.")
        )


@transaction.atomic
def consent_give(*, actor: User, veteran: Veteran, purpose: str) -> Consent:
    """The veteran (or a relative with authority) consents to processing for one purpose."""
    _subject_or_raise(actor, veteran)
    if purpose not in ConsentPurpose.values:
        raise ApplicationError(_("Unknown purpose of consent."), field="purpose")
    _lock_veteran(veteran)
    if Consent.objects.filter(veteran=veteran, purpose=purpose, withdrawn_at__isnull=True).exists():
        raise ConflictError(_("This consent is already given."))
    consent = Consent.objects.create(
        veteran=veteran,
        purpose=purpose,
        given_by=actor,
        recorded_by=actor,
        given_at=timezone.now(),
    )
    audit_record(
        actor=actor,
        action="consent.given",
        target=consent,
        region_id=veteran.home_region_id,
        veteran_id=veteran.pk,
        changes={"purpose": purpose},
    )
    return consent


@transaction.atomic
def consent_withdraw(*, actor: User, consent: Consent) -> Consent:
    """Withdraw a consent; without consent to care, requests not yet accepted are cancelled
    and everything but the minimum to deliver accepted ones is wiped."""
    veteran = consent.veteran
    _subject_or_raise(actor, veteran)
    _lock_veteran(veteran)
    now = timezone.now()
    changed = Consent.objects.filter(pk=consent.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=now
    )
    if changed != 1:
        raise ConflictError(_("This consent is already withdrawn."))
    consent.withdrawn_at = now
    audit_record(
        actor=actor,
        action="consent.withdrawn",
        target=consent,
        region_id=veteran.home_region_id,
        veteran_id=veteran.pk,
        changes={"purpose": consent.purpose},
    )
    if consent.purpose in (ConsentPurpose.CARE, ConsentPurpose.CONTACT):
        _minimise(actor=actor, veteran=veteran, care=consent.purpose == ConsentPurpose.CARE)
    return consent


def _minimise(*, actor: User, veteran: Veteran, care: bool) -> None:
    wiped: dict[str, list[str]] = {}
    fields = ["phone"]
    if care:
        fields += ["what_matters"]
        # Requests nobody has accepted yet stop; accepted ones go on with the minimum kept.
        events.care_consent_withdrawn.publish(actor=actor, veteran=veteran)
        if not any(events.help_under_way.publish(veteran=veteran)):
            fields += ["communication_needs", "mobility_needs"]
    for field in fields:
        if getattr(veteran, field):
            wiped[field] = ["…", ""]
            setattr(veteran, field, "")
    if wiped:
        veteran.save(update_fields=list(wiped))
        audit_record(
            actor=actor,
            action="veteran.minimised",
            target=veteran,
            region_id=veteran.home_region_id,
            veteran_id=veteran.pk,
            changes=wiped,
        )


# --- anonymisation and deletion requests ---------------------------------------------------

ANONYMOUS = "—"


@transaction.atomic
def veteran_anonymise(*, actor: User | None, veteran: Veteran, reason: str) -> Veteran:
    """Wipe a veteran's personal data and the free text about them; keep the rows that the
    statistics count (stays, requests, visits, feedback scores), now without a person."""
    _lock_veteran(veteran)
    veteran.refresh_from_db()
    if veteran.anonymised_at is not None:
        return veteran
    account = veteran.user
    # The apps above blank what they hold about the person (requests, files, messages).
    events.veteran_anonymising.publish(veteran=veteran, account=account)
    _wipe_admin_history(veteran, account)
    Proxy.objects.filter(veteran=veteran).delete()
    claims = Q(veteran=veteran) | Q(user=account) if account is not None else Q(veteran=veteran)
    AdmissionClaim.objects.filter(claims).delete()  # the names people gave
    veteran.addressed_as = ANONYMOUS
    veteran.phone = veteran.what_matters = ""
    veteran.communication_needs = veteran.mobility_needs = ""
    veteran.user = None
    veteran.anonymised_at = timezone.now()
    veteran.save()
    if account is not None:
        _wipe_account(account)
    audit_record(
        actor=actor,
        action="veteran.anonymised",
        target=veteran,
        region_id=veteran.home_region_id,
        veteran_id=veteran.pk,
        changes={"reason": reason},
    )
    return veteran


def _wipe_admin_history(veteran: Veteran, account: User | None) -> None:
    """Django admin's own history names each edited row by its text (`str(row)`, the veteran's
    name in most) and, for inline rows, in the change message too: blank both for every row
    of the veteran's. Our audit log keeps who changed what, without free text."""
    rows: list[tuple[type[Any], Any]] = [
        (Veteran, [veteran.pk]),
        (Stay, Stay.objects.filter(veteran=veteran).values_list("pk", flat=True)),
        (Proxy, Proxy.objects.filter(veteran=veteran).values_list("pk", flat=True)),
        (Consent, Consent.objects.filter(veteran=veteran).values_list("pk", flat=True)),
    ]
    if account is not None:
        rows.append((User, [account.pk]))
    for model, ids in rows:
        admin_history_blank(model=model, ids=ids, shown_as=ANONYMOUS)


def _wipe_account(account: User) -> None:
    # Sign-in records name the account by its username, which may be a name or an e-mail.
    if apps.is_installed("axes"):
        for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
            apps.get_model("axes", name).objects.filter(username=account.username).delete()
    account.username = f"anonymised-{account.pk}"
    account.first_name = account.last_name = account.email = account.phone = ""
    account.is_active = False
    account.set_unusable_password()
    account.save()


@transaction.atomic
def deletion_ask(*, actor: User, veteran: Veteran) -> DeletionRequest:
    """The veteran (or a relative with authority) asks that their personal data be erased."""
    _subject_or_raise(actor, veteran)
    _lock_veteran(veteran)
    if DeletionRequest.objects.filter(veteran=veteran, status=DeletionStatus.ASKED).exists():
        raise ConflictError(_("You have already asked; the coordinator will act on it."))
    asked = DeletionRequest.objects.create(veteran=veteran, asked_by=actor)
    audit_record(
        actor=actor,
        action="deletion.asked",
        target=asked,
        region_id=veteran.home_region_id,
        veteran_id=veteran.pk,
    )
    events.erasure_asked.publish(deletion=asked, region_id=current_region_id(veteran))
    return asked


def current_region_id(veteran: Veteran) -> int:
    """Where the veteran is now: the region of their current stay, else their home region."""
    here = (
        Stay.objects.filter(veteran=veteran, discharged_on__isnull=True)
        .values_list("institution__region_id", flat=True)
        .first()
    )
    return here if here is not None else veteran.home_region_id


@transaction.atomic
def deletion_execute(*, actor: User, deletion: DeletionRequest) -> DeletionRequest:
    """A coordinator carries out a deletion request: the veteran is anonymised."""
    if not scope_of(actor).federal and not scope_of(actor).has(Role.REGIONAL_COORDINATOR):
        raise PermissionDeniedError(_("Only a coordinator may carry out a deletion request."))
    now = timezone.now()
    changed = DeletionRequest.objects.filter(pk=deletion.pk, status=DeletionStatus.ASKED).update(
        status=DeletionStatus.DONE, executed_by=actor, executed_at=now
    )
    if changed != 1:
        raise ConflictError(_("This deletion request is already dealt with."))
    deletion.refresh_from_db()
    veteran_anonymise(actor=actor, veteran=deletion.veteran, reason="deletion request")
    audit_record(
        actor=actor,
        action="deletion.executed",
        target=deletion,
        region_id=deletion.veteran.home_region_id,
        veteran_id=deletion.veteran_id,
    )
    return deletion


# --- admission on the ward -----------------------------------------------------------------

CLAIM_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud, typed from paper


def claim_code_hash(code: str) -> str:
    """Keyed with the secret key, as one-time codes are: a leaked table gives no codes away."""
    normal = code.strip().upper().replace("-", "").replace(" ", "")
    return salted_hmac("ryadom.veterans.claim_code", normal, algorithm="sha256").hexdigest()


def _claim_code_new() -> str:
    raw = "".join(secrets.choice(CLAIM_ALPHABET) for _i in range(8))
    return f"{raw[:4]}-{raw[4:]}"


@dataclass(frozen=True)
class Admission:
    """What an admission gives the ward: the record, the stay, and the slip's claim code."""

    veteran: Veteran
    stay: Stay
    claim_code: str
    code_sent_to: str  # the phone a consent code went to, or ""


def _phone_or_raise(phone: str) -> str:
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
    `consent_confirm_by_code`) or signed on paper before a witness, with a scan of the form."""
    if not may_admit(actor, institution):
        raise PermissionDeniedError(_("Only the ward staff or the region's coordinators admit."))
    addressed_as = " ".join(addressed_as.split())
    phone = _phone_or_raise(phone)
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
    code = _claim_code_new()
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
    elif consent == "code":
        sent = _consent_code_send(actor=actor, veteran=veteran)
    return Admission(veteran=veteran, stay=stay, claim_code=code, code_sent_to=sent)


CONSENT_WAYS = ("code", "witness")


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
    _consent_audit(actor=actor, consent=consent, extra={"size": len(content)})
    return consent


def _consent_audit(*, actor: User, consent: Consent, extra: dict[str, Any] | None = None) -> None:
    audit_record(
        actor=actor,
        action="consent.given",
        target=consent,
        region_id=current_region_id(consent.veteran),
        veteran_id=consent.veteran_id,
        changes={"purpose": consent.purpose, "method": consent.method, **(extra or {})},
    )


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
    _staff_of_current_stay_or_raise(actor, veteran)
    if not veteran.phone:
        raise ApplicationError(_("The veteran has no mobile phone on record."), field="code")
    with transaction.atomic():
        return _consent_code_send(actor=actor, veteran=veteran)


def _staff_of_current_stay_or_raise(actor: User, veteran: Veteran) -> Stay:
    current = (
        Stay.objects.filter(veteran=veteran, discharged_on__isnull=True)
        .select_related("institution")
        .first()
    )
    if veteran.anonymised_at is not None or current is None:
        raise NotFoundError("Not found.")
    if not may_admit(actor, current.institution):
        raise PermissionDeniedError(
            _("Only the ward staff or the coordinators of the region may do this.")
        )
    return current


def consent_confirm_by_code(*, actor: User, veteran: Veteran, code: str) -> Consent:
    """The veteran reads out (or types in) the code their phone received: consent to care is
    recorded as theirs, and the phone's account becomes the veteran's own."""
    _staff_of_current_stay_or_raise(actor, veteran)
    if not veteran.phone:
        raise ApplicationError(_("The veteran has no mobile phone on record."), field="code")
    # Not inside a transaction: a wrong code must stay counted when this call is refused.
    person = code_verify(address=veteran.phone, code=code)
    return _consent_by_code_record(actor=actor, veteran=veteran, person=person)


@transaction.atomic
def _consent_by_code_record(*, actor: User, veteran: Veteran, person: User) -> Consent:
    _lock_veteran(veteran)
    veteran.refresh_from_db()
    if veteran.user_id is None and not Veteran.objects.filter(user=person).exists():
        veteran.user = person
        veteran.claim_code_hash = ""
        veteran.save(update_fields=["user", "claim_code_hash"])
        role_assign(actor=actor, user=person, role=Role.VETERAN)
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
    _consent_audit(actor=actor, consent=consent)
    return consent


@transaction.atomic
def stay_discharge(*, actor: User, veteran: Veteran, on: datetime.date) -> Stay:
    """End the current stay on `on`; requests there not yet under way are cancelled."""
    _lock_veteran(veteran)
    current = _staff_of_current_stay_or_raise(actor, veteran)
    if on < current.admitted_on:
        raise ApplicationError(_("The discharge date is before the admission."), field="on")
    if on > timezone.localdate():
        raise ApplicationError(_("The discharge date is in the future."), field="on")
    changed = Stay.objects.filter(pk=current.pk, discharged_on__isnull=True).update(
        discharged_on=on
    )
    if changed != 1:
        raise ConflictError(_("The veteran is already discharged."))
    current.discharged_on = on
    audit_record(
        actor=actor,
        action="stay.discharged",
        target=current,
        region_id=current.institution.region_id,
        veteran_id=veteran.pk,
        changes={"discharged_on": [None, on.isoformat()]},
    )
    events.veteran_discharged.publish(actor=actor, stay=current)
    return current


# --- signing up: the veteran claims their admission, a relative asks to act ----------------


def _ward_patient(
    *, institution: Institution, department: Department | None, name: str, phone: str
) -> Veteran | None:
    """The one patient now on this ward (or in this institution) with this phone, else this
    name; None when there is none or more than one."""
    here = Veteran.objects.filter(
        anonymised_at__isnull=True,
        stays__institution=institution,
        stays__discharged_on__isnull=True,
        **({"stays__department": department} if department else {}),
    )
    if phone:
        found = list(here.filter(Q(phone=phone) | Q(user__phone=phone)).distinct()[:2])
    else:
        # Compared in Python: SQLite's case-insensitive match knows only ASCII letters, and
        # one ward (or institution) has few patients.
        wanted = " ".join(name.split()).casefold()
        found = [
            v for v in here.distinct() if " ".join(v.addressed_as.split()).casefold() == wanted
        ]
    return found[0] if len(found) == 1 else None


@transaction.atomic
def proxy_ask(
    *,
    actor: User,
    institution: Institution,
    veteran_name: str,
    relation: str,
    department: Department | None = None,
    veteran_phone: str = "",
) -> Proxy | None:
    """A relative asks to act for a veteran on a ward. The answer is the same whether or not
    such a patient is there, so nothing about anyone leaks; a match waits for the veteran's
    approval (they are told on their phone) or the ward staff's record of it."""
    errors: dict[str, list[str]] = {}
    if not veteran_name.strip() and not veteran_phone.strip():
        errors["veteran_name"] = [_("Write the veteran's name as the ward knows it.")]
    if not relation.strip():
        errors["relation"] = [_("Write who you are to the veteran, e.g. wife, son.")]
    if errors:
        raise InvalidInput(errors)
    phone = _phone_or_raise(veteran_phone) if veteran_phone.strip() else ""
    veteran = _ward_patient(
        institution=institution, department=department, name=veteran_name, phone=phone
    )
    if veteran is None or veteran.user_id == actor.pk:
        audit_record(actor=actor, action="proxy.ask_unmatched", target=institution)
        return None
    proxy, created = Proxy.objects.get_or_create(
        veteran=veteran,
        user=actor,
        defaults={"relation": relation.strip()[:60], "may_act": False, "status": "asked"},
    )
    if not created:
        return proxy
    audit_record(
        actor=actor,
        action="proxy.asked",
        target=proxy,
        region_id=institution.region_id,
        veteran_id=veteran.pk,
    )
    if veteran.user is not None:
        events.person_to_be_told.publish(
            recipient=veteran.user,
            kind="proxy_asked",
            context={
                "relation": proxy.relation,
                "url": f"{settings.SITE_URL}{reverse('veterans:relatives')}",
            },
            key=f"proxy:{proxy.pk}:asked",
        )
    return proxy


@transaction.atomic
def proxy_decide(*, actor: User, proxy: Proxy, approve: bool) -> Proxy:
    """The veteran approves or refuses a relative; or the ward staff record the veteran's
    spoken answer. Approval lets the relative act and records the consent to it."""
    veteran = proxy.veteran
    by_veteran = veteran.user_id is not None and veteran.user_id == actor.pk
    if not by_veteran:
        _staff_of_current_stay_or_raise(actor, veteran)
    status = ProxyStatus.APPROVED if approve else ProxyStatus.REFUSED
    now = timezone.now()
    changed = Proxy.objects.filter(pk=proxy.pk, status=ProxyStatus.ASKED).update(
        status=status, may_act=approve, decided_by=actor, decided_at=now
    )
    if changed != 1:
        raise ConflictError(_("This request is already answered."))
    proxy.refresh_from_db()
    audit_record(
        actor=actor,
        action=f"proxy.{status}",
        target=proxy,
        region_id=current_region_id(veteran),
        veteran_id=veteran.pk,
        changes={"by": "veteran" if by_veteran else "staff"},
    )
    if approve:
        role_assign(actor=actor, user=proxy.user, role=Role.RELATIVE)
        _proxy_consent(actor=actor, veteran=veteran, by_veteran=by_veteran)
    events.person_to_be_told.publish(
        recipient=proxy.user,
        kind="proxy_approved" if approve else "proxy_refused",
        context={"url": f"{settings.SITE_URL}{reverse('care:ask')}"} if approve else {},
        key=f"proxy:{proxy.pk}:{status}",
    )
    return proxy


def _proxy_consent(*, actor: User, veteran: Veteran, by_veteran: bool) -> None:
    if Consent.objects.filter(
        veteran=veteran, purpose=ConsentPurpose.PROXY, withdrawn_at__isnull=True
    ).exists():
        return
    consent = Consent.objects.create(
        veteran=veteran,
        purpose=ConsentPurpose.PROXY,
        given_by=actor if by_veteran else None,
        recorded_by=actor,
        given_at=timezone.now(),
        method=ConsentMethod.ONLINE if by_veteran else ConsentMethod.SPOKEN,
    )
    _consent_audit(actor=actor, consent=consent)


# --- what matters to me --------------------------------------------------------------------

WHAT_MATTERS_FIELDS = ("addressed_as", "what_matters", "communication_needs", "mobility_needs")


@transaction.atomic
def what_matters_update(*, actor: User, veteran: Veteran, **values: str) -> Veteran:
    """The veteran, a relative acting for them, or a coordinator of theirs writes what matters
    to them and what a helper must know (how to address, communication, mobility)."""
    if veteran.anonymised_at is not None:
        raise NotFoundError("Not found.")
    if not acts_for(actor, veteran) and not _coordinates(actor, veteran):
        raise PermissionDeniedError(
            _("Only the veteran, a relative acting for them or their coordinator may edit this.")
        )
    unknown = set(values) - set(WHAT_MATTERS_FIELDS)
    if unknown:
        raise ValueError(f"not editable here: {sorted(unknown)}")
    _lock_veteran(veteran)
    changed = {}
    for field, value in values.items():
        value = value.strip()
        if value != getattr(veteran, field):
            # Free text is personal: the audit says which field changed, not what it says.
            changed[field] = ["…", "…"]
            setattr(veteran, field, value)
    if not changed:
        return veteran
    full_clean_or_raise(veteran, exclude=["user", "home_region"])
    veteran.save(update_fields=list(changed))
    audit_record(
        actor=actor,
        action="veteran.what_matters_updated",
        target=veteran,
        region_id=current_region_id(veteran),
        veteran_id=veteran.pk,
        changes=changed,
    )
    return veteran


def _coordinates(actor: User, veteran: Veteran) -> bool:
    scope = scope_of(actor)
    if scope.federal:
        return True
    if not scope.has(Role.REGIONAL_COORDINATOR):
        return False
    return current_region_id(veteran) in scope.region_ids or (
        veteran.home_region_id in scope.region_ids
    )
