"""What helpers may know about people: the one rule the pages and the API apply.

A volunteer (or an NGO manager, for their volunteers' work) needs the veteran's chosen name,
the ward and the task. Never diagnoses, unit, military details or phone numbers (Ryadom passes
messages on), nor the full names of the people around the request.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of

# Roles that work with the people around a request by name.
NAMED_ROLES = frozenset(
    {Role.REGIONAL_COORDINATOR, Role.INSTITUTION_LIAISON, Role.VETERAN, Role.RELATIVE}
)


def sees_full_names(actor: User | AnonymousUser | None) -> bool:
    """Coordinators, liaisons, the veteran and relatives; not helpers."""
    scope = scope_of(actor)
    return scope.federal or bool(scope.roles & NAMED_ROLES)


def name_for(actor: User | AnonymousUser | None, person: User | None) -> str | None:
    """How `person` is shown to `actor`: full name, or only the first name to helpers."""
    if person is None:
        return None
    if sees_full_names(actor):
        return person.display_name
    return person.first_name or None
