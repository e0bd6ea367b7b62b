"""The weekly hour limit the NGO sets, the debrief after a visit, and the distress flag."""

from __future__ import annotations

import datetime
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.utils import timezone

from ryadom.care.models import CareRequest, Channel, Debrief, Visit
from ryadom.care.services.coordination import request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.volunteer_work import (
    request_check_in,
    request_claim,
    request_complete,
    request_schedule,
)
from ryadom.care.wellbeing import debrief_submit, week_hours
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError, ConflictError, NotFoundError
from ryadom.notifications.models import Message
from ryadom.openings import services as openings
from ryadom.openings.models import Recurrence
from tests import factories as f
from tests.conftest import Cast
from tests.openings.helpers import post_opening

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
# A Monday at noon in Moscow: the week runs to Sunday 6 days later.
MONDAY = datetime.datetime(2026, 12, 7, 12, 0, tzinfo=MOSCOW)


def _triaged(c: Cast, service: str = "leisure.reading") -> CareRequest:
    request = request_create(
        actor=c.liaison,
        service_type=ServiceType.objects.get(code=service),
        institution=c.institution_a,
        veteran=c.veteran_a,
        channel=Channel.WARD,
    )
    return request_triage(actor=c.coord_a, request=request)


def _at(day: int, hour: int) -> datetime.datetime:
    """`day` days after MONDAY, at `hour` Moscow time."""
    return (MONDAY + datetime.timedelta(days=day)).replace(hour=hour)


def _visit_done(c: Cast, *, day: int, hours: int) -> CareRequest:
    """A request the cast's volunteer claims, plans, and does on `day`, for `hours`."""
    request = _triaged(c)
    request_claim(actor=c.volunteer_user, request=request)
    starts = _at(day, 10)
    request_schedule(
        actor=c.volunteer_user,
        request=request,
        starts=starts,
        ends=starts + datetime.timedelta(hours=hours),
    )
    with time_machine.travel(starts, tick=False):
        request_check_in(actor=c.volunteer_user, request=request)
    with time_machine.travel(starts + datetime.timedelta(hours=hours), tick=False):
        request_complete(actor=c.volunteer_user, request=request)
    return request


@pytest.fixture
def limited(care_cast: Cast) -> Cast:
    care_cast.volunteer_a.weekly_hour_limit = 4
    care_cast.volunteer_a.save(update_fields=["weekly_hour_limit"])
    return care_cast


@time_machine.travel(MONDAY, tick=False)
def test_scheduling_past_the_weekly_limit_is_refused_with_the_hours_in_the_message(
    limited: Cast,
) -> None:
    c = limited
    first = _triaged(c)
    request_claim(actor=c.volunteer_user, request=first)
    request_schedule(actor=c.volunteer_user, request=first, starts=_at(1, 10), ends=_at(1, 13))
    second = _triaged(c)
    request_claim(actor=c.volunteer_user, request=second)
    with pytest.raises(ApplicationError) as exc:
        request_schedule(actor=c.volunteer_user, request=second, starts=_at(2, 10), ends=_at(2, 12))
    assert exc.value.message == (
        "This would make 5 h in the week of 07.12.2026, more than the weekly limit of "
        "4 h your NGO has set to look after you (3 h already planned)."
    )
    assert not Visit.objects.filter(request=second).exists()
    # The next week has room; rescheduling the first visit does not count it twice.
    request_schedule(actor=c.volunteer_user, request=second, starts=_at(8, 10), ends=_at(8, 12))
    request_schedule(actor=c.volunteer_user, request=first, starts=_at(1, 10), ends=_at(1, 14))
    assert week_hours(volunteer=c.volunteer_a, day=MONDAY.date()) == 4


@time_machine.travel(MONDAY, tick=False)
def test_a_claim_is_refused_once_the_week_is_full_and_a_volunteer_without_limit_is_not(
    limited: Cast,
) -> None:
    c = limited
    first = _triaged(c)
    request_claim(actor=c.volunteer_user, request=first)
    request_schedule(actor=c.volunteer_user, request=first, starts=_at(0, 14), ends=_at(0, 18))
    second = _triaged(c)
    with pytest.raises(ApplicationError, match="more than the weekly limit of 4 h "):
        request_claim(actor=c.volunteer_user, request=second)
    c.volunteer_a.weekly_hour_limit = None
    c.volunteer_a.save(update_fields=["weekly_hour_limit"])
    assert request_claim(actor=c.volunteer_user, request=second).volunteer_id


@time_machine.travel(MONDAY, tick=False)
def test_accepted_opening_shifts_count_toward_the_limit(limited: Cast) -> None:
    c = limited
    opening = post_opening(
        c,
        recurrence=Recurrence.WEEKLY,
        starts_on=_at(5, 0).date(),
        start_time=datetime.time(10),
        end_time=datetime.time(13),
    )
    application = openings.application_create(actor=c.volunteer_user, opening=opening)
    openings.application_accept(actor=c.liaison, application=application)
    assert week_hours(volunteer=c.volunteer_a, day=_at(5, 0).date()) == 3
    request = _triaged(c)
    request_claim(actor=c.volunteer_user, request=request)
    with pytest.raises(ApplicationError, match="3 h already planned"):
        request_schedule(
            actor=c.volunteer_user, request=request, starts=_at(3, 10), ends=_at(3, 12)
        )
    # A second opening that would take the week over the limit is not accepted either.
    other = post_opening(c, starts_on=_at(6, 0).date(), needed=1)
    second = openings.application_create(actor=c.volunteer_user, opening=other)
    with pytest.raises(ApplicationError, match="weekly limit"):
        openings.application_accept(actor=c.liaison, application=second)


@time_machine.travel(MONDAY, tick=False)
def test_distress_after_a_visit_tells_the_ngo_manager_and_shows_on_their_page(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    c.volunteer_user.phone = "+79990001122"
    c.volunteer_user.save(update_fields=["phone"])
    c.ngo_manager.email = "manager@ngo-a.example"
    c.ngo_manager.save(update_fields=["email"])
    _visit_done(c, day=1, hours=1)
    visit = Visit.objects.get(volunteer=c.volunteer_a)
    with time_machine.travel(_at(1, 12), tick=False):
        client.force_login(c.volunteer_user)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        page = client.get("/volunteer/").content.decode()
        assert "How was it?" in page and f'action="/volunteer/visits/{visit.pk}/debrief/"' in page
        response = client.post(
            f"/volunteer/visits/{visit.pk}/debrief/",
            {"feeling": "upset", "note": "Он рассказывал о погибших товарищах, тяжело."},
            follow=True,
        )
        assert "manager will get in touch with you" in response.content.decode()
        assert "How was it?" not in response.content.decode()  # answered: not asked again

    debrief = Debrief.objects.get()
    assert (debrief.visit, debrief.distress) == (visit, True)
    message = Message.objects.get(recipient=c.ngo_manager, kind="volunteer_distress")
    assert "+79990001122" in message.body and "/ngo/wellbeing/" in message.body
    assert "товарищах" not in message.body  # the volunteer's words stay on the page

    client.force_login(c.ngo_manager)
    members = client.get("/ngo/members/").content.decode()
    assert "1 volunteer said after a visit that something upsets them" in members
    page = client.get("/ngo/wellbeing/").content.decode()
    assert "товарищах" in page and str(c.volunteer_a) in page
    client.post(f"/ngo/wellbeing/{debrief.pk}/followed-up/")
    debrief.refresh_from_db()
    assert debrief.acknowledged_by == c.ngo_manager
    assert "something upsets them" not in client.get("/ngo/members/").content.decode()

    # Nobody else sees the flag: the Rostov NGO's manager, a coordinator, the volunteer.
    other_manager = f.UserFactory()
    from ryadom.accounts.models import Role
    from ryadom.accounts.services import role_assign

    role_assign(actor=None, user=other_manager, role=Role.NGO_MANAGER, scope_id=c.ngo_b.pk)
    client.force_login(other_manager)
    assert "товарищах" not in client.get("/ngo/wellbeing/").content.decode()
    assert client.post(f"/ngo/wellbeing/{debrief.pk}/followed-up/").status_code == 404
    for user in (c.coord_a, c.volunteer_user):
        client.force_login(user)
        assert client.get("/ngo/wellbeing/").status_code == 403


@time_machine.travel(MONDAY, tick=False)
def test_a_calm_debrief_flags_nobody_and_each_visit_is_asked_about_once(care_cast: Cast) -> None:
    c = care_cast
    _visit_done(c, day=1, hours=1)
    visit = Visit.objects.get(volunteer=c.volunteer_a)
    debrief_submit(actor=c.volunteer_user, visit=visit, feeling="hard")
    assert not Message.objects.filter(kind="volunteer_distress").exists()
    with pytest.raises(ConflictError):
        debrief_submit(actor=c.volunteer_user, visit=visit, feeling="upset")
    with pytest.raises(NotFoundError):  # someone else's visit
        debrief_submit(actor=c.ngo_manager, visit=visit, feeling="fine")
    assert timezone.now() == MONDAY


@time_machine.travel(MONDAY, tick=False)
def test_the_volunteer_page_says_why_a_claim_over_the_limit_is_refused(
    limited: Cast, client: Client
) -> None:
    c = limited
    first = _triaged(c)
    request_claim(actor=c.volunteer_user, request=first)
    request_schedule(actor=c.volunteer_user, request=first, starts=_at(1, 10), ends=_at(1, 14))
    second = _triaged(c)
    client.force_login(c.volunteer_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.post(f"/requests/{second.pk}/claim/", {"next": "/volunteer/"}, follow=True)
    page = response.content.decode()
    assert "more than the weekly limit of 4 h your NGO has set" in page
    second.refresh_from_db()
    assert second.volunteer is None
