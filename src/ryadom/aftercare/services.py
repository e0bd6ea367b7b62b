"""Writes of the discharge plan and the hand-over home (docs/aftercare.md)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, RoleAssignment, ScopeKind, User
from ryadom.aftercare import conf, events
from ryadom.aftercare.models import (
    ContactOutcome,
    DischargePlan,
    FollowUpContact,
    Need,
    PlanStatus,
)
from ryadom.audit.services import audit_record
from ryadom.care.lifecycle import NEEDS_ACTION_STATES
from ryadom.care.models import CareRequest
from ryadom.care.services.handover import HOME_CATEGORIES, request_hand_over
from ryadom.care.services.transitions import owner_for
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.geo.models import Region, Settlement
from ryadom.veterans.models import Consent, ConsentPurpose, Stay, Veteran
from ryadom.veterans.selectors import may_admit
from ryadom.veterans.services import phone_or_raise
from ryadom.veterans.staff_consent import consent_record_in_person

# "online": the veteran (or a relative) gives it themself on their consents page; then the
# hospital side hands over with `plan_hand_over`.
CONSENT_LATER = "later"


@dataclass(frozen=True)
class PlanInput:
    """What the liaison or coordinator writes in a discharge plan."""

    home_region: Region
    home_settlement: Settlement | None
    needs: list[str]
    family_name: str = ""
    family_phone: str = ""
    consent_method: str = CONSENT_LATER  # spoken, witness, or later
    witness: str = ""


def _plan_check(stay: Stay, data: PlanInput) -> dict[str, str]:
    if stay.discharged_on is None:
        raise ApplicationError(_("The veteran has not been discharged from this stay."))
    if Stay.objects.filter(transferred_from=stay).exists():
        raise ApplicationError(_("This stay ended in a transfer, not a discharge."))
    unknown = set(data.needs) - set(Need.values)
    if unknown:
        raise ApplicationError(_("Unknown need at home."), field="needs")
    if data.home_settlement is not None and data.home_settlement.region_id != data.home_region.pk:
        raise ApplicationError(
            _("This settlement is not in the home region."), field="home_settlement"
        )
    name = data.family_name.strip()
    if len(name) > 120:
        raise ApplicationError(_("The name is too long."), field="family_name")
    try:
        phone = phone_or_raise(data.family_phone)
    except ApplicationError as error:
        raise ApplicationError(error.message, field="family_phone") from error
    return {"family_name": name, "family_phone": phone}


@transaction.atomic
def plan_record(*, actor: User, stay: Stay, data: PlanInput) -> DischargePlan:
    """Record the plan of a discharge; with consent to hand over, it goes home at once."""
    if not may_admit(actor, stay.institution):
        raise PermissionDeniedError(
            _("Only the ward staff or the coordinators of the region may do this.")
        )
    family = _plan_check(stay, data)
    Stay.objects.select_for_update().filter(pk=stay.pk).first()
    if DischargePlan.objects.filter(stay=stay).exists():
        raise ConflictError(_("This discharge already has a plan."))
    plan = DischargePlan.objects.create(
        stay=stay,
        veteran_id=stay.veteran_id,
        hospital_region_id=stay.institution.region_id,
        home_region=data.home_region,
        home_settlement=data.home_settlement,
        needs=sorted(set(data.needs)),
        recorded_by=actor,
        **family,
    )
    audit_record(
        actor=actor,
        action="discharge_plan.recorded",
        target=plan,
        region_id=plan.hospital_region_id,
        veteran_id=plan.veteran_id,
        changes={"home_region": plan.home_region_id, "needs": plan.needs},
    )
    if data.consent_method != CONSENT_LATER:
        consent_record_in_person(
            actor=actor,
            veteran=stay.veteran,
            purpose=ConsentPurpose.HANDOVER,
            method=data.consent_method,
            witness=data.witness,
        )
    if _handover_consent(plan.veteran) is not None:
        _hand_over(actor=actor, plan=plan)
    events.discharge_changed.publish(stay_id=stay.pk)
    return plan


def _handover_consent(veteran: Veteran) -> Consent | None:
    return Consent.objects.filter(
        veteran=veteran, purpose=ConsentPurpose.HANDOVER, withdrawn_at__isnull=True
    ).first()


@transaction.atomic
def plan_hand_over(*, actor: User, plan: DischargePlan) -> DischargePlan:
    """Hand over a plan that waited for consent, once the veteran has given it."""
    if not may_admit(actor, plan.stay.institution):
        raise PermissionDeniedError(
            _("Only the ward staff or the coordinators of the region may do this.")
        )
    if plan.status != PlanStatus.WAITING_CONSENT:
        raise ConflictError(_("This plan is not waiting for consent."))
    if _handover_consent(plan.veteran) is None:
        raise ApplicationError(
            _("The veteran has not consented to handing the case over home."), field="consent"
        )
    return _hand_over(actor=actor, plan=plan)


def home_coordinator_for(region: Region) -> User | None:
    """The region's coordinator with the fewest open hand-overs (the lowest id on a tie);
    federal coordinators where the region has none."""
    open_ones = Count(
        "user__home_handovers",
        filter=Q(user__home_handovers__status=PlanStatus.HANDED_OVER),
    )
    assignment = (
        RoleAssignment.objects.filter(
            role=Role.REGIONAL_COORDINATOR,
            scope_kind=ScopeKind.REGION,
            scope_id=region.pk,
            user__is_active=True,
        )
        .annotate(open_ones=open_ones)
        .select_related("user")
        .order_by("open_ones", "user_id")
        .first()
    )
    return assignment.user if assignment is not None else owner_for(region.pk)


def _hand_over(*, actor: User | None, plan: DischargePlan) -> DischargePlan:
    owner = home_coordinator_for(plan.home_region)
    if owner is None:
        raise ApplicationError(_("Nobody coordinates the home region yet."), field="home_region")
    now = timezone.now()
    due = now + conf.first_contact_within()
    changed = DischargePlan.objects.filter(pk=plan.pk, status=PlanStatus.WAITING_CONSENT).update(
        status=PlanStatus.HANDED_OVER,
        owner=owner,
        handed_over_at=now,
        first_contact_due=due,
        consent=_handover_consent(plan.veteran),
    )
    if changed != 1:
        raise ConflictError(_("Someone else changed this plan a moment ago. Reload and try again."))
    plan.refresh_from_db()
    moved = _requests_hand_over(actor=actor, plan=plan)
    discharged_on: datetime.date = plan.stay.discharged_on  # type: ignore[assignment]
    contacts = FollowUpContact.objects.bulk_create(
        FollowUpContact(
            plan=plan,
            days_after=days,
            due_on=discharged_on + datetime.timedelta(days=days),
            owner=owner,
        )
        for days in conf.contact_days()
    )
    audit_record(
        actor=actor,
        action="discharge_plan.handed_over",
        target=plan,
        region_id=plan.home_region_id,
        veteran_id=plan.veteran_id,
        changes={"owner": [None, owner.pk], "requests": moved},
    )
    _watch_first_contact(plan)
    _watch_contacts(plan, contacts)
    events.handover_received.publish(plan=plan)
    return plan


def _requests_hand_over(*, actor: User | None, plan: DischargePlan) -> list[int]:
    """The veteran's open "after discharge" requests go home with the plan."""
    requests = CareRequest.objects.filter(
        veteran_id=plan.veteran_id,
        status__in=NEEDS_ACTION_STATES,
        service_type__category__in=HOME_CATEGORIES,
    ).exclude(region_id=plan.home_region_id, coordinator_id=plan.owner_id)
    moved = []
    for request in requests.order_by("pk"):
        request_hand_over(
            actor=actor,
            request=request,
            region=plan.home_region,
            coordinator=plan.owner,  # type: ignore[arg-type]
            deadline=plan.first_contact_due,  # type: ignore[arg-type]
        )
        moved.append(request.pk)
    return moved


def _watch_first_contact(plan: DischargePlan) -> None:
    from ryadom.aftercare.tasks import check_first_contact

    plan_id, run_after = plan.pk, plan.first_contact_due
    transaction.on_commit(
        lambda: check_first_contact.using(run_after=run_after).enqueue(plan_id=plan_id)
    )


def _watch_contacts(plan: DischargePlan, contacts: list[FollowUpContact]) -> None:
    """Each contact is announced on its day, at CONTACT_DUE_AT in the home region."""
    from ryadom.aftercare.tasks import announce_contact_due

    def enqueuer(contact_id: int, run_after: datetime.datetime) -> Callable[[], None]:
        def enqueue() -> None:
            announce_contact_due.using(run_after=run_after).enqueue(contact_id=contact_id)

        return enqueue

    zone = plan.home_region.zone
    for contact in contacts:
        at = datetime.datetime.combine(contact.due_on, conf.CONTACT_DUE_AT, tzinfo=zone)
        transaction.on_commit(enqueuer(contact.pk, at), robust=True)


@transaction.atomic
def plan_escalate(*, plan: DischargePlan, expected_level: int) -> DischargePlan:
    """A first contact not made by its deadline: the home region's coordinators, then federal."""
    changed = DischargePlan.objects.filter(
        pk=plan.pk, escalation_level=expected_level, first_contact_at__isnull=True
    ).update(escalation_level=expected_level + 1)
    plan.refresh_from_db()
    if changed == 1:
        audit_record(
            actor=None,
            action="discharge_plan.escalated",
            target=plan,
            region_id=plan.home_region_id,
            veteran_id=plan.veteran_id,
            changes={"escalation_level": [expected_level, expected_level + 1]},
        )
        events.first_contact_overdue.publish(plan=plan)
    return plan


def handover_consent_withdrawn(*, actor: User, veteran: Veteran, purpose: str) -> None:
    """Without consent to hand over, the plan stops: the family contact is blanked and the
    contacts not yet made are closed. Requests already handed over go on under the consent
    to care (withdrawing that one cancels them, as care does)."""
    if purpose != ConsentPurpose.HANDOVER:
        return
    plans = DischargePlan.objects.filter(
        veteran=veteran, status__in=[PlanStatus.WAITING_CONSENT, PlanStatus.HANDED_OVER]
    )
    now = timezone.now()
    for plan in plans:
        plan_id = plan.pk
        DischargePlan.objects.filter(pk=plan_id).update(
            status=PlanStatus.STOPPED, family_name="", family_phone=""
        )
        closed = FollowUpContact.objects.filter(plan_id=plan_id, outcome="").update(
            outcome=ContactOutcome.STOPPED, closed_at=now
        )
        audit_record(
            actor=actor,
            action="discharge_plan.stopped",
            target=plan,
            region_id=plan.home_region_id,
            veteran_id=veteran.pk,
            changes={"status": [plan.status, PlanStatus.STOPPED], "contacts_closed": closed},
        )
        events.discharge_changed.publish(stay_id=plan.stay_id)
