"""Writes of the follow-up contacts: attempts and their outcome, and delegation to an NGO."""

from __future__ import annotations

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.aftercare import conf, events
from ryadom.aftercare.models import (
    ATTEMPT_RESULTS,
    ContactAttempt,
    ContactOutcome,
    DischargePlan,
    FollowUpContact,
    PlanStatus,
)
from ryadom.audit.services import audit_record
from ryadom.care.services.handover import home_request_create
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.organisations.models import Organisation

MAX_NOTE = 1000


def coordinates_home(actor: User, plan: DischargePlan) -> bool:
    """The home coordinator, the home region's other coordinators, federal ones."""
    scope = scope_of(actor)
    return (
        plan.owner_id == actor.pk
        or scope.federal
        or (scope.has(Role.REGIONAL_COORDINATOR) and plan.home_region_id in scope.region_ids)
    )


def may_make(actor: User, contact: FollowUpContact) -> bool:
    """Who may make a contact: its home coordinators, or the managers of the NGO it went to."""
    scope = scope_of(actor)
    delegated = contact.organisation_id is not None and (
        scope.has(Role.NGO_MANAGER) and contact.organisation_id in scope.organisation_ids
    )
    return delegated or coordinates_home(actor, contact.plan)


def _open_or_raise(contact: FollowUpContact) -> None:
    if contact.plan.status != PlanStatus.HANDED_OVER or contact.outcome:
        raise ConflictError(_("This contact is closed."))


@transaction.atomic
def contact_attempt_record(
    *,
    actor: User,
    contact: FollowUpContact,
    result: str,
    note: str = "",
    service_type: ServiceType | None = None,
    details: str = "",
) -> ContactAttempt:
    """One attempt to reach the veteran. Any answer closes the contact; the third attempt
    without one closes it unanswered and goes to the home region's coordinators. New needs
    become a care request at once, owned by the home coordinator."""
    if not may_make(actor, contact):
        raise PermissionDeniedError(_("You may not make this contact."))
    _open_or_raise(contact)
    if result not in ATTEMPT_RESULTS:
        raise ApplicationError(_("Choose what the attempt found."), field="result")
    if len(note) > MAX_NOTE:
        raise ApplicationError(_("The note is too long."), field="note")
    if result == ContactOutcome.NEW_NEEDS and service_type is None:
        raise ApplicationError(_("Choose the help the veteran needs now."), field="service")
    now = timezone.now()
    failed = result == ContactOutcome.NO_ANSWER
    gives_up = failed and contact.failed_attempts + 1 >= conf.FAILED_ATTEMPTS_TO_ESCALATE
    values: dict[str, object] = {"failed_attempts": F("failed_attempts") + int(failed)}
    if not failed or gives_up:
        values |= {"outcome": result, "closed_at": now, "escalation_level": int(gives_up)}
    # Compare-and-set on what was read: of two people calling at once, one records.
    changed = FollowUpContact.objects.filter(
        pk=contact.pk, outcome="", failed_attempts=contact.failed_attempts
    ).update(**values)
    if changed != 1:
        raise ConflictError(_("Someone else recorded this contact a moment ago. Reload."))
    contact.refresh_from_db()
    plan = contact.plan
    if service_type is not None and result == ContactOutcome.NEW_NEEDS:
        request = home_request_create(
            actor=actor,
            veteran=plan.veteran,
            service_type=service_type,
            region=plan.home_region,
            coordinator=plan.owner,
            details=details,
        )
        FollowUpContact.objects.filter(pk=contact.pk).update(care_request=request)
        contact.care_request = request
    if not failed:
        DischargePlan.objects.filter(pk=plan.pk, first_contact_at__isnull=True).update(
            first_contact_at=now
        )
    attempt = ContactAttempt.objects.create(
        contact=contact, at=now, by=actor, result=result, note=note.strip()
    )
    audit_record(
        actor=actor,
        action="followup_contact.attempted",
        target=contact,
        region_id=plan.home_region_id,
        veteran_id=plan.veteran_id,
        changes={"result": result, "outcome": contact.outcome or None},
    )
    events.discharge_changed.publish(stay_id=plan.stay_id)
    if gives_up:
        events.contact_escalated.publish(contact=contact)
    return attempt


def contact_due_announce(*, contact: FollowUpContact) -> bool:
    """Tell the apps above that an open contact's day has come (True if it was told)."""
    plan = contact.plan
    if plan.status != PlanStatus.HANDED_OVER or contact.outcome:
        return False
    if contact.due_on > timezone.localdate(timezone=plan.home_region.zone):
        return False
    events.contact_due.publish(contact=contact)
    return True


@transaction.atomic
def contact_answer_by_veteran(
    *, actor: User, contact: FollowUpContact, needs_help: bool
) -> ContactAttempt:
    """The veteran answers a contact that is due themself ("all is well" or "I need help").
    Help asked closes the contact with new needs and no request yet: the home coordinator
    calls to find out what help, and opens the request."""
    plan = contact.plan
    if actor.pk is None or plan.veteran.user_id != actor.pk:
        raise PermissionDeniedError(_("Only the veteran may answer this."))
    if plan.status != PlanStatus.HANDED_OVER or contact.outcome:
        raise ConflictError(_("Your answer is already noted, thank you."))
    if contact.due_on > timezone.localdate(timezone=plan.home_region.zone):
        raise ConflictError(_("It is too early to answer this; we will ask you on the day."))
    result = ContactOutcome.NEW_NEEDS if needs_help else ContactOutcome.REACHED
    now = timezone.now()
    changed = FollowUpContact.objects.filter(pk=contact.pk, outcome="").update(
        outcome=result, closed_at=now
    )
    if changed != 1:
        raise ConflictError(_("Your answer is already noted, thank you."))
    contact.refresh_from_db()
    DischargePlan.objects.filter(pk=plan.pk, first_contact_at__isnull=True).update(
        first_contact_at=now
    )
    note = (
        _("The veteran answered in Telegram: needs help. Call to find out what help.")
        if needs_help
        else _("The veteran answered in Telegram: all is well.")
    )
    attempt = ContactAttempt.objects.create(
        contact=contact, at=now, by=actor, result=result, note=note
    )
    audit_record(
        actor=actor,
        action="followup_contact.answered",
        target=contact,
        region_id=plan.home_region_id,
        veteran_id=plan.veteran_id,
        changes={"result": result, "outcome": contact.outcome},
    )
    events.discharge_changed.publish(stay_id=plan.stay_id)
    if needs_help:
        events.help_asked.publish(contact=contact)
    return attempt


@transaction.atomic
def contact_delegate(
    *, actor: User, contact: FollowUpContact, organisation: Organisation | None
) -> FollowUpContact:
    """The home coordinator gives a contact to an NGO working in the home region (None takes
    it back)."""
    if not coordinates_home(actor, contact.plan):
        raise PermissionDeniedError(_("Only the home coordinator may give this contact away."))
    _open_or_raise(contact)
    if organisation is not None and not (
        organisation.is_active
        and organisation.regions.filter(pk=contact.plan.home_region_id).exists()
    ):
        raise ApplicationError(
            _("This NGO does not work in the veteran's home region."), field="organisation"
        )
    old = contact.organisation_id
    contact.organisation = organisation
    contact.save(update_fields=["organisation"])
    audit_record(
        actor=actor,
        action="followup_contact.delegated",
        target=contact,
        region_id=contact.plan.home_region_id,
        veteran_id=contact.plan.veteran_id,
        changes={"organisation": [old, organisation.pk if organisation else None]},
    )
    return contact
