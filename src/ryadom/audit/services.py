"""Writing audit events; called by every service inside its own transaction."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models

from ryadom.audit.context import client_ip
from ryadom.audit.models import AuditEvent


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model,
    region_id: int | None = None,
    veteran_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `changes` maps a field to [old, new] (or to a value for creations)."""
    signed_in = isinstance(actor, AbstractBaseUser) and actor.is_authenticated
    return AuditEvent.objects.create(
        actor_id=actor.pk if signed_in and actor is not None else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        region_id=region_id,
        veteran_id=veteran_id,
        ip=client_ip(),
        changes=changes or {},
    )


def audit_record_many(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    events: Iterable[tuple[str, models.Model, int | None, dict[str, Any]]],
) -> int:
    """Append one event per (action, target, region id, changes), in bulk: for writes of
    thousands of rows at once (imports), which `audit_record` would make one insert each."""
    signed_in = isinstance(actor, AbstractBaseUser) and actor.is_authenticated
    actor_id = actor.pk if signed_in and actor is not None else None
    ip = client_ip()
    rows = [
        AuditEvent(
            actor_id=actor_id,
            action=action,
            target_type=target._meta.label_lower,
            target_id=str(target.pk),
            region_id=region_id,
            ip=ip,
            changes=changes or {},
        )
        for action, target, region_id, changes in events
    ]
    AuditEvent.objects.bulk_create(rows, batch_size=2000)
    return len(rows)
