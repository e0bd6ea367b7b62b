"""Who am I: the signed-in user and their roles."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

from typing import cast

from django.http import HttpRequest
from ninja import Router, Schema

from ryadom.accounts.api_auth import AUTH
from ryadom.accounts.models import RoleAssignment, User

router = Router(tags=["accounts"])


class RoleOut(Schema):
    role: str
    scope_kind: str
    scope_id: int | None


class MeOut(Schema):
    username: str
    display_name: str
    language: str
    roles: list[RoleOut]


@router.get("/me", response=MeOut, auth=AUTH, summary="The signed-in user and their roles")
def me(request: HttpRequest) -> MeOut:
    user = cast(User, request.user)  # the auth classes above guarantee a signed-in user
    roles = RoleAssignment.objects.filter(user=user).order_by("role", "scope_id")
    return MeOut(
        username=user.username,
        display_name=user.display_name,
        language=user.language,
        roles=[RoleOut(role=r.role, scope_kind=r.scope_kind, scope_id=r.scope_id) for r in roles],
    )
