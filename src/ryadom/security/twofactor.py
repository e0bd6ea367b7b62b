"""Second factor (TOTP with backup codes) for everyone who sees other people's data."""

from __future__ import annotations

import base64
from typing import Any

import segno
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.utils.translation import gettext
from django_otp import match_token, user_has_device
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import has_staff_duty, scope_of
from ryadom.audit.services import audit_record
from ryadom.core.validation import InvalidInput

# Roles whose holders see requests, veterans or volunteers other than themselves (and the
# staff of regular partners, below). Volunteers, veterans and relatives see only their own;
# a second factor is offered, never forced on them.
SECOND_FACTOR_ROLES = frozenset(
    {
        Role.FEDERAL_COORDINATOR,
        Role.AGENCY_OBSERVER,
        Role.REGIONAL_COORDINATOR,
        Role.INSTITUTION_LIAISON,
        Role.NGO_MANAGER,
    }
)
TOTP_NAME = "authenticator"
BACKUP_NAME = "backup codes"
BACKUP_CODE_COUNT = 10


def second_factor_required(user: User | AnonymousUser | Any) -> bool:
    """Whether this signed-in user must pass the second factor before anything else."""
    if not getattr(user, "is_authenticated", False) or not settings.TWO_FACTOR_REQUIRED:
        return False
    if user.is_staff or user.is_superuser:
        return True
    # A regular partner's staff hold no role, but see the veterans referred to them.
    return bool(scope_of(user).roles & SECOND_FACTOR_ROLES) or has_staff_duty(user)


def has_second_factor(user: User) -> bool:
    """Whether the user has a confirmed authenticator (or backup codes) to verify with."""
    return bool(user_has_device(user, confirmed=True))


def totp_device_pending(*, actor: User) -> TOTPDevice:
    """The authenticator being set up: a new secret, until a code from it is confirmed."""
    device = TOTPDevice.objects.filter(user=actor, confirmed=False, name=TOTP_NAME).first()
    if device is None:
        device = TOTPDevice.objects.create(user=actor, name=TOTP_NAME, confirmed=False)
    return device


def totp_secret(device: TOTPDevice) -> str:
    """The secret as people type it into an authenticator app (base32, in groups of four)."""
    raw = base64.b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(raw[i : i + 4] for i in range(0, len(raw), 4))


def totp_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// link as a QR code, an inline SVG data URI (allowed by img-src data:)."""
    return str(segno.make(device.config_url, error="m", micro=False).svg_data_uri(scale=5))


@transaction.atomic
def totp_device_confirm(*, actor: User, device: TOTPDevice, token: str) -> list[str]:
    """Confirm a new authenticator with a code from it; returns fresh backup codes."""
    if device.user_id != actor.pk or device.confirmed:
        raise InvalidInput({"token": [gettext("Start the set-up again.")]})
    if not device.verify_token(_digits(token)):
        raise InvalidInput({"token": [_wrong_code()]})
    # One authenticator at a time: a new phone replaces the old one.
    TOTPDevice.objects.filter(user=actor, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit_record(actor=actor, action="security.second_factor_enrolled", target=device)
    return backup_codes_issue(actor=actor)


@transaction.atomic
def backup_codes_issue(*, actor: User) -> list[str]:
    """New single-use backup codes; the old ones stop working. Shown to the user once."""
    device, _created = StaticDevice.objects.get_or_create(
        user=actor, name=BACKUP_NAME, defaults={"confirmed": True}
    )
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
    audit_record(actor=actor, action="security.backup_codes_issued", target=device)
    return codes


def second_factor_check(*, actor: User, token: str) -> Device:
    """The device that accepts this code (an authenticator code or a backup code)."""
    token = token.strip().replace(" ", "").lower()
    device = match_token(actor, token)
    if device is None:
        raise InvalidInput({"token": [_wrong_code()]})
    return device


def _digits(token: str) -> str:
    return token.strip().replace(" ", "")


def _wrong_code() -> str:
    return gettext("This code is not right, or it has expired. Try the newest code.")
