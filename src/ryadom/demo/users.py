"""Generated users and their role assignments, inserted in bulk."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from ryadom.accounts.models import ROLE_SCOPE, RoleAssignment, User
from ryadom.demo.context import Context
from ryadom.demo.people import Person

EMAIL_DOMAIN = "example.org"  # reserved for examples: no message can reach a real person


def new_user(
    ctx: Context, username: str, who: Person, *, joined: datetime.date, phone: str = ""
) -> User:
    """An unsaved user who cannot sign in with a password (generated people never do)."""
    return User(
        username=username,
        first_name=who.first,
        last_name=who.last,
        email=f"{username}@{EMAIL_DOMAIN}",
        password=ctx.password,
        phone=phone,
        date_joined=ctx.moment(joined, 9),
    )


def grant(
    ctx: Context, users: Sequence[User], role: str, scope_ids: Sequence[int] | None = None
) -> None:
    """Give each saved user the role, in the scope with the same index when the role has one."""
    kind = ROLE_SCOPE[role]
    rows = [
        RoleAssignment(
            user_id=user.pk,
            role=role,
            scope_kind=kind,
            scope_id=scope_ids[i] if scope_ids is not None else None,
            created_at=user.date_joined,
        )
        for i, user in enumerate(users)
    ]
    ctx.loader.insert(rows)
