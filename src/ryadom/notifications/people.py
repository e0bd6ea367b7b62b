"""What accounts, volunteers and veterans tell whom: subscribers of their events
(accounts/events.py, volunteers/events.py, veterans/events.py), run inside the transaction of
the service that published them."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext_lazy

from ryadom.accounts.models import OneTimeCode, Role, RoleAssignment, ScopeKind, User
from ryadom.accounts.services import CODE_LIFETIME
from ryadom.notifications.models import Message, Preference
from ryadom.notifications.services import notify, preference_set
from ryadom.veterans.models import DeletionRequest, Veteran
from ryadom.volunteers.models import Check, CheckKind, Membership, MembershipStatus
from ryadom.volunteers.selectors import ngo_managers_of


def _site_url(name: str) -> str:
    return f"{settings.SITE_URL}{reverse(name)}"


def person_to_be_told(*, recipient: User, kind: str, context: dict[str, Any], key: str) -> None:
    """A person hears of something about a veteran through the outbox."""
    notify(recipient=recipient, kind=kind, context=context, dedupe_key=key)


def account_created(*, user: User, channel: str) -> None:
    """The code, and later messages, go where the person said they can be reached."""
    preference_set(
        actor=user,
        user=user,
        channels=[channel],
        quiet_from=datetime.time(22),
        quiet_until=datetime.time(8),
    )


def code_created(*, one_time_code: OneTimeCode, code: str, message_kind: str) -> None:
    """The code goes out at once (urgent: quiet hours do not hold it back)."""
    notify(
        recipient=one_time_code.user,
        kind=message_kind,
        context={"code": code, "minutes": int(CODE_LIFETIME.total_seconds() // 60)},
        dedupe_key=f"one_time_code:{one_time_code.pk}",
        urgent=True,
    )


def membership_requested(*, membership: Membership) -> None:
    """The NGO's managers hear that someone asks to join."""
    manager_ids = RoleAssignment.objects.filter(
        role=Role.NGO_MANAGER,
        scope_kind=ScopeKind.ORGANISATION,
        scope_id=membership.organisation_id,
    ).values("user_id")
    for manager in User.objects.filter(pk__in=manager_ids, is_active=True).order_by("pk"):
        notify(
            recipient=manager,
            kind="membership_requested",
            context={
                "volunteer": str(membership.volunteer),
                "organisation": membership.organisation.name,
                "url": _site_url("ngo-members"),
            },
            dedupe_key=f"membership:{membership.pk}:requested:{membership.requested_at.timestamp()}",
        )


def membership_decided(*, membership: Membership) -> None:
    """The volunteer hears the NGO's decision."""
    notify(
        recipient=membership.volunteer.user,
        kind="membership_decided",
        context={
            "organisation": membership.organisation.name,
            # Rendered in the volunteer's language by notify(): a lazy string.
            "decision": gettext_lazy("you are a member now")
            if membership.status == MembershipStatus.APPROVED
            else gettext_lazy("it was declined; you may ask another NGO"),
            "url": _site_url("volunteer-checklist"),
        },
        dedupe_key=f"membership:{membership.pk}:decided:{membership.status}",
    )


def check_expiring(*, check: Check) -> None:
    """The volunteer and the managers of their NGOs hear once per check and expiry date."""
    volunteer = check.volunteer
    key = f"check:{check.pk}:expires:{check.valid_until}"
    label = CheckKind(check.kind).label
    notify(
        recipient=volunteer.user,
        kind="check_expiring",
        context={
            "check": label,
            "date": check.valid_until,
            "url": _site_url("volunteer-checklist"),
        },
        dedupe_key=key,
    )
    for manager in ngo_managers_of(volunteer):
        notify(
            recipient=manager,
            kind="member_check_expiring",
            context={
                "volunteer": str(volunteer),
                "check": label,
                "date": check.valid_until,
                "url": _site_url("ngo-members"),
            },
            dedupe_key=key,
        )


def erasure_asked(*, deletion: DeletionRequest, region_id: int) -> None:
    """The regional coordinators of where the veteran is now hear of an erasure request
    (federal coordinators when the region has none), so it does not wait unseen. Not urgent:
    quiet hours hold. The message names no one; the page it links to does, after sign-in."""
    coordinator_ids = RoleAssignment.objects.filter(
        role=Role.REGIONAL_COORDINATOR, scope_kind=ScopeKind.REGION, scope_id=region_id
    ).values("user_id")
    recipients = User.objects.filter(pk__in=coordinator_ids, is_active=True)
    if not recipients.exists():
        recipients = User.objects.filter(roles__role=Role.FEDERAL_COORDINATOR, is_active=True)
    for coordinator in recipients.distinct().order_by("pk"):
        notify(
            recipient=coordinator,
            kind="erasure_asked",
            context={
                "number": f"#{deletion.pk}",
                "url": f"{settings.SITE_URL}{reverse('veterans:deletions')}",
            },
            dedupe_key=f"deletion:{deletion.pk}:asked",
        )


def veteran_anonymising(*, veteran: Veteran, account: User | None) -> None:
    """Messages to the veteran's account keep no address or words; the bot forgets the chat."""
    if account is None:
        return
    Preference.objects.filter(user=account).update(telegram_chat_id="")
    Message.objects.filter(recipient=account).update(address="", subject="", body="")
