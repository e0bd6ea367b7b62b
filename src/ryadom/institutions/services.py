"""Writes on institutions: visiting hours."""

from __future__ import annotations

import datetime

from django.db import transaction

from ryadom.accounts.models import User
from ryadom.audit.services import audit_record
from ryadom.core.validation import full_clean_or_raise
from ryadom.institutions.models import Institution, VisitingHours


@transaction.atomic
def visiting_hours_add(
    *,
    actor: User | None,
    institution: Institution,
    weekday: int,
    starts: datetime.time,
    ends: datetime.time,
) -> VisitingHours:
    """Add a weekly visiting interval (local time of the institution's region)."""
    hours = VisitingHours(institution=institution, weekday=weekday, starts=starts, ends=ends)
    full_clean_or_raise(hours)
    hours.save()
    audit_record(
        actor=actor,
        action="visiting_hours.added",
        target=hours,
        region_id=institution.region_id,
        changes={"weekday": weekday, "starts": f"{starts:%H:%M}", "ends": f"{ends:%H:%M}"},
    )
    return hours
