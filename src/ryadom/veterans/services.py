"""Writes on veterans: stays and transfers, consent, anonymisation and deletion requests."""

from __future__ import annotations

import datetime
from typing import Any

from django.apps import apps
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.backoffice import admin_history_blank
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from ryadom.core.validation import full_clean_or_raise
from ryadom.institutions.models import Department, Institution
from ryadom.veterans import events
from ryadom.veterans.models import (
    Consent,
    ConsentPurpose,
    DeletionRequest,
    DeletionStatus,
    Proxy,
    Stay,
    Veteran,
)


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
    """End the current stay on `on` and start one in the new institution the same day."""
    _lock_veteran(veteran)
    current = Stay.objects.filter(veteran=veteran, discharged_on__isnull=True).first()
    if current is None:
        raise ApplicationError(_("The veteran has no current stay to transfer from."))
    if on < current.admitted_on:
        raise ApplicationError(_("The transfer date is before the current stay began."), field="on")
    current.discharged_on = on
    current.save(update_fields=["discharged_on"])
    audit_record(
        actor=actor,
        action="stay.discharged",
        target=current,
        region_id=current.institution.region_id,
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
