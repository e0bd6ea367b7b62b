"""Writing audit events; called by every service inside its own transaction."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db import models

from ryadom.accounts.models import User
from ryadom.audit.context import client_ip
from ryadom.audit.models import AuditEvent


def audit_record(
    *,
    actor: User | AnonymousUser | None,
    action: str,
    target: models.Model,
    region_id: int | None = None,
    veteran_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `changes` maps a field to [old, new] (or to a value for creations)."""
    return AuditEvent.objects.create(
        actor=actor if isinstance(actor, User) and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        region_id=region_id,
        veteran_id=veteran_id,
        ip=client_ip(),
        changes=changes or {},
    )
