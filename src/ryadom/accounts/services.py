"""Writes on accounts: role assignments, API tokens, and sign-in with a one-time code."""

from __future__ import annotations

import datetime
import hashlib
import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ryadom.accounts import events
from ryadom.accounts.models import (
    INTEGRATION_ROLES,
    ROLE_SCOPE,
    AddressKind,
    ApiToken,
    OneTimeCode,
    Role,
    RoleAssignment,
    ScopeKind,
    TokenKind,
    User,
)
from ryadom.accounts.scopes import has_staff_duty, uses_api_tokens
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError, PermissionDeniedError

TOKEN_PREFIX = "rdm_"  # noqa: S105 - a public marker that makes leaked keys easy to spot


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def role_assign(
    *, actor: User | None, user: User, role: str, scope_id: int | None = None
) -> RoleAssignment:
    """Give a user a role in a scope; the scope kind follows from the role."""
    kind = ROLE_SCOPE.get(role)
    if kind is None:
        raise ApplicationError(_("Unknown role “%(role)s”.") % {"role": role}, field="role")
    needs_id = kind not in (ScopeKind.FEDERAL, ScopeKind.SELF)
    if needs_id and scope_id is None:
        raise ApplicationError(_("This role needs a scope."), field="scope_id")
    if not needs_id:
        scope_id = None
    assignment, created = RoleAssignment.objects.get_or_create(
        user=user, role=role, scope_kind=kind, scope_id=scope_id
    )
    if created:
        audit_record(
            actor=actor,
            action="role.assigned",
            target=assignment,
            region_id=scope_id if kind == ScopeKind.REGION else None,
            changes={"user": user.pk, "role": role, "scope_kind": kind, "scope_id": scope_id},
        )
    return assignment


def api_token_check(*, user: User, kind: str) -> None:
    """Raise unless a token of this kind may be issued to the user.

    An integration client's token goes to a service account only: one that cannot sign in
    to pages (no usable password) and holds roles of INTEGRATION_ROLES and no other, so a
    person never gets a system's rate limit for their own asking.
    """
    if kind not in TokenKind.values:
        raise ApplicationError(_("Unknown token kind “%(kind)s”.") % {"kind": kind}, field="kind")
    if kind != TokenKind.INTEGRATION:
        return
    if user.has_usable_password():
        raise ApplicationError(
            _(
                "An integration client's token is issued to a service account, which cannot "
                "sign in to pages: “%(user)s” has a password."
            )
            % {"user": user.username},
            field="user",
        )
    roles = set(user.roles.values_list("role", flat=True))
    if not roles or not roles <= INTEGRATION_ROLES:
        raise ApplicationError(
            _(
                "An integration client's service account holds the role of an institution "
                "liaison or a regional coordinator, and no other."
            ),
            field="user",
        )


@transaction.atomic
def api_token_issue(
    *, actor: User | None, user: User, name: str, kind: str = TokenKind.PERSON
) -> tuple[ApiToken, str]:
    """Create a token and return it with its key, which is never shown again."""
    if actor is not None and not uses_api_tokens(user):
        raise PermissionDeniedError(_("API tokens are for staff and connected systems."))
    api_token_check(user=user, kind=kind)
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        kind=kind,
        name=name[:100],
        prefix=key[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8],
        key_hash=hash_token(key),
    )
    audit_record(
        actor=actor, action="api_token.issued", target=token, changes={"name": name, "kind": kind}
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token at once; requests bearing it are refused from now on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoked", target=token)
    return token


def api_token_find(key: str) -> ApiToken | None:
    """The token a bearer key stands for, if it is in force and its user active."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    return (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )


def api_token_find_once(request: HttpRequest, key: str) -> ApiToken | None:
    """`api_token_find`, read once per HTTP request: the rate limit counts an API call by its
    token before Ninja authenticates it with the same key."""
    found: tuple[str, ApiToken | None] | None = getattr(request, "_ryadom_api_token", None)
    if found is None or found[0] != key:
        found = (key, api_token_find(key))
        request._ryadom_api_token = found  # type: ignore[attr-defined]
    return found[1]


def api_token_authenticate(key: str, *, request: HttpRequest | None = None) -> User | None:
    """The active user behind a bearer key, or None. Records when the token was last used."""
    token = api_token_find(key) if request is None else api_token_find_once(request, key)
    if token is None:
        return None
    now = timezone.now()
    # Write the last use at most once a minute: a busy integration should not turn every
    # read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


# --- sign-in with a one-time code ----------------------------------------------------------

CODE_DIGITS = 6
CODE_LIFETIME = datetime.timedelta(minutes=10)
CODE_MAX_ATTEMPTS = 5
# Per address: a limit on what anyone can make us send to one inbox or phone. The numbers
# come from RATE_LIMITS["one_time_code"] (attempts, seconds) when set; the count comes from
# the codes table itself, so it holds across processes whatever the cache is.
CODES_PER_HOUR = 5
# Roles whose holders sign in with a password (and a second factor), never with a code sent
# to an address: a code must not become a side door into a coordinator's account.
SELF_ROLES = frozenset({Role.VOLUNTEER, Role.VETERAN, Role.RELATIVE})


class TooManyCodesError(ApplicationError):
    """Too many codes sent to one address in the last hour."""

    status_code = 429


def address_normalise(raw: str) -> tuple[str, str]:
    """(kind, address): an e-mail in lower case, or a phone as + and its digits."""
    text = raw.strip()
    if "@" in text:
        try:
            validate_email(text)
        except ValidationError:
            raise ApplicationError(
                _("Enter a valid e-mail address or a phone number."), field="address"
            ) from None
        return AddressKind.EMAIL, text.lower()
    digits = re.sub(r"[\s()\-.]", "", text)
    if digits.startswith("8") and len(digits) == 11:  # the Russian trunk prefix
        digits = "+7" + digits[1:]
    if not re.fullmatch(r"\+?\d{10,15}", digits):
        raise ApplicationError(
            _("Enter a valid e-mail address or a phone number, e.g. +7 900 123-45-67."),
            field="address",
        )
    if not digits.startswith("+"):
        digits = ("+7" if len(digits) == 10 else "+") + digits
    return AddressKind.PHONE, digits


def _code_hash(address: str, code: str) -> str:
    # Keyed with the secret key: a leaked table does not give the codes away by brute force.
    return salted_hmac(
        "ryadom.accounts.one_time_code", f"{address}:{code}", algorithm="sha256"
    ).hexdigest()


def _account_for(kind: str, address: str) -> User | None:
    users = User.objects.order_by("pk")
    if kind == AddressKind.EMAIL:
        return users.filter(email__iexact=address).first()
    return users.filter(phone=address).first()


def _signs_in_with_password(user: User) -> bool:
    if user.is_staff or user.is_superuser:
        return True
    staff_role = RoleAssignment.objects.filter(user=user).exclude(role__in=SELF_ROLES).exists()
    return staff_role or has_staff_duty(user)


def _unused_username(address: str) -> str:
    base = address[:150]
    if not User.objects.filter(username=base).exists():
        return base
    return f"user-{secrets.token_hex(6)}"


def _account_create(kind: str, address: str, language: str) -> User:
    """A new account, inactive until the address is proven; it has no password."""
    user = User(
        username=_unused_username(address),
        email=address if kind == AddressKind.EMAIL else "",
        phone=address if kind == AddressKind.PHONE else "",
        language=language if language in ("ru", "en") else "ru",
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    # The code, and later messages, go where the person said they can be reached.
    events.account_created.publish(
        user=user, channel="email" if kind == AddressKind.EMAIL else "sms"
    )
    audit_record(actor=user, action="user.signed_up", target=user, changes={"via": kind})
    return user


@transaction.atomic
def contact_account_get_or_create(*, address: str, language: str = "ru") -> User:
    """The account messages to an address go to (a partner service's e-mail): the one that
    has the address, or a new inactive one with no password and no role, which only
    receives messages until the person signs in with a code."""
    kind, normalised = address_normalise(address)
    found = _account_for(kind, normalised)
    if found is not None:
        return found
    user = User(
        username=_unused_username(normalised),
        email=normalised if kind == AddressKind.EMAIL else "",
        phone=normalised if kind == AddressKind.PHONE else "",
        language=language if language in ("ru", "en") else "ru",
        is_active=False,
    )
    user.set_unusable_password()
    user.save()
    events.account_created.publish(
        user=user, channel="email" if kind == AddressKind.EMAIL else "sms"
    )
    audit_record(actor=None, action="user.contact_created", target=user, changes={"via": kind})
    return user


@transaction.atomic
def code_send(
    *, address: str, language: str = "ru", message_kind: str = "one_time_code"
) -> OneTimeCode:
    """Send a sign-in code to an address, creating an (inactive) account for a new one.

    At most CODES_PER_HOUR codes an hour go to one address; the code goes out through the
    outbox, so it is sent after commit and retried if the gateway is down. A new account
    reads its messages in `language`, the one the person used to sign up. `message_kind` is the
    message that carries the code (a sign-in code, or a consent code read out on the ward).
    """
    kind, address = address_normalise(address)
    now = timezone.now()
    codes, seconds = getattr(settings, "RATE_LIMITS", {}).get(
        "one_time_code", (CODES_PER_HOUR, 3600)
    )
    window = datetime.timedelta(seconds=seconds)
    recent = OneTimeCode.objects.filter(address=address, created_at__gt=now - window).order_by(
        "-created_at"
    )
    sent = list(recent.values_list("created_at", flat=True)[:codes])
    if len(sent) >= codes:
        # Free again when the oldest of the last `codes` codes leaves the window.
        wait = max(1, int((sent[-1] + window - now).total_seconds() // 60) + 1)
        raise TooManyCodesError(
            ngettext(
                "Too many codes have been sent to this address. Try again in %(minutes)d minute.",
                "Too many codes have been sent to this address. Try again in %(minutes)d minutes.",
                wait,
            )
            % {"minutes": wait},
            field="address",
        )
    user = _account_for(kind, address)
    if user is not None and _signs_in_with_password(user):
        raise ApplicationError(
            _("This address belongs to an account that signs in with a password. Sign in."),
            field="address",
        )
    if user is None:
        user = _account_create(kind, address, language)
    code = "".join(secrets.choice("0123456789") for _i in range(CODE_DIGITS))
    one_time = OneTimeCode.objects.create(
        user=user,
        address_kind=kind,
        address=address,
        code_hash=_code_hash(address, code),
        created_at=now,
        expires_at=now + CODE_LIFETIME,
    )
    events.code_created.publish(one_time_code=one_time, code=code, message_kind=message_kind)
    return one_time


def code_verify(*, address: str, code: str) -> User:
    """The account behind the address, if the code is its newest live one; it activates a
    new account. A wrong guess is counted (and stays counted) before the refusal."""
    kind, address = address_normalise(address)
    now = timezone.now()
    with transaction.atomic():
        one_time = (
            OneTimeCode.objects.select_for_update()
            .filter(address=address)
            .order_by("-created_at", "-pk")
            .first()
        )
        if (
            one_time is None
            or one_time.used_at is not None
            or one_time.expires_at <= now
            or one_time.attempts >= CODE_MAX_ATTEMPTS
        ):
            raise ApplicationError(
                _("This code is no longer valid. Ask for a new one."), field="code"
            )
        right = constant_time_compare(one_time.code_hash, _code_hash(address, code.strip()))
        if not right:
            OneTimeCode.objects.filter(pk=one_time.pk).update(attempts=F("attempts") + 1)
            left = CODE_MAX_ATTEMPTS - one_time.attempts - 1
        else:
            return _code_accept(one_time, kind, address, now)
    # Outside the block: the wrong attempt is committed whatever the caller does next.
    if left <= 0:
        raise ApplicationError(_("Wrong code. Ask for a new one."), field="code")
    raise ApplicationError(
        ngettext("Wrong code. %(left)d attempt left.", "Wrong code. %(left)d attempts left.", left)
        % {"left": left},
        field="code",
    )


def _code_accept(one_time: OneTimeCode, kind: str, address: str, now: datetime.datetime) -> User:
    # Compare-and-set: of two tabs submitting the same code, one signs in.
    if OneTimeCode.objects.filter(pk=one_time.pk, used_at__isnull=True).update(used_at=now) != 1:
        raise ApplicationError(_("This code is no longer valid. Ask for a new one."), field="code")
    user = User.objects.select_for_update().get(pk=one_time.user_id)
    fields = []
    if not user.is_active:
        user.is_active = True
        fields.append("is_active")
    if kind == AddressKind.EMAIL and not user.email:
        user.email = address
        fields.append("email")
    if kind == AddressKind.PHONE and not user.phone:
        user.phone = address
        fields.append("phone")
    if fields:
        user.save(update_fields=fields)
    audit_record(actor=user, action="user.address_verified", target=user, changes={"via": kind})
    return user
