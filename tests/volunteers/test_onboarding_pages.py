"""Acceptance: from "I want to help" to a request taken in a military hospital, through the
pages a newcomer, an NGO manager and a liaison use."""

from __future__ import annotations

import datetime
import re

import pytest
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import OneTimeCode, Role, User
from ryadom.accounts.services import role_assign
from ryadom.care.models import Status
from ryadom.care.services.coordination import request_triage
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.institutions.models import AccessLevel, Institution, InstitutionKind
from ryadom.notifications.models import Message
from ryadom.veterans.stays import stay_transfer
from ryadom.volunteers.models import Check, Membership, MembershipStatus, Volunteer
from tests import factories as f
from tests.conftest import Cast, make_ready_for_care
from tests.notifications.conftest import reachable

pytestmark = pytest.mark.django_db


@pytest.fixture
def hospital(cast: Cast) -> Institution:
    """A military hospital in Moscow that admits screened volunteers of NGO A."""
    make_ready_for_care(cast)
    hospital = f.InstitutionFactory(
        kind=InstitutionKind.MILITARY_HOSPITAL,
        access_level=AccessLevel.SCREENING,
        name="Военный госпиталь №1",
        lat=55.80,
        lon=37.70,
        contact_name="Ирина Сергеевна",
        contact_phone="+7 495 000-00-01",
    )
    f.AgreementFactory(institution=hospital, organisation=cast.ngo_a)
    role_assign(actor=None, user=cast.liaison, role=Role.INSTITUTION_LIAISON, scope_id=hospital.pk)
    for weekday in range(7):
        hospital.visiting_hours.create(
            weekday=weekday, starts=datetime.time(8), ends=datetime.time(22)
        )
    stay_transfer(actor=None, veteran=cast.veteran_a, institution=hospital, on=timezone.localdate())
    return hospital


def page(response: object) -> str:
    return response.content.decode()  # type: ignore[attr-defined]


def code_for(user: User) -> str:
    body = Message.objects.filter(recipient=user, kind="one_time_code").latest("pk").body
    found = re.search(r"\b(\d{6})\b", body)
    assert found is not None
    return found.group(1)


def record(client: Client, volunteer: Volunteer, back: str, **fields: str) -> str:
    response = client.post(
        f"/volunteers/{volunteer.pk}/checks/", {"next": back, **fields}, follow=True
    )
    return page(response)


def test_a_newcomer_signs_up_is_cleared_through_the_pages_and_then_takes_a_request(
    cast: Cast, hospital: Institution
) -> None:
    en = {"HTTP_ACCEPT_LANGUAGE": "en"}
    newcomer = Client(**en)  # type: ignore[arg-type]
    reachable(cast.ngo_manager)

    # Finds the nearest military hospital and asks whether they may work there.
    found = page(newcomer.get("/find/?lat=55.79&lon=37.69&kind=military_hospital"))
    results = found[found.index('id="results"') :]
    assert "Военный госпиталь №1" in results and "1.3 km" in results
    card = page(newcomer.get(f"/institutions/{hospital.pk}/"))
    checklist_url = f"/volunteer/checklist/?institution={hospital.pk}"
    assert checklist_url.replace("&", "&amp;") in card or checklist_url in card
    response = newcomer.get(checklist_url)
    assert response.url.startswith("/join/?next=")  # type: ignore[attr-defined]

    # Signs up with a phone and the code from the SMS, then fills in the profile.
    response = newcomer.post(response.url, {"address": "+7 916 000-11-22"})  # type: ignore[attr-defined]
    response = newcomer.post(
        response.url, {"code": code_for(OneTimeCode.objects.get().user)}, follow=True
    )
    assert "About you" in page(response)  # the checklist needs a profile first
    form_url = response.redirect_chain[-1][0]  # type: ignore[attr-defined]
    response = newcomer.post(
        form_url,
        {
            "first_name": "Пётр",
            "last_name": "Смирнов",
            "region": f.region("77").pk,
            "gender": "m",
            "languages": "ru, en",
            "travel_radius_km": "20",
            "weekly_task_cap": "3",
            "from_5": "10:00",
            "to_5": "14:00",
            "is_veteran": "on",
        },
        follow=True,
    )
    text = page(response)
    assert "Am I ready to work at Военный госпиталь №1?" in text
    assert "Not yet" in text and "Security screening is needed." in text
    assert "+7 495 000-00-01" in text  # whom to ask about the training on site
    volunteer = Volunteer.objects.get(user__phone="+79160001122")
    assert (volunteer.is_veteran, volunteer.languages) == (True, ["ru", "en"])
    assert [(a.weekday, a.starts) for a in volunteer.availability.all()] == [(5, datetime.time(10))]

    # Before the steps are done, the claim is refused with the list of what is missing.
    request = request_create(
        actor=cast.relative,
        service_type=ServiceType.objects.get(code="leisure.reading"),
        institution=hospital,
        veteran=cast.veteran_a,
        channel="web",
    )
    request_triage(actor=cast.coord_a, request=request)
    refused = page(
        newcomer.post(f"/requests/{request.pk}/claim/", {"next": "/volunteer/"}, follow=True)
    )
    assert "Not yet possible" in refused
    for missing in ("Join an NGO", "Identity verified is needed", "Security screening is needed"):
        assert missing in refused

    # Joins NGO A; its manager approves and records the checks on the members page.
    assert "АНО «Рядом А»" in page(newcomer.get("/join/ngo/"))
    newcomer.post("/join/ngo/", {"organisation": cast.ngo_a.pk})
    membership = Membership.objects.get(volunteer=volunteer)
    manager = Client(**en)  # type: ignore[arg-type]
    manager.force_login(cast.ngo_manager)
    members = page(manager.get("/ngo/members/"))
    assert "Пётр Смирнов" in members and "Asking to join" in members
    manager.post(f"/ngo/members/{membership.pk}/decide/", {"decision": "approve"})
    membership.refresh_from_db()
    assert membership.status == MembershipStatus.APPROVED
    told = Message.objects.filter(
        kind__in=["membership_requested", "membership_decided"]
    ).values_list("recipient", "kind")
    assert sorted(told) == sorted(
        [(cast.ngo_manager.pk, "membership_requested"), (volunteer.user_id, "membership_decided")]
    )
    assert "you are a member now" in Message.objects.get(kind="membership_decided").body

    back = "/ngo/members/"
    for kind in ("identity", "agreement", "medical"):
        assert "Recorded for" in record(manager, volunteer, back, kind=kind, status="passed")
    # A screening cannot jump straight to "passed"; only its result is stored.
    text = record(
        manager, volunteer, back, kind="screening", status="passed", valid_until="2099-01-01"
    )
    assert "cannot become" in text
    text = record(manager, volunteer, back, kind="screening", status="requested", detail="ФСБ")
    assert "Only the result of a screening is recorded" in text
    until = (timezone.localdate() + datetime.timedelta(days=365)).isoformat()
    for status in ("requested", "in_progress", "passed"):
        text = record(manager, volunteer, back, kind="screening", status=status, valid_until=until)
        assert "Recorded for" in text, text
    response = manager.post(
        f"/volunteers/{volunteer.pk}/hour-limit/", {"weekly_hour_limit": "12", "next": back}
    )
    volunteer.refresh_from_db()
    assert volunteer.weekly_hour_limit == 12

    # The liaison sees the new member and records the training on site.
    liaison = Client(**en)  # type: ignore[arg-type]
    liaison.force_login(cast.liaison)
    assert "Пётр Смирнов" in page(liaison.get("/institution/volunteers/"))
    back = "/institution/volunteers/"
    text = record(liaison, volunteer, back, kind="training", status="passed")
    assert "Name the training course" in text
    text = record(
        liaison, volunteer, back, kind="training", status="passed", detail="Помощь в палате"
    )
    assert "Recorded for" in text
    training = Check.objects.get(volunteer=volunteer, kind="training")
    assert (training.verified_by, training.detail) == (cast.liaison, "Помощь в палате")
    assert training.verified_at is not None

    # Now the checklist is complete and the request can be taken.
    assert "Yes: you may take requests here." in page(newcomer.get(checklist_url))
    taken = page(
        newcomer.post(f"/requests/{request.pk}/claim/", {"next": "/volunteer/"}, follow=True)
    )
    assert "You took the request" in taken
    request.refresh_from_db()
    assert (request.status, request.volunteer) == (Status.ASSIGNED, volunteer)


@pytest.mark.parametrize(("language", "column"), [("en", "name_en"), ("ru", "name_ru")])
def test_the_region_list_is_in_alphabetical_order_of_the_language_read(
    cast: Cast, language: str, column: str
) -> None:
    from ryadom.geo.models import Region

    client = Client(HTTP_ACCEPT_LANGUAGE=language)  # type: ignore[arg-type]
    client.force_login(cast.volunteer_user)
    form = page(client.get("/join/profile/"))
    select = form[
        form.index('name="region"') : form.index("</select>", form.index('name="region"'))
    ]
    shown = [int(pk) for pk in re.findall(r'<option value="(\d+)"', select)]
    names = dict(Region.objects.values_list("pk", column))
    assert len(shown) == Region.objects.count()
    assert [names[pk] for pk in shown] == sorted(names[pk] for pk in shown)
