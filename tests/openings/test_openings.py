"""Institutions and NGOs post openings; volunteers apply; the poster accepts or declines."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client

from ryadom.catalogue.models import Skill
from ryadom.core.errors import (
    ApplicationError,
    ConflictError,
    NotFoundError,
    PermissionDeniedError,
)
from ryadom.core.validation import InvalidInput
from ryadom.openings import services
from ryadom.openings.models import ApplicationStatus, Recurrence
from ryadom.openings.selectors import accepted_shifts, opening_get, opening_list
from ryadom.volunteers.models import Check, CheckKind, CheckStatus
from tests import factories as f
from tests.conftest import Cast, make_ready_for_care
from tests.openings.helpers import as_user, next_saturday, post_json, post_opening

pytestmark = pytest.mark.django_db


def _cleared_volunteer(c: Cast) -> f.Volunteer:  # type: ignore[name-defined]
    volunteer = f.VolunteerFactory(region=c.institution_a.region)
    f.MembershipFactory(volunteer=volunteer, organisation=c.ngo_a)
    for kind in (CheckKind.IDENTITY, CheckKind.AGREEMENT, CheckKind.TRAINING, CheckKind.MEDICAL):
        Check.objects.create(volunteer=volunteer, kind=kind, status=CheckStatus.PASSED)
    return volunteer


def test_liaison_posts_for_own_institution_and_ngo_manager_for_an_agreed_one(
    care_cast: Cast,
) -> None:
    c = care_cast
    by_liaison = post_opening(c)
    assert by_liaison.organisation is None and by_liaison.region == c.institution_a.region
    by_ngo = post_opening(c, actor=c.ngo_manager, recurrence=Recurrence.WEEKLY)
    assert by_ngo.organisation == c.ngo_a
    for outsider in (c.stranger, c.coord_b, c.volunteer_user):
        with pytest.raises(PermissionDeniedError):
            post_opening(c, actor=outsider)
    with pytest.raises(PermissionDeniedError):  # no agreement of ngo_a with institution B
        post_opening(c, actor=c.ngo_manager, institution=c.institution_b)


def test_bad_opening_is_refused_field_by_field_and_nothing_is_saved(care_cast: Cast) -> None:
    c = care_cast
    with pytest.raises(InvalidInput) as exc:
        post_opening(
            c,
            title=" ",
            starts_on=datetime.date(2020, 1, 1),
            start_time=datetime.time(14),
            end_time=datetime.time(12),
            needed=0,
        )
    assert set(exc.value.errors) == {"title", "starts_on", "end_time", "needed"}
    with pytest.raises(InvalidInput) as exc:
        post_opening(c, start_time=datetime.time(6), end_time=datetime.time(7))
    assert "visiting hours" in exc.value.errors["start_time"][0]
    assert not opening_list(actor=c.liaison, managed=True).exists()


def test_eligible_volunteer_applies_and_an_unprepared_one_hears_what_is_missing(
    care_cast: Cast,
) -> None:
    c = care_cast
    opening = post_opening(c)
    application = services.application_create(actor=c.volunteer_user, opening=opening)
    assert application.status == ApplicationStatus.PENDING
    # Applying twice is the same application.
    assert services.application_create(actor=c.volunteer_user, opening=opening) == application

    newcomer = f.VolunteerFactory(region=c.institution_a.region)
    with pytest.raises(ApplicationError) as exc:
        services.application_create(actor=newcomer.user, opening=opening)
    assert "Join an NGO" in exc.value.message and "Identity verified is needed" in exc.value.message


def test_opening_that_needs_a_skill_refuses_volunteers_without_it(care_cast: Cast) -> None:
    c = care_cast
    skill = Skill.objects.order_by("code").first()
    assert skill is not None
    opening = post_opening(c, required_skills=[skill])
    with pytest.raises(ApplicationError) as exc:
        services.application_create(actor=c.volunteer_user, opening=opening)
    assert str(skill) in exc.value.message
    c.volunteer_a.skills.add(skill)
    assert services.application_create(actor=c.volunteer_user, opening=opening).pk


def test_poster_accepts_up_to_the_number_needed_and_declines_with_a_reason(
    care_cast: Cast,
) -> None:
    c = care_cast
    opening = post_opening(c, needed=2)
    volunteers = [c.volunteer_a, _cleared_volunteer(c), _cleared_volunteer(c)]
    apps = [services.application_create(actor=v.user, opening=opening) for v in volunteers]
    services.application_accept(actor=c.liaison, application=apps[0])
    services.application_accept(actor=c.liaison, application=apps[1])
    with pytest.raises(ConflictError, match="All 2 places are taken"):
        services.application_accept(actor=c.liaison, application=apps[2])
    declined = services.application_decline(
        actor=c.liaison, application=apps[2], reason="We have enough readers this week."
    )
    assert declined.status == ApplicationStatus.DECLINED
    with pytest.raises(ConflictError):
        services.application_accept(actor=c.liaison, application=apps[2])
    with pytest.raises(PermissionDeniedError):  # the NGO did not post it
        services.application_decline(actor=c.ngo_manager, application=apps[0])


def test_accept_checks_eligibility_again_when_a_check_expired_meanwhile(care_cast: Cast) -> None:
    c = care_cast
    opening = post_opening(c)
    application = services.application_create(actor=c.volunteer_user, opening=opening)
    Check.objects.filter(volunteer=c.volunteer_a, kind=CheckKind.MEDICAL).update(
        valid_until=opening.starts_on - datetime.timedelta(days=1)
    )
    with pytest.raises(ApplicationError, match="Medical clearance has expired"):
        services.application_accept(actor=c.liaison, application=application)


def test_accepted_weekly_opening_gives_a_shift_every_week_until_its_last_day(
    care_cast: Cast,
) -> None:
    c = care_cast
    first = next_saturday()
    opening = post_opening(
        c,
        recurrence=Recurrence.WEEKLY,
        ends_on=first + datetime.timedelta(days=14),
    )
    application = services.application_create(actor=c.volunteer_user, opening=opening)
    services.application_accept(actor=c.liaison, application=application)
    shifts = accepted_shifts(
        volunteer=c.volunteer_a, first=first, last=first + datetime.timedelta(days=60)
    )
    assert [day for day, _ in shifts] == [first + datetime.timedelta(days=7 * i) for i in range(3)]
    # Closing stops new applications; the accepted volunteer still comes and still sees it.
    services.opening_close(actor=c.liaison, opening=opening)
    assert accepted_shifts(volunteer=c.volunteer_a, first=first, last=first) == [(first, opening)]
    assert opening_get(actor=c.volunteer_user, opening_id=opening.pk) == opening
    with pytest.raises(NotFoundError):
        opening_get(actor=c.volunteer_b.user, opening_id=opening.pk)
    services.application_withdraw(actor=c.volunteer_user, application=application)
    assert accepted_shifts(volunteer=c.volunteer_a, first=first, last=first) == []


# --- API -----------------------------------------------------------------------------------


def _opening_body(c: Cast, **fields: object) -> dict[str, object]:
    return {
        "title": "Saturday reading for the neurology ward",
        "institution": c.institution_a.pk,
        "starts_on": next_saturday().isoformat(),
        "start_time": "11:00",
        "end_time": "13:00",
        "needed": 1,
        **fields,
    }


def test_api_post_apply_accept_and_list(care_cast: Cast, client: Client) -> None:
    c = care_cast
    status, body = post_json(
        as_user(client, c.ngo_manager), "/api/v1/openings", _opening_body(c, recurrence="weekly")
    )
    assert status == 201, body
    oid = body["id"]
    assert body["organisation_name"] == c.ngo_a.name and body["accepted"] == 0

    status, application = post_json(
        as_user(client, c.volunteer_user),
        f"/api/v1/openings/{oid}/applications",
        {"message": "I read aloud well"},
    )
    assert (status, application["status"]) == (201, "pending")
    listed = client.get("/api/v1/openings", {"region": "77"}).json()
    assert [o["id"] for o in listed] == [oid]

    # Someone else's opening: the same 404 as a missing one.
    aid = application["id"]
    for outsider in (c.liaison, c.coord_b, c.volunteer_user):
        status, body = post_json(
            as_user(client, outsider), f"/api/v1/openings/{oid}/applications/{aid}/accept"
        )
        assert status == 404, (outsider, body)
    assert client.get(f"/api/v1/openings/{oid}/applications").status_code == 404

    status, body = post_json(
        as_user(client, c.ngo_manager), f"/api/v1/openings/{oid}/applications/{aid}/accept"
    )
    assert (status, body["status"]) == (200, "accepted")
    assert client.get(f"/api/v1/openings/{oid}").json()["accepted"] == 1
    names = [a["volunteer_name"] for a in client.get(f"/api/v1/openings/{oid}/applications").json()]
    assert names == [c.volunteer_user.get_full_name()]


def test_api_errors_name_the_field(care_cast: Cast, client: Client) -> None:
    c = care_cast
    as_user(client, c.liaison)
    status, body = post_json(client, "/api/v1/openings", _opening_body(c, end_time="10:00"))
    assert status == 422
    assert body["errors"] == [{"field": "end_time", "message": "The work ends before it starts."}]
    status, body = post_json(client, "/api/v1/openings", _opening_body(c, service="no.such"))
    assert (status, body["errors"][0]["field"]) == (422, "service")
    status, body = post_json(client, "/api/v1/openings", _opening_body(c, needed=500))
    assert (status, body["errors"][0]["field"]) == (422, "needed")
    status, body = post_json(
        as_user(client, c.volunteer_user), "/api/v1/openings/999999/applications"
    )
    assert status == 404
    assert Client().get("/api/v1/openings").status_code == 401


def test_api_list_needs_few_queries_however_many_openings(
    care_cast: Cast, client: Client, django_assert_max_num_queries: object
) -> None:
    c = care_cast
    skills = list(Skill.objects.all()[:2])
    for _ in range(15):
        post_opening(c, required_skills=skills)
    as_user(client, c.volunteer_user)
    with django_assert_max_num_queries(10):  # type: ignore[operator]
        body = client.get("/api/v1/openings").json()
    assert len(body) == 15


def test_unused_helper_keeps_cast_ready(cast: Cast) -> None:
    make_ready_for_care(cast)
    assert opening_list(actor=cast.volunteer_user).count() == 0


def test_the_poster_hears_of_applications_and_the_volunteer_hears_the_answer(
    care_cast: Cast,
) -> None:
    from ryadom.notifications.models import Message

    c = care_cast
    for user, address in ((c.liaison, "liaison@a.example"), (c.volunteer_user, "v@a.example")):
        user.email = address
        user.save(update_fields=["email"])
    opening = post_opening(c, title="Reading aloud on Saturdays")
    application = services.application_create(actor=c.volunteer_user, opening=opening)
    services.application_create(actor=c.volunteer_user, opening=opening)  # a double click
    told = Message.objects.get(recipient=c.liaison, kind="opening_applied")
    assert "Reading aloud on Saturdays" in told.body
    assert f"/openings/{opening.pk}/manage/" in told.body

    services.application_accept(actor=c.liaison, application=application)
    accepted = Message.objects.get(recipient=c.volunteer_user, kind="opening_accepted")
    assert c.institution_a.name in accepted.body

    other = post_opening(c, title="Moving the library")
    second = services.application_create(actor=c.volunteer_user, opening=other)
    services.application_decline(actor=c.liaison, application=second, reason="Нужен водитель")
    declined = Message.objects.get(recipient=c.volunteer_user, kind="opening_declined")
    assert "Нужен водитель" in declined.body
