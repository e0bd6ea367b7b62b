"""Writes of erasure: asking for it, carrying it out, and anonymising a veteran (the apps
above blank their part on `veteran_anonymising`)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.backoffice import admin_history_blank
from ryadom.audit.services import audit_record
from ryadom.core.errors import ConflictError, PermissionDeniedError
from ryadom.veterans import events
from ryadom.veterans.consent import subject_or_raise
from ryadom.veterans.models import (
    AdmissionClaim,
    Consent,
    DeletionRequest,
    DeletionStatus,
    Proxy,
    Stay,
    Veteran,
)
from ryadom.veterans.stays import current_region_id, lock_veteran

ANONYMOUS = "—"


@transaction.atomic
def veteran_anonymise(*, actor: User | None, veteran: Veteran, reason: str) -> Veteran:
    """Wipe a veteran's personal data and the free text about them; keep the rows that the
    statistics count (stays, requests, visits, feedback scores), now without a person."""
    lock_veteran(veteran)
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
    subject_or_raise(actor, veteran)
    lock_veteran(veteran)
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
