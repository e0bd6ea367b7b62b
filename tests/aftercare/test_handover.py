from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from ryadom.accounts.models import Role
from ryadom.accounts.services import role_assign
from ryadom.aftercare.models import ContactOutcome, DischargePlan, PlanStatus
from ryadom.aftercare.services import plan_hand_over
from ryadom.aftercare.tasks import check_first_contact
from ryadom.audit.models import AuditEvent
from ryadom.care.models import CareRequest, Status
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError, PermissionDeniedError
from ryadom.veterans.consent import consent_give, consent_withdraw
from ryadom.veterans.models import Consent, ConsentPurpose
from tests import factories as f
from tests.aftercare.conftest import discharge, plan_with_consent
from tests.conftest import Cast


def _ask(cast: Cast, code: str) -> CareRequest:
    return request_create(
        actor=cast.liaison,
        service_type=ServiceType.objects.get(code=code),
        institution=cast.institution_a,
        veteran=cast.veteran_a2,
        channel="ward",
    )


def test_help_at_home_waits_for_the_plan_and_goes_home_with_it_the_rest_is_cancelled(
    care_cast: Cast,
) -> None:
    c = care_cast
    at_home = _ask(c, "after_discharge.home_help")
    in_ward = _ask(c, "purchases.groceries")
    stay = discharge(c)
    at_home.refresh_from_db()
    in_ward.refresh_from_db()
    assert (at_home.status, in_ward.status) == (Status.NEW, Status.CANCELLED)

    plan = plan_with_consent(c, stay)

    assert plan.status == PlanStatus.HANDED_OVER and plan.owner == c.coord_b
    assert plan.first_contact_due == plan.handed_over_at + datetime.timedelta(hours=72)
    at_home.refresh_from_db()
    assert (at_home.region.code, at_home.coordinator, at_home.deadline) == (
        "61",
        c.coord_b,
        plan.first_contact_due,
    )
    assert at_home.events.filter(action="hand_over").count() == 1
    assert [x.days_after for x in plan.contacts.all()] == [7, 30, 90, 180, 365]
    assert {x.owner for x in plan.contacts.all()} == {c.coord_b}
    assert AuditEvent.objects.filter(action="care_request.handed_over").count() == 1
    assert Consent.objects.get(purpose=ConsentPurpose.HANDOVER, veteran=c.veteran_a2).method == (
        "spoken"
    )


def test_the_home_coordinator_with_fewest_open_handovers_gets_the_next(care_cast: Cast) -> None:
    c = care_cast
    second = f.UserFactory(username="coord_b2")
    role_assign(
        actor=None,
        user=second,
        role=Role.REGIONAL_COORDINATOR,
        scope_id=c.coord_b.roles.first().scope_id,
    )  # type: ignore[union-attr]
    first = plan_with_consent(c, discharge(c, days_ago=1))
    assert first.owner == c.coord_b  # a tie: the lower id
    stay = f.StayFactory(veteran=c.veteran_a2, institution=c.institution_a)
    stay.refresh_from_db()
    again = plan_with_consent(c, discharge(c))
    assert again.owner == second


def test_without_consent_the_plan_stays_with_the_hospital_until_it_is_given(
    care_cast: Cast,
) -> None:
    c = care_cast
    at_home = _ask(c, "after_discharge.home_help")
    plan = plan_with_consent(c, discharge(c), method="later")
    at_home.refresh_from_db()
    assert plan.status == PlanStatus.WAITING_CONSENT and plan.owner is None
    assert at_home.region.code == "77" and not plan.contacts.exists()
    with pytest.raises(ApplicationError, match="not consented"):
        plan_hand_over(actor=c.coord_a, plan=plan)
    with pytest.raises(PermissionDeniedError):
        plan_hand_over(actor=c.coord_b, plan=plan)

    role_assign(actor=None, user=c.veteran_a2.user or f.UserFactory(), role=Role.VETERAN)
    c.veteran_a2.user = c.veteran_a2.user or f.UserFactory(username="a2")
    c.veteran_a2.save(update_fields=["user"])
    consent_give(actor=c.veteran_a2.user, veteran=c.veteran_a2, purpose=ConsentPurpose.HANDOVER)
    plan = plan_hand_over(actor=c.coord_a, plan=plan)
    at_home.refresh_from_db()
    assert plan.owner == c.coord_b and at_home.region.code == "61"


def test_withdrawing_the_handover_consent_stops_the_plan_and_its_contacts(
    handed_over: DischargePlan, care_cast: Cast
) -> None:
    c = care_cast
    veteran = c.veteran_a2
    veteran.user = f.UserFactory(username="a2")
    veteran.save(update_fields=["user"])
    consent = Consent.objects.get(veteran=veteran, purpose=ConsentPurpose.HANDOVER)
    consent_withdraw(actor=veteran.user, consent=consent)
    handed_over.refresh_from_db()
    assert handed_over.status == PlanStatus.STOPPED
    assert (handed_over.family_name, handed_over.family_phone) == ("", "")
    assert set(handed_over.contacts.values_list("outcome", flat=True)) == {ContactOutcome.STOPPED}


def test_a_first_contact_not_made_in_time_escalates_then_goes_federal(
    handed_over: DischargePlan,
) -> None:
    due = handed_over.first_contact_due
    assert due is not None
    with time_machine.travel(due - datetime.timedelta(minutes=1)):
        assert check_first_contact.call(plan_id=handed_over.pk) == "not due"
    with time_machine.travel(due + datetime.timedelta(minutes=1)):
        assert check_first_contact.call(plan_id=handed_over.pk) == "escalated to 1"
    with time_machine.travel(due + datetime.timedelta(hours=25)):
        assert check_first_contact.call(plan_id=handed_over.pk) == "escalated to 2"
    handed_over.refresh_from_db()
    assert handed_over.escalation_level == 2


def test_a_transfer_is_not_a_discharge_and_takes_no_plan(care_cast: Cast) -> None:
    from ryadom.veterans.stays import stay_transfer

    c = care_cast
    other = f.InstitutionFactory(region=c.institution_a.region)
    stay_transfer(actor=c.liaison, veteran=c.veteran_a2, institution=other, on=timezone.localdate())
    left = c.veteran_a2.stays.get(institution=c.institution_a)
    with pytest.raises(ApplicationError, match="transfer"):
        plan_with_consent(c, left)


def test_the_home_coordinator_and_the_veteran_hear_of_the_handover(care_cast: Cast) -> None:
    from ryadom.notifications.models import Message
    from tests.notifications.conftest import reachable

    c = care_cast
    reachable(c.coord_b)
    c.coord_b.first_name, c.coord_b.last_name = "Ольга", "Смирнова"
    c.coord_b.save(update_fields=["first_name", "last_name"])
    c.veteran_a2.user = reachable(f.UserFactory(username="a2"))
    c.veteran_a2.save(update_fields=["user"])
    plan_with_consent(c, discharge(c))
    assert Message.objects.filter(recipient=c.coord_b, kind="handover_received").exists()
    told = Message.objects.filter(recipient=c.veteran_a2.user, kind="home_coordinator_named")
    assert told.exists() and "Ольга Смирнова" in told.first().body  # type: ignore[union-attr]
    assert "+79001234567" in told.first().body  # type: ignore[union-attr]
