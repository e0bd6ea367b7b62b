"""Writes of what the veteran (or a relative acting for them) decides: consents given and
withdrawn, and what matters to them."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from ryadom.core.validation import full_clean_or_raise
from ryadom.veterans import events
from ryadom.veterans.models import (
    Consent,
    ConsentPurpose,
    Proxy,
    Veteran,
)
from ryadom.veterans.stays import current_region_id, lock_veteran


def acts_for(actor: User, veteran: Veteran) -> bool:
    """The veteran themself, or a relative with authority to act for them."""
    if veteran.user_id is not None and veteran.user_id == actor.pk:
        return True
    return Proxy.objects.filter(veteran=veteran, user=actor, may_act=True).exists()


def subject_or_raise(actor: User, veteran: Veteran) -> None:
    """Refuse anyone but the veteran or a relative acting for them (404 once anonymised)."""
    if veteran.anonymised_at is not None:
        raise NotFoundError("Not found.")
    if not acts_for(actor, veteran):
        raise PermissionDeniedError(
            _("Only the veteran or a relative with authority to act for them may do this.")
        )


@transaction.atomic
def consent_give(*, actor: User, veteran: Veteran, purpose: str) -> Consent:
    """The veteran (or a relative with authority) consents to processing for one purpose."""
    subject_or_raise(actor, veteran)
    if purpose not in ConsentPurpose.values:
        raise ApplicationError(_("Unknown purpose of consent."), field="purpose")
    lock_veteran(veteran)
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
    subject_or_raise(actor, veteran)
    lock_veteran(veteran)
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
    events.consent_withdrawn.publish(actor=actor, veteran=veteran, purpose=consent.purpose)
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


def consent_audit(*, actor: User, consent: Consent, extra: dict[str, Any] | None = None) -> None:
    audit_record(
        actor=actor,
        action="consent.given",
        target=consent,
        region_id=current_region_id(consent.veteran),
        veteran_id=consent.veteran_id,
        changes={"purpose": consent.purpose, "method": consent.method, **(extra or {})},
    )


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
    lock_veteran(veteran)
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
