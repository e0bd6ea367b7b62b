"""The volunteer's record: hours by month and institution, services, feedback; CSV and PDF."""

from __future__ import annotations

import csv
import datetime
import io
import zoneinfo

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from pypdf import PdfReader

from ryadom.care.models import CareRequest, Channel
from ryadom.care.services.coordination import request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.requester import request_feedback
from ryadom.care.services.volunteer_work import (
    request_check_in,
    request_claim,
    request_complete,
    request_schedule,
)
from ryadom.catalogue.models import ServiceType
from ryadom.institutions.models import VisitingHours
from ryadom.volunteers.models import Check, CheckKind, CheckStatus
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")


def _done(
    c: Cast, *, institution: object, starts: datetime.datetime, minutes: int, veteran: object
) -> CareRequest:
    """A request done by the cast's volunteer: claimed, planned, checked in and out."""
    with time_machine.travel(starts - datetime.timedelta(days=1), tick=False):
        request = request_create(
            actor=c.coord_a,
            service_type=ServiceType.objects.get(code="leisure.reading"),
            institution=institution,  # type: ignore[arg-type]
            veteran=veteran,  # type: ignore[arg-type]
            channel=Channel.PHONE,
        )
        request_triage(actor=c.coord_a, request=request)
        request_claim(actor=c.volunteer_user, request=request)
        request_schedule(
            actor=c.volunteer_user,
            request=request,
            starts=starts,
            ends=starts + datetime.timedelta(minutes=minutes),
        )
    with time_machine.travel(starts, tick=False):
        request_check_in(actor=c.volunteer_user, request=request)
    with time_machine.travel(starts + datetime.timedelta(minutes=minutes), tick=False):
        request_complete(actor=c.volunteer_user, request=request)
    return request


@pytest.fixture
def worked(care_cast: Cast) -> Cast:
    """Three visits: two in November at hospital A (1 h and 1.5 h), one in December at a
    second Moscow hospital (2 h), with the veteran's feedback on the first."""
    c = care_cast
    second = f.InstitutionFactory(region=c.institution_a.region, name="Госпиталь ветеранов №2")
    f.AgreementFactory(organisation=c.ngo_a, institution=second)
    for weekday in range(7):
        VisitingHours.objects.create(
            institution=second, weekday=weekday, starts=datetime.time(8), ends=datetime.time(22)
        )
    c.volunteer_user.first_name, c.volunteer_user.last_name = "Анна", "Смирнова"
    c.volunteer_user.save()
    Check.objects.filter(volunteer=c.volunteer_a).update(status=CheckStatus.PASSED)
    assert Check.objects.filter(volunteer=c.volunteer_a, kind=CheckKind.MEDICAL).exists()
    first = _done(
        c,
        institution=c.institution_a,
        starts=datetime.datetime(2026, 11, 10, 10, tzinfo=MOSCOW),
        minutes=60,
        veteran=c.veteran_a,
    )
    with time_machine.travel(datetime.datetime(2026, 11, 10, 18, tzinfo=MOSCOW), tick=False):
        request_feedback(
            actor=c.veteran_user,
            request=first,
            done=True,
            respectful=True,
            rating=5,
            comment="Спасибо, Анна читает замечательно",
        )
    _done(
        c,
        institution=c.institution_a,
        starts=datetime.datetime(2026, 11, 20, 10, tzinfo=MOSCOW),
        minutes=90,
        veteran=c.veteran_a,
    )
    _done(
        c,
        institution=second,
        starts=datetime.datetime(2026, 12, 2, 10, tzinfo=MOSCOW),
        minutes=120,
        veteran=None,  # a need of the whole ward
    )
    return c


def _client(user: object) -> Client:
    client = Client()
    client.force_login(user)  # type: ignore[arg-type]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@time_machine.travel(datetime.datetime(2026, 12, 10, 12, tzinfo=MOSCOW), tick=False)
def test_record_page_shows_hours_by_month_and_institution_services_and_feedback(
    worked: Cast,
) -> None:
    page = _client(worked.volunteer_user).get("/volunteer/record/").content.decode()
    assert "Verified hours: <strong>4.5</strong>" in page
    assert "Services done: <strong>3</strong>" in page
    assert "November 2026</td><td>Госпиталь А</td><td>2</td><td>2.5</td>" in page
    assert "December 2026</td><td>Госпиталь ветеранов №2</td><td>1</td><td>2</td>" in page
    assert "5/5" in page and "Анна читает замечательно" in page
    assert worked.veteran_a.addressed_as not in page  # the record names no veteran


@time_machine.travel(datetime.datetime(2026, 12, 10, 12, tzinfo=MOSCOW), tick=False)
def test_csv_reads_back_as_the_hours_by_month_and_institution(worked: Cast) -> None:
    response = _client(worked.volunteer_user).get("/volunteer/record.csv")
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows == [
        ["Month", "Institution", "Visits", "Hours"],
        ["2026-11", "Госпиталь А", "2", "2.5"],
        ["2026-12", "Госпиталь ветеранов №2", "1", "2"],
    ]


@time_machine.travel(datetime.datetime(2026, 12, 10, 12, tzinfo=MOSCOW), tick=False)
def test_pdf_certificate_names_the_volunteer_in_cyrillic_with_the_hours(worked: Cast) -> None:
    client = _client(worked.volunteer_user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    response = client.get("/volunteer/record.pdf")
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) > 0
    text = " ".join(page.extract_text() for page in reader.pages)
    assert "Анна Смирнова" in text
    assert "Госпиталь ветеранов №2" in text
    assert "4.5" in text


def test_record_is_the_volunteers_own_and_others_are_refused(care_cast: Cast) -> None:
    c = care_cast
    empty = _client(c.volunteer_user).get("/volunteer/record/").content.decode()
    assert "No verified visits yet." in empty
    rows = list(
        csv.reader(
            io.StringIO(_client(c.volunteer_user).get("/volunteer/record.csv").content.decode())
        )
    )
    assert rows == [["Month", "Institution", "Visits", "Hours"]]
    assert PdfReader(
        io.BytesIO(_client(c.volunteer_user).get("/volunteer/record.pdf").content)
    ).pages
    for user in (c.coord_a, c.ngo_manager, c.veteran_user):
        assert _client(user).get("/volunteer/record/").status_code == 403
        assert _client(user).get("/volunteer/record.pdf").status_code == 403
    assert Client().get("/volunteer/record.csv").status_code == 302  # to sign in
