"""Writes on veterans: stays and transfers."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError
from ryadom.core.validation import full_clean_or_raise
from ryadom.institutions.models import Department, Institution
from ryadom.veterans.models import Stay, Veteran


def _lock_veteran(veteran: Veteran) -> None:
    # Serialises writes of one veteran's stays, so two overlapping stays cannot both pass the
    # overlap check (PostgreSQL row lock; SQLite transactions already take the write lock).
    Veteran.objects.select_for_update().filter(pk=veteran.pk).values_list("pk").first()


@transaction.atomic
def stay_create(
    *,
    actor: User | None,
    veteran: Veteran,
    institution: Institution,
    department: Department | None = None,
    admitted_on: datetime.date,
    discharged_on: datetime.date | None = None,
    transferred_from: Stay | None = None,
) -> Stay:
    """Record a stay; refused when it overlaps another stay of the same veteran."""
    _lock_veteran(veteran)
    stay = Stay(
        veteran=veteran,
        institution=institution,
        department=department,
        admitted_on=admitted_on,
        discharged_on=discharged_on,
        transferred_from=transferred_from,
    )
    full_clean_or_raise(stay)
    stay.save()
    audit_record(
        actor=actor,
        action="stay.created",
        target=stay,
        region_id=institution.region_id,
        changes={"institution": institution.pk, "admitted_on": admitted_on.isoformat()},
    )
    return stay


@transaction.atomic
def stay_transfer(
    *,
    actor: User | None,
    veteran: Veteran,
    institution: Institution,
    department: Department | None = None,
    on: datetime.date,
) -> Stay:
    """End the current stay on `on` and start one in the new institution the same day."""
    _lock_veteran(veteran)
    current = Stay.objects.filter(veteran=veteran, discharged_on__isnull=True).first()
    if current is None:
        raise ApplicationError(_("The veteran has no current stay to transfer from."))
    if on < current.admitted_on:
        raise ApplicationError(_("The transfer date is before the current stay began."), field="on")
    current.discharged_on = on
    current.save(update_fields=["discharged_on"])
    audit_record(
        actor=actor,
        action="stay.discharged",
        target=current,
        region_id=current.institution.region_id,
        changes={"discharged_on": [None, on.isoformat()]},
    )
    new_stay = stay_create(
        actor=actor,
        veteran=veteran,
        institution=institution,
        department=department,
        admitted_on=on,
        transferred_from=current,
    )
    # Care continues through the transfer. Imported here: care builds on veterans, not back.
    from ryadom.care.services import requests_follow_veteran

    requests_follow_veteran(
        actor=actor, veteran=veteran, institution=institution, department=department
    )
    return new_stay
