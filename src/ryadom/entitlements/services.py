"""Writes of the navigator: the catalogue's measures, a veteran's answers, their checklist
marks, and "a payment is late or wrong" (a care request to the region's named person)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.audit.services import audit_record
from ryadom.care.models import CareRequest, Channel
from ryadom.care.services.handover import home_request_create
from ryadom.care.services.intake import request_create
from ryadom.care.services.transitions import owner_for
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from ryadom.core.validation import full_clean_or_raise
from ryadom.entitlements.models import (
    ChecklistItem,
    Circumstances,
    Mark,
    Measure,
    PaymentContact,
)
from ryadom.entitlements.selectors import may_answer_for
from ryadom.geo.models import Region
from ryadom.veterans.models import Stay, Veteran

PAYMENT_ISSUE = "benefits.payment_issue"
MEASURE_FIELDS = (
    "level",
    "region",
    "title_ru",
    "title_en",
    "gives_ru",
    "gives_en",
    "documents",
    "how_to_apply",
    "legal_basis",
    "effective_from",
    "effective_to",
    "conditions",
    "is_demo_sample",
)
ANSWER_FIELDS = (
    "status",
    "region",
    "disability_group",
    "married",
    "children",
    "dependants",
    "served_from",
    "served_to",
    "wounded",
)


def _logged(value: Any) -> Any:
    if isinstance(value, Region):
        return value.code
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


@transaction.atomic
def measure_save(*, actor: User | None, code: str, **fields: Any) -> Measure:
    """Create or change the measure with this code (the import's and the sample's way in)."""
    unknown = set(fields) - set(MEASURE_FIELDS)
    if unknown:
        raise ValueError(f"not a measure's field: {sorted(unknown)}")
    measure = Measure.objects.select_for_update().filter(code=code).first()
    created = measure is None
    measure = measure or Measure(code=code)
    changes = {}
    for name, value in fields.items():
        old = getattr(measure, name)
        if created or old != value:
            changes[name] = [None if created else _logged(old), _logged(value)]
            setattr(measure, name, value)
    if not changes:
        return measure
    full_clean_or_raise(measure, exclude=[] if created else ["code"])
    measure.save()
    audit_record(
        actor=actor,
        action="measure.created" if created else "measure.updated",
        target=measure,
        region_id=measure.region_id,
        # Free text says nothing about a person here: the catalogue is public.
        changes={k: [str(v[0]), str(v[1])] for k, v in changes.items()},
    )
    return measure


def _answerer_or_raise(actor: User, veteran: Veteran) -> None:
    if veteran.anonymised_at is not None:
        raise NotFoundError("Not found.")
    if not may_answer_for(actor=actor, veteran=veteran):
        raise PermissionDeniedError(
            _("Only the veteran, a relative acting for them or their coordinator may do this.")
        )


@transaction.atomic
def circumstances_record(*, actor: User, veteran: Veteran, **answers: Any) -> Circumstances:
    """The veteran, a relative acting for them or their coordinator answers the navigator's
    questions; the audit says which answers changed, not what they are."""
    _answerer_or_raise(actor, veteran)
    unknown = set(answers) - set(ANSWER_FIELDS)
    if unknown:
        raise ValueError(f"not an answer: {sorted(unknown)}")
    found = Circumstances.objects.select_for_update().filter(veteran=veteran).first()
    created = found is None
    record = found or Circumstances(veteran=veteran)
    changed = [n for n, v in answers.items() if created or getattr(record, n) != v]
    for name in changed:
        setattr(record, name, answers[name])
    if not changed:
        return record
    if record.served_from and record.served_to and record.served_to < record.served_from:
        raise ApplicationError(_("Service cannot end before it starts."), field="served_to")
    record.updated_at, record.updated_by = timezone.now(), actor
    full_clean_or_raise(record, exclude=["veteran", "updated_by"])
    record.save()
    audit_record(
        actor=actor,
        action="circumstances.recorded",
        target=record,
        region_id=record.region_id,
        veteran_id=veteran.pk,
        changes={name: ["…", "…"] for name in changed},
    )
    return record


@transaction.atomic
def checklist_mark(
    *, actor: User, veteran: Veteran, measure: Measure, status: str
) -> ChecklistItem:
    """Mark a measure on the veteran's checklist: applied, granted or refused."""
    _answerer_or_raise(actor, veteran)
    if status not in Mark.values:
        raise ApplicationError(_("Mark it applied, granted or refused."), field="status")
    item = ChecklistItem.objects.select_for_update().filter(veteran=veteran, measure=measure)
    existing = item.first()
    old = existing.status if existing else ""
    if existing is not None and old == status:
        return existing
    now = timezone.now()
    marked, _created = ChecklistItem.objects.update_or_create(
        veteran=veteran,
        measure=measure,
        defaults={"status": status, "marked_at": now, "marked_by": actor},
    )
    audit_record(
        actor=actor,
        action="checklist.marked",
        target=marked,
        region_id=veteran.home_region_id,
        veteran_id=veteran.pk,
        changes={"measure": measure.code, "status": [old, status]},
    )
    return marked


@transaction.atomic
def payment_issue_report(
    *,
    actor: User,
    veteran: Veteran,
    measure: Measure | None,
    details: str,
    channel: str = Channel.WEB,
) -> CareRequest:
    """ "A payment is late or wrong": a request of its own service, owned by the region's named
    person (`owner_of_payment_issue`) with the service's deadline: the hospital's region during
    a stay, the home region after discharge."""
    _answerer_or_raise(actor, veteran)
    stay = (
        Stay.objects.filter(veteran=veteran, discharged_on__isnull=True)
        .select_related("institution")
        .first()
    )
    details = details.strip()
    if not details:
        raise ApplicationError(_("Say which payment and what is wrong with it."), field="details")
    about = f"[{measure.code}] " if measure is not None else ""
    service_type = ServiceType.objects.get(code=PAYMENT_ISSUE)
    if stay is None:
        home = veteran.home_region
        return home_request_create(
            actor=actor,
            veteran=veteran,
            service_type=service_type,
            region=home,
            coordinator=owner_of_payment_issue(service_type=service_type, region_id=home.pk)
            or owner_for(home.pk),
            details=about + details,
            channel=channel,
        )
    return request_create(
        actor=actor,
        service_type=service_type,
        institution=stay.institution,
        department=stay.department,
        veteran=veteran,
        channel=channel,
        details=about + details,
    )


def owner_of_payment_issue(*, service_type: ServiceType, region_id: int) -> User | None:
    """Care's question `request_owner`: a payment question goes to the region's named person."""
    if service_type.code != PAYMENT_ISSUE:
        return None
    contact = PaymentContact.objects.filter(region_id=region_id).select_related("user").first()
    return contact.user if contact is not None else None


@transaction.atomic
def payment_contact_set(*, actor: User | None, region: Region, user: User) -> PaymentContact:
    """Name the person who answers payment questions in a region (a coordinator of it)."""
    contact = PaymentContact.objects.filter(region=region).first() or PaymentContact(region=region)
    old = contact.user_id if contact.pk else None
    if old == user.pk:
        return contact
    contact.user = user
    full_clean_or_raise(contact, exclude=["region"])
    contact.save()
    audit_record(
        actor=actor,
        action="payment_contact.set",
        target=contact,
        region_id=region.pk,
        changes={"user": [old, user.pk]},
    )
    return contact
