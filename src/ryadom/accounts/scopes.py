"""What an actor's role assignments add up to. Selectors narrow querysets with it."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser

from ryadom.accounts import events
from ryadom.accounts.models import STAFF_ROLES, Role, RoleAssignment, ScopeKind, User


@dataclass(frozen=True)
class Scope:
    """The union of one actor's scopes, read once per request."""

    user_id: int | None
    roles: frozenset[str]
    federal: bool
    agency_ids: frozenset[int]
    region_ids: frozenset[int]
    institution_ids: frozenset[int]
    organisation_ids: frozenset[int]

    def has(self, role: str) -> bool:
        return role in self.roles


NOBODY = Scope(None, frozenset(), False, frozenset(), frozenset(), frozenset(), frozenset())


def scope_of(actor: User | AnonymousUser | None) -> Scope:
    """The actor's scope; cached on the user object, which lives for one request."""
    if not isinstance(actor, User) or not actor.is_authenticated:
        return NOBODY
    cached: Scope | None = getattr(actor, "_ryadom_scope", None)
    if cached is not None:
        return cached
    ids: dict[str, set[int]] = {kind: set() for kind in ScopeKind.values}
    roles: set[str] = set()
    for role, kind, scope_id in RoleAssignment.objects.filter(user=actor).values_list(
        "role", "scope_kind", "scope_id"
    ):
        roles.add(role)
        if scope_id is not None:
            ids[kind].add(scope_id)
    scope = Scope(
        user_id=actor.pk,
        roles=frozenset(roles),
        federal=Role.FEDERAL_COORDINATOR in roles,
        agency_ids=frozenset(ids[ScopeKind.AGENCY]),
        region_ids=frozenset(ids[ScopeKind.REGION]),
        institution_ids=frozenset(ids[ScopeKind.INSTITUTION]),
        organisation_ids=frozenset(ids[ScopeKind.ORGANISATION]),
    )
    actor._ryadom_scope = scope  # type: ignore[attr-defined]
    return scope


def uses_api_tokens(user: User | AnonymousUser | None) -> bool:
    """Whether API tokens are for this user: staff roles and back-office (integration) accounts
    connect hospital systems and other programs; volunteers, veterans and relatives do not."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return user.is_staff or bool(scope_of(user).roles & STAFF_ROLES)


def has_staff_duty(user: User | AnonymousUser | None) -> bool:
    """Whether this person works with other people's data without holding a staff role: the
    staff of a regular partner (referrals.PartnerMember), who see the veterans referred to
    them. For signing in they are staff: a password and the second factor, never a code by
    e-mail. Asked of the apps above (accounts' `staff_duty_asked`)."""
    if not isinstance(user, User) or not user.is_authenticated:
        return False
    return any(events.staff_duty_asked.publish(user=user))
