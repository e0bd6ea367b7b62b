"""Writes on partner services and referrals. Every move of a referral goes through
`_transition`: check, compare-and-set the status, a timeline row, an audit row, an event."""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from ryadom.core.validation import full_clean_or_raise, text_problem
from ryadom.geo.models import Region
from ryadom.referrals import events
from ryadom.referrals.conf import referral_settings
from ryadom.referrals.lifecycle import ALLOWED_TRANSITIONS, OPEN_STATES, PARTNER_ACTIONS, Action
from ryadom.referrals.models import (
    Need,
    Outcome,
    PartnerMember,
    PartnerService,
    Referral,
    ReferralEvent,
    Status,
)
from ryadom.referrals.selectors import manages, member_partner_ids, serves_q
from ryadom.veterans.models import Consent, ConsentPurpose, Veteran
from ryadom.veterans.selectors import veteran_list
from ryadom.veterans.stays import lock_veteran

NOTE_MAX = 2000
PARTNER_FIELDS = (
    "name", "kind", "inn", "address", "contact_person", "phone", "email", "offers", "quota_info",
    "is_active",
)  # fmt: skip


def _may_edit_partners(actor: User | None, region_id: int) -> None:
    """Federal coordinators anywhere, regional ones in their regions; None is the system (a
    data load, the demo generator)."""
    if actor is None:
        return
    scope = scope_of(actor)
    if not (
        scope.federal or (scope.has(Role.REGIONAL_COORDINATOR) and region_id in scope.region_ids)
    ):
        raise PermissionDeniedError(_("You may edit partner services only in your own region."))


@transaction.atomic
def partner_create(
    *,
    actor: User | None,
    name: str,
    kind: str,
    region: Region,
    service_area: Iterable[Region] = (),
    **fields: Any,
) -> PartnerService:
    """Add a partner service to the directory (the import and the demo come through here)."""
    _may_edit_partners(actor, region.pk)
    partner = PartnerService(name=name, kind=kind, region=region, **fields)
    full_clean_or_raise(partner)
    partner.save()
    area = sorted({r.pk for r in service_area} | {region.pk})
    partner.service_area.set(area)
    audit_record(
        actor=actor,
        action="partner_service.created",
        target=partner,
        region_id=region.pk,
        changes={**{f: str(getattr(partner, f)) for f in PARTNER_FIELDS}, "service_area": area},
    )
    return partner


@transaction.atomic
def partner_update(
    *,
    actor: User,
    partner: PartnerService,
    fields: dict[str, Any],
    service_area: list[int] | None = None,
) -> PartnerService:
    """Change a partner service's details; the audit row keeps old and new values."""
    _may_edit_partners(actor, partner.region_id)
    changes: dict[str, list[Any]] = {
        f: [str(getattr(partner, f)), str(v)] for f, v in fields.items() if getattr(partner, f) != v
    }
    for f, v in fields.items():
        setattr(partner, f, v)
    full_clean_or_raise(partner)
    partner.save()
    if service_area is not None:
        old = sorted(partner.service_area.values_list("pk", flat=True))
        new = sorted(set(service_area) | {partner.region_id})
        if old != new:
            partner.service_area.set(new)
            changes["service_area"] = [old, new]
    audit_record(
        actor=actor,
        action="partner_service.updated",
        target=partner,
        region_id=partner.region_id,
        changes=changes,
    )
    return partner


@transaction.atomic
def partner_member_add(*, actor: User | None, user: User, partner: PartnerService) -> PartnerMember:
    """Give a partner's staff member an account's access to the partner's referrals (the
    coordinators who may edit the partner: its region's, or federal ones). Adding someone
    who was removed makes them active again. They answer as the link does, and sign in as
    staff do: a password and the second factor (accounts.scopes.has_staff_duty)."""
    _may_edit_partners(actor, partner.region_id)
    if not user.is_active:
        raise ApplicationError(_("This account is blocked."), field="user")
    member, created = PartnerMember.objects.select_for_update().get_or_create(
        user=user, partner=partner, defaults={"added_by": actor, "added_at": timezone.now()}
    )
    if not created and member.is_active:
        raise ConflictError(_("This person already answers for this partner service."))
    if not created:
        member.is_active = True
        member.added_by = actor
        member.added_at = timezone.now()
        member.save(update_fields=["is_active", "added_by", "added_at"])
    audit_record(
        actor=actor,
        action="partner_member.added",
        target=member,
        region_id=partner.region_id,
        changes={"user": user.pk, "partner": partner.pk},
    )
    return member


@transaction.atomic
def partner_member_remove(*, actor: User | None, member: PartnerMember) -> PartnerMember:
    """Take the access away at once (the membership stays, inactive, for the record)."""
    _may_edit_partners(actor, member.partner.region_id)
    if member.is_active:
        member.is_active = False
        member.save(update_fields=["is_active"])
        audit_record(
            actor=actor,
            action="partner_member.removed",
            target=member,
            region_id=member.partner.region_id,
            changes={"user": member.user_id, "partner": member.partner_id},
        )
    return member


def has_partner_consent(veteran: Veteran) -> bool:
    return Consent.objects.filter(
        veteran=veteran, purpose=ConsentPurpose.PARTNER, withdrawn_at__isnull=True
    ).exists()


def _clean_note(note: str, field: str) -> str:
    note = note.strip()
    if problem := text_problem(note):
        raise ApplicationError(problem, field=field)
    if len(note) > NOTE_MAX:
        raise ApplicationError(
            _("At most %(n)d characters, please.") % {"n": NOTE_MAX}, field=field
        )
    return note


def _timeline(referral: Referral, *, actor: User | None, action: str, to: str = "") -> None:
    """A timeline row that is not a move (created, reminded, escalated)."""
    ReferralEvent.objects.create(
        referral=referral, actor=actor, action=action, to_status=to, at=timezone.now()
    )


@transaction.atomic
def referral_create(
    *,
    actor: User,
    veteran: Veteran,
    partner: PartnerService,
    need: str,
    note: str = "",
    share_phone: bool = False,
) -> Referral:
    """Refer a veteran to a partner service. Needs the veteran's active consent to share
    their details with partners; the partner is sent its link and has a deadline to answer."""
    scope = scope_of(actor)
    if not (scope.federal or scope.has(Role.REGIONAL_COORDINATOR)):
        raise PermissionDeniedError(_("Only coordinators refer veterans to partner services."))
    if not veteran_list(actor=actor).filter(pk=veteran.pk).exists():
        raise NotFoundError("Not found.")
    if need not in Need.values:
        raise ApplicationError(_("Choose what the veteran needs."), field="need")
    reach = set(scope.region_ids) | {veteran.home_region_id}
    usable = PartnerService.objects.filter(pk=partner.pk, is_active=True)
    if not scope.federal:
        usable = usable.filter(serves_q(reach))
    if not usable.exists():
        raise ApplicationError(
            _("This partner service is not active or does not serve your region."),
            field="partner",
        )
    note = _clean_note(note, "note")
    lock_veteran(veteran)  # a consent withdrawn meanwhile waits for this, or is seen here
    if not has_partner_consent(veteran):
        raise ApplicationError(
            _(
                "The veteran has not agreed to share their details with partner services. "
                "Record that consent first."
            )
        )
    if Referral.objects.filter(veteran=veteran, partner=partner, status__in=OPEN_STATES).exists():
        raise ConflictError(_("The veteran already has an open referral to this service."))
    now = timezone.now()
    referral = Referral.objects.create(
        veteran=veteran,
        partner=partner,
        need=need,
        note=note,
        share_phone=share_phone,
        created_by=actor,
        region_id=partner.region_id,
        created_at=now,
        updated_at=now,
        answer_due=now + referral_settings().answer_within,
        link_key=secrets.token_hex(8),
    )
    _timeline(referral, actor=actor, action="create", to=Status.SENT)
    audit_record(
        actor=actor,
        action="referral.created",
        target=referral,
        region_id=referral.region_id,
        veteran_id=veteran.pk,
        changes={"partner": partner.pk, "need": need, "share_phone": share_phone},
    )
    events.referral_sent.publish(referral=referral)
    return referral


def _status_label(status: str) -> str:
    return str(Status(status).label)


def _transition(
    *,
    actor: User | None,
    referral: Referral,
    action: str,
    note: str = "",
    changes: dict[str, Any] | None = None,
    timeline_action: str = "",
    via: str = "",
) -> Referral:
    """Compare-and-set: the UPDATE matches the status we read, so of two concurrent answers
    exactly one changes the row; the other gets a ConflictError saying what happened."""
    sources, target = ALLOWED_TRANSITIONS[action]
    if referral.status not in sources:
        raise ConflictError(
            _("This cannot be done now: the referral is “%(status)s”.")
            % {"status": _status_label(referral.status)}
        )
    now = timezone.now()
    values = {"status": target, "updated_at": now, **(changes or {})}
    changed = Referral.objects.filter(pk=referral.pk, status=referral.status).update(**values)
    if changed != 1:
        current = Referral.objects.filter(pk=referral.pk).values_list("status", flat=True).first()
        raise ConflictError(
            _("Someone else answered this referral a moment ago: it is now “%(status)s”.")
            % {"status": _status_label(current or referral.status)}
        )
    from_status = referral.status
    ReferralEvent.objects.create(
        referral=referral,
        actor=actor,
        action=timeline_action or action,
        from_status=from_status,
        to_status=target,
        note=note,
        at=now,
    )
    for field, value in values.items():
        setattr(referral, field, value)
    audit_record(
        actor=actor,
        action=f"referral.{timeline_action or action}",
        target=referral,
        region_id=referral.region_id,
        veteran_id=referral.veteran_id,
        changes={
            "status": [from_status, target],
            **{k: v for k, v in (changes or {}).items() if k in ("outcome",)},
            "via": via or ("coordinator" if actor is not None else "partner link"),
        },
    )
    if target == Status.CANCELLED:
        events.referral_cancelled.publish(referral=referral)
    else:
        events.referral_answered.publish(referral=referral, action=str(action))
    return referral


@transaction.atomic
def referral_move(
    *,
    actor: User | None,
    referral: Referral,
    action: str,
    outcome: str = "",
    note: str = "",
) -> Referral:
    """Move a referral along the table. `actor` None is the partner through its signed link
    (which may accept, decline, start and finish), and so is a member of the partner's staff
    signed in with an account (the same answers); a coordinator who manages the referral
    may do all of that for the partner (an answer given by phone) and cancel."""
    if action not in ALLOWED_TRANSITIONS:
        raise ApplicationError(_("Unknown action."), field="action")
    via = ""
    if actor is not None and not manages(actor, referral):
        if referral.partner_id not in member_partner_ids(actor):
            raise NotFoundError("Not found.")
        via = "partner account"
    if (actor is None or via) and action not in PARTNER_ACTIONS:
        raise PermissionDeniedError(_("Only the coordinator may cancel a referral."))
    note = _clean_note(note, "note")
    changes: dict[str, Any] = {}
    if action == Action.DECLINE:
        if not note:
            raise ApplicationError(_("Say why the referral is declined."), field="note")
        changes["answer_note"] = note
    if action == Action.FINISH:
        if outcome not in Outcome.values:
            raise ApplicationError(_("Choose the outcome."), field="outcome")
        changes.update(outcome=outcome, answer_note=note or referral.answer_note)
    return _transition(
        actor=actor, referral=referral, action=action, note=note, changes=changes, via=via
    )


def referrals_stop_sharing(*, actor: User, veteran: Veteran, purpose: str) -> None:
    """Subscriber of `consent_withdrawn`: without consent to share with partners, open
    referrals are cancelled (their pages then show no personal details)."""
    if purpose != ConsentPurpose.PARTNER:
        return
    open_ones = Referral.objects.select_for_update().filter(veteran=veteran, status__in=OPEN_STATES)
    for referral in open_ones.order_by("pk"):
        _transition(
            actor=actor,
            referral=referral,
            action=Action.CANCEL,
            timeline_action="consent_withdrawn",
        )


@transaction.atomic
def referral_remind(*, referral_id: int) -> bool:
    """Remind the partner of an answer due soon, once (compare-and-set on reminded_at)."""
    now = timezone.now()
    changed = Referral.objects.filter(
        pk=referral_id, status=Status.SENT, reminded_at__isnull=True
    ).update(reminded_at=now)
    if changed != 1:
        return False
    referral = Referral.objects.select_related("partner").get(pk=referral_id)
    _timeline(referral, actor=None, action="remind")
    audit_record(
        actor=None, action="referral.reminded", target=referral, region_id=referral.region_id
    )
    events.referral_answer_due.publish(referral=referral)
    return True


@transaction.atomic
def referral_escalate(*, referral_id: int) -> bool:
    """Tell the coordinator that the partner did not answer in time, once."""
    now = timezone.now()
    changed = Referral.objects.filter(
        pk=referral_id, status=Status.SENT, escalated_at__isnull=True, answer_due__lte=now
    ).update(escalated_at=now)
    if changed != 1:
        return False
    referral = Referral.objects.select_related("partner", "created_by").get(pk=referral_id)
    _timeline(referral, actor=None, action="escalate")
    audit_record(
        actor=None, action="referral.escalated", target=referral, region_id=referral.region_id
    )
    events.referral_overdue.publish(referral=referral)
    return True
