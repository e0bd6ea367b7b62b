"""Writing audit events; called by every service inside its own transaction."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import models

from ryadom.audit.context import client_ip
from ryadom.audit.models import AuditEvent
from ryadom.core.bulk import insert_objects


def audit_event(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model,
    region_id: int | None = None,
    veteran_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """One event, not yet saved. `changes` maps a field to [old, new] (or to a value for
    creations)."""
    signed_in = isinstance(actor, AbstractBaseUser) and actor.is_authenticated
    return AuditEvent(
        actor_id=actor.pk if signed_in and actor is not None else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        region_id=region_id,
        veteran_id=veteran_id,
        ip=client_ip(),
        changes=changes or {},
    )


def audit_record(
    *,
    actor: AbstractBaseUser | AnonymousUser | None,
    action: str,
    target: models.Model,
    region_id: int | None = None,
    veteran_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event (see `audit_event`)."""
    event = audit_event(
        actor=actor,
        action=action,
        target=target,
        region_id=region_id,
        veteran_id=veteran_id,
        changes=changes,
    )
    event.save()
    return event


def audit_record_many(events: Sequence[AuditEvent]) -> list[AuditEvent]:
    """Append many events made by `audit_event` at once: for a batch service or an import of
    thousands of rows, which `audit_record` would write one insert each (on PostgreSQL
    through COPY: core/bulk.py)."""
    insert_objects(events)
    return list(events)
