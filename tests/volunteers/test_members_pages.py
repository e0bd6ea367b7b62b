"""The NGO manager's and the liaison's pages, the profile form and joining an NGO: who may do
what, and what bad input is told."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import Role
from ryadom.accounts.services import role_assign
from ryadom.core.errors import ConflictError
from ryadom.geo.models import Settlement
from ryadom.volunteers.models import Check, CheckKind, CheckStatus, Membership, Volunteer
from ryadom.volunteers.services import check_record
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db
EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def test_the_members_page_is_the_ngo_managers_and_shows_only_their_ngo(
    cast: Cast, client: Client
) -> None:
    applicant = f.VolunteerFactory(user=f.UserFactory(first_name="Анна", last_name="Новикова"))
    Membership.objects.create(volunteer=applicant, organisation=cast.ngo_a)
    client.force_login(cast.ngo_manager)
    page = client.get("/ngo/members/", **EN).content.decode()
    assert "Анна Новикова" in page and str(cast.volunteer_a) in page
    assert str(cast.volunteer_b) not in page and str(cast.volunteer_other_ngo) not in page
    for outsider in (cast.volunteer_user, cast.coord_a, cast.liaison):
        client.force_login(outsider)
        assert client.get("/ngo/members/").status_code == 403


def test_nobody_decides_on_or_records_checks_of_another_ngos_volunteers(
    cast: Cast, client: Client
) -> None:
    other = Membership.objects.get(volunteer=cast.volunteer_b)
    other.status = "pending"
    other.save()
    client.force_login(cast.ngo_manager)
    assert (
        client.post(f"/ngo/members/{other.pk}/decide/", {"decision": "approve"}).status_code == 404
    )
    response = client.post(
        f"/volunteers/{cast.volunteer_b.pk}/checks/", {"kind": "identity", "status": "passed"}
    )
    assert response.status_code == 404
    client.force_login(cast.coord_b)  # sees region B's volunteers but records nothing
    response = client.post(
        f"/volunteers/{cast.volunteer_b.pk}/checks/", {"kind": "identity", "status": "passed"}
    )
    assert response.status_code == 403
    assert not Check.objects.exists()
    other.refresh_from_db()
    assert other.status == "pending"


def test_only_the_ngo_manager_sets_the_weekly_hour_limit_within_bounds(
    cast: Cast, client: Client
) -> None:
    url = f"/volunteers/{cast.volunteer_a.pk}/hour-limit/"
    client.force_login(cast.liaison)  # sees the volunteer, does not manage them
    assert client.post(url, {"weekly_hour_limit": "10"}).status_code == 403
    client.force_login(cast.ngo_manager)
    page = client.post(url, {"weekly_hour_limit": "0"}, follow=True, **EN).content.decode()
    assert "greater than or equal to 1" in page
    client.post(url, {"weekly_hour_limit": "10"})
    cast.volunteer_a.refresh_from_db()
    assert cast.volunteer_a.weekly_hour_limit == 10
    client.post(url, {"weekly_hour_limit": ""})  # no limit again
    cast.volunteer_a.refresh_from_db()
    assert cast.volunteer_a.weekly_hour_limit is None


def test_a_screening_moves_requested_in_progress_then_passed_or_refused(cast: Cast) -> None:
    def screening(status: str, until: datetime.date | None = None) -> Check:
        return check_record(
            actor=cast.ngo_manager,
            volunteer=cast.volunteer_a,
            kind=CheckKind.SCREENING,
            status=status,
            valid_until=until,
        )

    year = timezone.localdate() + datetime.timedelta(days=365)
    with pytest.raises(ConflictError, match="“not started” cannot become “In progress”"):
        screening(CheckStatus.IN_PROGRESS)
    screening(CheckStatus.REQUESTED)
    with pytest.raises(ConflictError, match="“Requested” cannot become “Passed”"):
        screening(CheckStatus.PASSED, year)
    screening(CheckStatus.IN_PROGRESS)
    screening(CheckStatus.REFUSED)
    with pytest.raises(ConflictError):
        screening(CheckStatus.PASSED, year)
    for status in (CheckStatus.REQUESTED, CheckStatus.IN_PROGRESS, CheckStatus.PASSED):
        screening(status, year if status == CheckStatus.PASSED else None)
    renewed = screening(CheckStatus.PASSED, year + datetime.timedelta(days=365))  # renewal
    assert (renewed.status, renewed.valid_until, renewed.detail) == (
        CheckStatus.PASSED,
        year + datetime.timedelta(days=365),
        "",
    )


def test_the_liaison_sees_the_members_of_agreed_ngos_only(cast: Cast, client: Client) -> None:
    client.force_login(cast.liaison)
    page = client.get("/institution/volunteers/", **EN).content.decode()
    assert str(cast.volunteer_a) in page and "Госпиталь А" in page
    assert str(cast.volunteer_other_ngo) not in page and str(cast.volunteer_b) not in page
    client.force_login(cast.ngo_manager)
    assert client.get("/institution/volunteers/").status_code == 403


def _profile(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "first_name": "Ольга",
        "region": f.region("77").pk,
        "gender": "f",
        "languages": "ru",
        "travel_radius_km": "15",
        "weekly_task_cap": "3",
    }
    data.update(changes)
    return data


def test_the_profile_form_says_what_is_wrong_and_saves_nothing(db: None, client: Client) -> None:
    user = f.UserFactory()
    client.force_login(user)
    podolsk = Settlement.objects.get(region__code="50", name_ru="Подольск")
    page = client.post(
        "/join/profile/",
        _profile(settlement=podolsk.pk, from_0="10:00", languages="russian"),
        **EN,
    ).content.decode()
    assert "Give both times, or neither." in page
    page = client.post(
        "/join/profile/", _profile(settlement=podolsk.pk, languages="russian"), **EN
    ).content.decode()
    assert "This town is in another region." in page
    assert not Volunteer.objects.exists()
    page = client.post("/join/profile/", _profile(languages="russian"), **EN).content.decode()
    assert "“russian” is not one" in page
    assert not Volunteer.objects.exists()

    response = client.post(
        "/join/profile/", _profile(region=f.region("50").pk, settlement=podolsk.pk)
    )
    assert response.status_code == 302 and response["Location"] == "/join/ngo/"
    volunteer = Volunteer.objects.get(user=user)
    assert (volunteer.lat, volunteer.lon) == (podolsk.lat, podolsk.lon)  # home for the radius
    assert Role.VOLUNTEER in set(user.roles.values_list("role", flat=True))


def test_a_volunteer_joins_only_an_ngo_of_their_region(cast: Cast, client: Client) -> None:
    newcomer = f.VolunteerFactory(region=f.region("77"))
    role_assign(actor=None, user=newcomer.user, role=Role.VOLUNTEER)
    client.force_login(newcomer.user)
    page = client.get("/join/ngo/", **EN).content.decode()
    assert "АНО «Рядом А»" in page and "АНО «Рядом Б»" not in page
    assert "Госпиталь А" in page  # where the NGO works
    assert client.post("/join/ngo/", {"organisation": cast.ngo_b.pk}).status_code == 404
    page = client.post(
        "/join/ngo/", {"organisation": cast.ngo_a.pk}, follow=True, **EN
    ).content.decode()
    assert "waiting for the manager" in page
    assert Membership.objects.get(volunteer=newcomer).status == "pending"

    checks = client.get("/volunteer/checklist/", **EN).content.decode()
    assert "Where my NGOs work" in checks and "Госпиталь А" in checks

    # Ready to travel to Rostov's hospital: its NGO is offered from that hospital's checklist.
    url = f"/join/ngo/?institution={cast.institution_b.pk}"
    assert "АНО «Рядом Б»" in client.get(url).content.decode()
    client.post(url, {"organisation": cast.ngo_b.pk})
    assert Membership.objects.filter(volunteer=newcomer).count() == 2
