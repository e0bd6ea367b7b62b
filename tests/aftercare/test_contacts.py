from __future__ import annotations

from typing import Any

import pytest

from ryadom.aftercare.contacts import contact_attempt_record, contact_delegate
from ryadom.aftercare.models import ContactOutcome, DischargePlan
from ryadom.care.models import Status
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.notifications.models import Message
from tests.conftest import Cast
from tests.notifications.conftest import reachable


def test_three_unanswered_attempts_close_the_contact_and_tell_the_regions_coordinators(
    handed_over: DischargePlan, care_cast: Cast
) -> None:
    c = care_cast
    reachable(c.coord_b)
    contact = handed_over.contacts.first()
    assert contact is not None
    for _ in range(2):
        contact_attempt_record(actor=c.coord_b, contact=contact, result="no_answer")
        contact.refresh_from_db()
        assert contact.outcome == ""
    contact_attempt_record(actor=c.coord_b, contact=contact, result="no_answer")
    contact.refresh_from_db()
    assert (contact.outcome, contact.escalation_level, contact.failed_attempts) == (
        ContactOutcome.NO_ANSWER,
        1,
        3,
    )
    assert Message.objects.filter(kind="followup_unreached", recipient=c.coord_b).exists()
    with pytest.raises(ConflictError):
        contact_attempt_record(actor=c.coord_b, contact=contact, result="reached")
    handed_over.refresh_from_db()
    assert handed_over.first_contact_at is None


def test_new_needs_become_a_request_owned_by_the_home_coordinator_in_one_step(
    handed_over: DischargePlan, care_cast: Cast
) -> None:
    c = care_cast
    contact = handed_over.contacts.first()
    assert contact is not None
    with pytest.raises(ApplicationError, match="help the veteran needs"):
        contact_attempt_record(actor=c.coord_b, contact=contact, result="new_needs")
    contact_attempt_record(
        actor=c.coord_b,
        contact=contact,
        result="new_needs",
        service_type=ServiceType.objects.get(code="after_discharge.home_help"),
        details="Нужна помощь с покупками",
    )
    contact.refresh_from_db()
    request = contact.care_request
    assert request is not None and contact.outcome == ContactOutcome.NEW_NEEDS
    assert (request.region.code, request.coordinator, request.status) == (
        "61",
        c.coord_b,
        Status.NEW,
    )
    handed_over.refresh_from_db()
    assert handed_over.first_contact_at is not None


def test_an_outsider_may_not_make_the_contact_but_a_delegated_ngo_may(
    handed_over: DischargePlan, care_cast: Cast
) -> None:
    c = care_cast
    contact = handed_over.contacts.first()
    assert contact is not None
    for outsider in (c.coord_a, c.ngo_manager, c.volunteer_user):
        with pytest.raises(PermissionDeniedError):
            contact_attempt_record(actor=outsider, contact=contact, result="reached")
    with pytest.raises(ApplicationError, match="does not work"):
        contact_delegate(actor=c.coord_b, contact=contact, organisation=c.ngo_a)
    c.ngo_a.regions.add(handed_over.home_region)
    contact_delegate(actor=c.coord_b, contact=contact, organisation=c.ngo_a)
    contact_attempt_record(actor=c.ngo_manager, contact=contact, result="reached")
    contact.refresh_from_db()
    assert contact.outcome == ContactOutcome.REACHED


def test_each_contact_is_announced_on_its_day_and_not_before(
    care_cast: Cast, django_capture_on_commit_callbacks: Any
) -> None:
    import datetime

    from django_tasks_db.models import DBTaskResult

    from ryadom.aftercare.tasks import announce_contact_due
    from tests.aftercare.conftest import discharge, plan_with_consent

    with django_capture_on_commit_callbacks(execute=True):
        plan = plan_with_consent(care_cast, discharge(care_cast))
    planned = DBTaskResult.objects.filter(task_path__endswith="announce_contact_due")
    zone = plan.home_region.zone
    assert sorted(t.run_after for t in planned) == [
        datetime.datetime.combine(c.due_on, datetime.time(10), tzinfo=zone)
        for c in plan.contacts.order_by("due_on")
    ]
    first = plan.contacts.order_by("due_on").first()
    assert first is not None
    assert announce_contact_due.call(contact_id=first.pk) == "not open or not due"
