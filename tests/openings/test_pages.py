"""The opening pages: a liaison posts, a volunteer applies, the liaison accepts, and the
shift appears in the volunteer's schedule."""

from __future__ import annotations

import datetime
import re

import pytest
from django.conf import settings
from django.test import Client

from ryadom.openings.models import Application, ApplicationStatus, Opening
from tests import factories as f
from tests.conftest import Cast
from tests.openings.helpers import next_saturday, post_opening

pytestmark = pytest.mark.django_db


def _as(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


def test_post_apply_accept_and_the_shift_is_in_the_volunteers_schedule(care_cast: Cast) -> None:
    c = care_cast
    liaison = _as(c.liaison)
    saturday = next_saturday()
    page = liaison.get("/openings/new/").content.decode()
    assert c.institution_a.name in page and c.institution_b.name not in page
    response = liaison.post(
        "/openings/new/",
        {
            "title": "Saturday reading for the neurology ward",
            "institution": c.institution_a.pk,
            "recurrence": "weekly",
            "starts_on": saturday.isoformat(),
            "ends_on": (saturday + datetime.timedelta(days=28)).isoformat(),
            "start_time": "11:00",
            "end_time": "13:00",
            "needed": "2",
        },
    )
    assert response.status_code == 302, response.content.decode()
    opening = Opening.objects.get()
    assert response["Location"] == f"/openings/{opening.pk}/manage/"

    volunteer = _as(c.volunteer_user)
    listing = volunteer.get("/openings/").content.decode()
    assert "Saturday reading for the neurology ward" in listing
    detail = volunteer.get(f"/openings/{opening.pk}/").content.decode()
    assert "I would like to help" in detail
    response = volunteer.post(
        f"/openings/{opening.pk}/apply/", {"message": "Читаю вслух"}, follow=True
    )
    assert "You will hear back" in response.content.decode()
    application = Application.objects.get()

    manage = liaison.get(f"/openings/{opening.pk}/manage/").content.decode()
    assert str(c.volunteer_a) in manage and "Читаю вслух" in manage
    response = liaison.post(
        f"/openings/{opening.pk}/applications/{application.pk}/accept/", follow=True
    )
    assert "in the volunteer&#x27;s schedule" in response.content.decode()
    application.refresh_from_db()
    assert application.status == ApplicationStatus.ACCEPTED

    schedule = volunteer.get("/volunteer/").content.decode()
    shifts = re.findall(
        r"Saturday, \d+ \w+, 11:00–13:00 — " + re.escape(c.institution_a.name), schedule
    )
    assert len(shifts) >= 4  # every Saturday of the next four weeks


def test_an_unprepared_volunteer_sees_the_missing_steps_instead_of_the_apply_button(
    care_cast: Cast,
) -> None:
    c = care_cast
    opening = post_opening(c)
    newcomer = f.VolunteerFactory(region=c.institution_a.region)
    from ryadom.accounts.models import Role
    from ryadom.accounts.services import role_assign

    role_assign(actor=None, user=newcomer.user, role=Role.VOLUNTEER)
    page = _as(newcomer.user).get(f"/openings/{opening.pk}/").content.decode()
    assert "Join an NGO that has a valid agreement" in page
    assert "I would like to help" not in page
    response = _as(newcomer.user).post(f"/openings/{opening.pk}/apply/", {})
    assert response.status_code == 400
    assert "Not yet possible" in response.content.decode()
    assert not Application.objects.exists()


def test_declining_full_openings_and_outsiders(care_cast: Cast) -> None:
    c = care_cast
    opening = post_opening(c, needed=1)
    liaison = _as(c.liaison)
    first = _as(c.volunteer_user)
    first.post(f"/openings/{opening.pk}/apply/", {})
    application = Application.objects.get()
    response = liaison.post(
        f"/openings/{opening.pk}/applications/{application.pk}/decline/",
        {"reason": "Нужен водитель"},
        follow=True,
    )
    assert "Declined." in response.content.decode()
    assert "Нужен водитель" in first.get(f"/openings/{opening.pk}/").content.decode()
    # The manage page is the poster's: others get the same 404 as for a missing opening.
    for outsider in (c.ngo_manager, c.coord_b, c.volunteer_user):
        assert _as(outsider).get(f"/openings/{opening.pk}/manage/").status_code == 404
        status = (
            _as(outsider)
            .post(f"/openings/{opening.pk}/applications/{application.pk}/accept/")
            .status_code
        )
        assert status == 404
    assert _as(c.volunteer_user).get("/openings/new/").status_code == 403
    assert Client().get("/openings/").status_code == 200  # a call for volunteers is public
