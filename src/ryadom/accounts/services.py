"""Writes on accounts: role assignments and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import ROLE_SCOPE, ApiToken, RoleAssignment, ScopeKind, User
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError

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


@transaction.atomic
def api_token_issue(*, actor: User | None, user: User, name: str) -> tuple[ApiToken, str]:
    """Create a token and return it with its key, which is never shown again."""
    key = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=key[len(TOKEN_PREFIX) : len(TOKEN_PREFIX) + 8],
        key_hash=hash_token(key),
    )
    audit_record(actor=actor, action="api_token.issued", target=token, changes={"name": name})
    return token, key


@transaction.atomic
def api_token_revoke(*, actor: User, token: ApiToken) -> ApiToken:
    """Revoke a token at once; requests bearing it are refused from now on."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(actor=actor, action="api_token.revoked", target=token)
    return token


def api_token_authenticate(key: str) -> User | None:
    """The active user behind a bearer key, or None. Records when the token was last used."""
    if not key.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(key), revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None:
        return None
    now = timezone.now()
    # Write the last use at most once a minute: a busy integration should not turn every
    # read into a write.
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
