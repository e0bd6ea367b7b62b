"""Reads of personal data, logged in one place: a wrapper around the selectors that open one
veteran's profile or one request's details. It sits with the rule of who may see what of a
veteran (need_to_know.py), above accounts, whose roles decide whose reads are watched."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.db import models

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.services import audit_record

M = TypeVar("M", bound=models.Model)

# Roles whose reads of someone else's data are logged: everyone but the person and the
# relatives acting for them (reading one's own data is not an event anyone needs to see).
SUBJECT_ROLES = frozenset({Role.VETERAN, Role.RELATIVE})


def is_watched_reader(actor: User | AnonymousUser | None) -> bool:
    """Whether this actor's reads of veterans' data go to the audit log."""
    return bool(scope_of(actor).roles - SUBJECT_ROLES)


def audited_read(
    action: str, describe: Callable[[Any], tuple[int | None, int | None]]
) -> Callable[[Callable[..., M]], Callable[..., M]]:
    """Wrap a `<noun>_get_for_user(*, actor, ...)` selector: each object it hands to a watched
    reader is logged as `action`. `describe(obj)` gives (region id, veteran id)."""

    def decorator(selector: Callable[..., M]) -> Callable[..., M]:
        @functools.wraps(selector)
        def wrapper(*, actor: User | AnonymousUser | None, **kwargs: Any) -> M:
            obj = selector(actor=actor, **kwargs)
            if is_watched_reader(actor):
                region_id, veteran_id = describe(obj)
                audit_record(
                    actor=actor,
                    action=action,
                    target=obj,
                    region_id=region_id,
                    veteran_id=veteran_id,
                )
            return obj

        return wrapper

    return decorator
