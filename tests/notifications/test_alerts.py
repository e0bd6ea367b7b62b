"""New requests reach volunteers who may take them: at most N per need, in turn, rate-limited."""

from __future__ import annotations

import datetime
import math
from collections import Counter
from typing import Any

import pytest
import time_machine
from django.utils import timezone

from ryadom.care.models import CareRequest
from ryadom.care.services.coordination import request_assign, request_cancel, request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.volunteer_work import request_decline
from ryadom.catalogue.models import ServiceType
from ryadom.notifications.alerts import Candidate, fair_pick, volunteers_alert
from ryadom.notifications.models import Message, VolunteerAlert
from ryadom.volunteers.models import Check, CheckKind, CheckStatus, Volunteer
from tests import factories as f
from tests.care.test_deadlines import run_worker
from tests.conftest import Cast
from tests.notifications.conftest import reachable, transactional
from tests.notifications.fakes import FakeSmtpServer
from tests.notifications.journey import next_week_at, told

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _alert_settings(settings: Any) -> None:
    settings.NOTIFICATIONS = {
        **settings.NOTIFICATIONS,
        "ALERTS_PER_NEED": 5,
        "ALERTS_PER_VOLUNTEER_PER_DAY": 3,
    }


def cleared_volunteers(c: Cast, n: int) -> list[Volunteer]:
    """n more volunteers of region A in NGO A, every check passed: all fit every need there."""
    volunteers = []
    for i in range(n):
        user = f.UserFactory(username=f"helper{i}", email=f"helper{i}@example.org", language="en")
        volunteer = f.VolunteerFactory(user=user, region=c.institution_a.region)
        f.MembershipFactory(volunteer=volunteer, organisation=c.ngo_a)
        volunteers.append(volunteer)
    Check.objects.bulk_create(
        Check(
            volunteer=v,
            kind=kind,
            status=CheckStatus.PASSED,
            verified_by=c.ngo_manager,
            verified_at=timezone.now(),
        )
        for v in volunteers
        for kind in (CheckKind.IDENTITY, CheckKind.AGREEMENT, CheckKind.TRAINING, CheckKind.MEDICAL)
    )
    return volunteers


def open_need(c: Cast, service: str = "leisure.reading") -> CareRequest:
    """A ward's need entered by the coordinator and opened for helpers."""
    request = request_create(
        actor=c.coord_a,
        institution=c.institution_a,
        service_type=ServiceType.objects.get(code=service),
        channel="phone",
    )
    return request_triage(actor=c.coord_a, request=request)


def test_fairness_100_volunteers_50_needs(care_cast: Cast) -> None:
    c = care_cast
    c.volunteer_user.email = "volunteer@example.org"
    c.volunteer_user.save(update_fields=["email"])
    eligible = [c.volunteer_a, *cleared_volunteers(c, 99)]
    needs, per_need = 50, 5

    for _ in range(needs):
        need = open_need(c)
        volunteers_alert(request_id=need.pk)

    per_request = Counter(VolunteerAlert.objects.values_list("request_id", flat=True))
    per_volunteer = Counter(VolunteerAlert.objects.values_list("volunteer_id", flat=True))
    assert len(per_request) == needs
    assert set(per_request.values()) == {per_need}  # each need alerts N, never more
    bound = math.ceil(needs * per_need / len(eligible))  # 3
    assert max(per_volunteer.values()) <= bound
    assert min(per_volunteer[v.pk] for v in eligible) >= bound - 1  # nobody left out
    assert set(per_volunteer) <= {v.pk for v in eligible}  # only those who may take it
    # Every alert is one message, to the volunteer, on their channel.
    messages = Message.objects.filter(kind="volunteer_new_request")
    assert messages.count() == needs * per_need
    assert {m.channel for m in messages} == {"email"}


def test_a_volunteer_hears_of_at_most_the_daily_limit_and_then_again_the_next_day(
    care_cast: Cast,
) -> None:
    c = care_cast
    cleared_volunteers(c, 2)  # with volunteer A: three fit
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(4):
            volunteers_alert(request_id=open_need(c).pk)
        per_volunteer = Counter(VolunteerAlert.objects.values_list("volunteer_id", flat=True))
        assert sorted(per_volunteer.values()) == [3, 3, 3]  # the fourth need waits

        clock.shift(datetime.timedelta(hours=24, minutes=1))
        volunteers_alert(request_id=open_need(c).pk)
    assert VolunteerAlert.objects.count() == 12


def test_only_volunteers_who_may_take_it_are_alerted_and_only_once(care_cast: Cast) -> None:
    c = care_cast
    need = open_need(c)
    volunteers_alert(request_id=need.pk)
    volunteers_alert(request_id=need.pk)  # a task run twice
    # Volunteer B works in Rostov; the other volunteer's NGO has no agreement with the hospital.
    assert list(VolunteerAlert.objects.values_list("volunteer_id", flat=True)) == [c.volunteer_a.pk]


def test_a_request_given_back_alerts_volunteers_not_told_before(care_cast: Cast) -> None:
    c = care_cast
    first = cleared_volunteers(c, 6)
    need = open_need(c)
    told_first = {a.volunteer_id for a in volunteers_alert(request_id=need.pk)}
    assert len(told_first) == 5
    request_assign(actor=c.coord_a, request=need, volunteer=first[0])
    assert volunteers_alert(request_id=need.pk) == []  # taken: nobody else is alerted
    request_decline(actor=c.coord_a, request=need, reason="Заболела")

    told_again = {a.volunteer_id for a in volunteers_alert(request_id=need.pk)}
    assert told_again and not told_again & told_first


def test_a_request_no_longer_waiting_alerts_nobody(care_cast: Cast) -> None:
    c = care_cast
    need = open_need(c)
    request_cancel(actor=c.coord_a, request=need, reason="Не нужно")
    assert volunteers_alert(request_id=need.pk) == []


def test_the_rotation_puts_the_least_recently_alerted_first() -> None:
    now = timezone.now()
    candidates = [
        Candidate(1, now, 1),
        Candidate(2, now - datetime.timedelta(hours=5), 1),
        Candidate(3, None, 0),
        Candidate(4, now - datetime.timedelta(hours=1), 3),  # at the daily limit
    ]
    assert fair_pick(candidates=candidates, n=3, daily_cap=3, request_id=1) == [3, 2, 1]
    # Among equals the order depends on the request, not on who registered first.
    equals = [Candidate(i, None, 0) for i in range(20)]
    picks = {tuple(fair_pick(candidates=equals, n=3, daily_cap=3, request_id=r)) for r in range(5)}
    assert len(picks) > 1


@transactional
def test_opening_a_request_alerts_fitting_volunteers_through_the_worker(
    care_cast: Cast, smtp: FakeSmtpServer
) -> None:
    c = care_cast
    reachable(c.volunteer_user)
    with time_machine.travel(next_week_at(12), tick=False):
        need = open_need(c)
        assert VolunteerAlert.objects.count() == 0  # chosen by a task, after the commit
        run_worker()
    [message] = told(c.volunteer_user, "volunteer_new_request")
    assert message.status == "sent"
    assert f"/requests/{need.pk}/" in message.body
    [mail] = smtp.messages
    assert mail["Subject"] == "Someone near you needs help"
