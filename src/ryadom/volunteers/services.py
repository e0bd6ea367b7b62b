"""Writes on volunteers: joining an NGO, and the checks recorded by NGOs and institutions."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.organisations.models import Agreement, Organisation
from ryadom.volunteers.models import (
    Check,
    CheckKind,
    CheckStatus,
    Membership,
    MembershipStatus,
    Volunteer,
)


@transaction.atomic
def membership_request(*, actor: User, organisation: Organisation) -> Membership:
    """A volunteer asks to join an NGO; its manager decides."""
    volunteer = Volunteer.objects.filter(user=actor).first()
    if volunteer is None:
        raise PermissionDeniedError(_("Only volunteers can join an NGO."))
    membership, created = Membership.objects.get_or_create(
        volunteer=volunteer, organisation=organisation
    )
    if not created and membership.status in (MembershipStatus.PENDING, MembershipStatus.APPROVED):
        return membership
    if not created:
        membership.status, membership.decided_at = MembershipStatus.PENDING, None
        membership.save(update_fields=["status", "decided_at"])
    audit_record(
        actor=actor, action="membership.requested", target=membership, region_id=volunteer.region_id
    )
    return membership


@transaction.atomic
def membership_decide(*, actor: User, membership: Membership, approve: bool) -> Membership:
    """The NGO's manager approves or rejects a pending membership."""
    scope = scope_of(actor)
    if not (scope.has(Role.NGO_MANAGER) and membership.organisation_id in scope.organisation_ids):
        raise PermissionDeniedError(_("Only a manager of this NGO decides on its members."))
    status = MembershipStatus.APPROVED if approve else MembershipStatus.REJECTED
    changed = Membership.objects.filter(pk=membership.pk, status=MembershipStatus.PENDING).update(
        status=status, decided_at=timezone.now()
    )
    if changed != 1:
        raise ConflictError(_("This membership has already been decided."))
    membership.refresh_from_db()
    audit_record(
        actor=actor,
        action="membership.decided",
        target=membership,
        changes={"status": [MembershipStatus.PENDING, status]},
    )
    return membership


def _may_record_checks(actor: User, volunteer: Volunteer) -> bool:
    """NGO managers record checks of their members; liaisons of institutions where one of
    the volunteer's NGOs has a valid agreement record them too (training on site, passes)."""
    scope = scope_of(actor)
    members = Membership.objects.filter(
        volunteer=volunteer, status__in=[MembershipStatus.APPROVED, MembershipStatus.PENDING]
    )
    if (
        scope.has(Role.NGO_MANAGER)
        and members.filter(organisation_id__in=scope.organisation_ids).exists()
    ):
        return True
    if scope.has(Role.INSTITUTION_LIAISON):
        today = timezone.localdate()
        return Agreement.objects.filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=today),
            valid_from__lte=today,
            institution_id__in=scope.institution_ids,
            organisation_id__in=members.filter(status=MembershipStatus.APPROVED).values(
                "organisation_id"
            ),
        ).exists()
    return False


@transaction.atomic
def check_record(
    *,
    actor: User,
    volunteer: Volunteer,
    kind: str,
    status: str,
    valid_until: datetime.date | None = None,
    detail: str = "",
) -> Check:
    """Record the state of one check, with who verified it and until when it holds."""
    if not _may_record_checks(actor, volunteer):
        raise PermissionDeniedError(_("You may not record checks of this volunteer."))
    if kind not in CheckKind.values:
        raise ApplicationError(_("Unknown check."), field="kind")
    if status not in CheckStatus.values:
        raise ApplicationError(_("Unknown check status."), field="status")
    if status == CheckStatus.PASSED and kind == CheckKind.SCREENING and valid_until is None:
        raise ApplicationError(_("A passed screening needs its expiry date."), field="valid_until")
    if valid_until is not None and valid_until < timezone.localdate():
        raise ApplicationError(_("The expiry date is in the past."), field="valid_until")
    check, _created = Check.objects.select_for_update().get_or_create(
        volunteer=volunteer, kind=kind
    )
    old = {"status": check.status, "valid_until": str(check.valid_until or "")}
    check.status, check.valid_until, check.detail = status, valid_until, detail.strip()[:200]
    check.verified_by, check.verified_at = actor, timezone.now()
    check.save()
    audit_record(
        actor=actor,
        action="check.recorded",
        target=check,
        region_id=volunteer.region_id,
        changes={
            "kind": kind,
            "status": [old["status"], status],
            "valid_until": [old["valid_until"], str(valid_until or "")],
        },
    )
    return check
