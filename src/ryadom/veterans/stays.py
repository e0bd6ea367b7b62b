"""Writes of where a veteran is: stays, transfers and discharges (care follows through
the `veteran_moved` and `veteran_discharged` events)."""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from ryadom.core.validation import full_clean_or_raise
from ryadom.institutions.models import Department, Institution
from ryadom.veterans import events
from ryadom.veterans.models import (
    Stay,
    Veteran,
)
from ryadom.veterans.selectors import may_admit


def lock_veteran(veteran: Veteran) -> None:
    """Serialise writes about one veteran (stays, consents, links): two overlapping stays
    cannot both pass the overlap check (PostgreSQL row lock; SQLite transactions already
    take the write lock)."""
    Veteran.objects.select_for_update().filter(pk=veteran.pk).values_list("pk").first()


def current_region_id(veteran: Veteran) -> int:
    """Where the veteran is now: the region of their current stay, else their home region."""
    here = (
        Stay.objects.filter(veteran=veteran, discharged_on__isnull=True)
        .values_list("institution__region_id", flat=True)
        .first()
    )
    return here if here is not None else veteran.home_region_id


def staff_of_current_stay_or_raise(actor: User, veteran: Veteran) -> Stay:
    """The veteran's current stay, when the actor is staff of its ward (`may_admit`)."""
    current = (
        Stay.objects.filter(veteran=veteran, discharged_on__isnull=True)
        .select_related("institution")
        .first()
    )
    if veteran.anonymised_at is not None or current is None:
        raise NotFoundError("Not found.")
    if not may_admit(actor, current.institution):
        raise PermissionDeniedError(
            _("Only the ward staff or the coordinators of the region may do this.")
        )
    return current


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
    lock_veteran(veteran)
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
        veteran_id=veteran.pk,
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
    """End the current stay on `on` and start one in the new institution the same day; open
    requests follow. `actor` None is the system (the demo, imports)."""
    lock_veteran(veteran)
    current = Stay.objects.filter(veteran=veteran, discharged_on__isnull=True).first()
    if current is None:
        raise ApplicationError(_("The veteran has no current stay to transfer from."))
    if actor is not None and not may_admit(actor, current.institution):
        raise PermissionDeniedError(
            _("Only the ward staff or the coordinators of the region may move this veteran.")
        )
    if institution.pk == current.institution_id and department == current.department:
        raise ApplicationError(_("The veteran is already there."), field="institution")
    if on < current.admitted_on:
        raise ApplicationError(_("The transfer date is before the current stay began."), field="on")
    current.discharged_on = on
    current.save(update_fields=["discharged_on"])
    audit_record(
        actor=actor,
        action="stay.discharged",
        target=current,
        region_id=current.institution.region_id,
        veteran_id=veteran.pk,
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
    # Care continues through the transfer (care follows the veteran: veterans/events.py).
    events.veteran_moved.publish(
        actor=actor, veteran=veteran, institution=institution, department=department
    )
    return new_stay


@transaction.atomic
def stay_discharge(*, actor: User, veteran: Veteran, on: datetime.date) -> Stay:
    """End the current stay on `on`; requests there not yet under way are cancelled."""
    lock_veteran(veteran)
    current = staff_of_current_stay_or_raise(actor, veteran)
    if on < current.admitted_on:
        raise ApplicationError(_("The discharge date is before the admission."), field="on")
    if on > timezone.localdate():
        raise ApplicationError(_("The discharge date is in the future."), field="on")
    changed = Stay.objects.filter(pk=current.pk, discharged_on__isnull=True).update(
        discharged_on=on
    )
    if changed != 1:
        raise ConflictError(_("The veteran is already discharged."))
    current.discharged_on = on
    audit_record(
        actor=actor,
        action="stay.discharged",
        target=current,
        region_id=current.institution.region_id,
        veteran_id=veteran.pk,
        changes={"discharged_on": [None, on.isoformat()]},
    )
    events.veteran_discharged.publish(actor=actor, stay=current)
    return current
