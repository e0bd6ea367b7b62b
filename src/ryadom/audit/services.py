"""Writing audit events; called by every service inside its own transaction."""

from __future__ import annotations

from typing import Any

from django.db import models

from ryadom.accounts.models import User
from ryadom.audit.models import AuditEvent


def audit_record(
    *,
    actor: User | None,
    action: str,
    target: models.Model,
    region_id: int | None = None,
    changes: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one event. `changes` maps a field to [old, new] (or to a value for creations)."""
    return AuditEvent.objects.create(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        target_type=target._meta.label_lower,
        target_id=str(target.pk),
        region_id=region_id,
        changes=changes or {},
    )
