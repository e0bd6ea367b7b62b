"""From "I want to help" to the ward of a military hospital, and what expiry does."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone, translation

from ryadom.accounts.models import Role
from ryadom.accounts.services import role_assign
from ryadom.care.services.coordination import request_assign, request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.volunteer_work import request_claim
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.institutions.models import AccessLevel, InstitutionKind
from ryadom.veterans.stays import stay_transfer
from ryadom.volunteers.eligibility import missing_steps
from ryadom.volunteers.models import CheckKind, CheckStatus, Gender
from ryadom.volunteers.services import check_record, membership_decide, membership_request
from tests import factories as f
from tests.conftest import Cast, make_ready_for_care

pytestmark = pytest.mark.django_db


@pytest.fixture
def hospital(cast: Cast) -> object:
    make_ready_for_care(cast)
    hospital = f.InstitutionFactory(
        kind=InstitutionKind.MILITARY_HOSPITAL,
        access_level=AccessLevel.SCREENING,
        name="Военный госпиталь №1",
        lat=55.80,
        lon=37.70,
    )
    f.AgreementFactory(institution=hospital, organisation=cast.ngo_a)
    role_assign(actor=None, user=cast.liaison, role=Role.INSTITUTION_LIAISON, scope_id=hospital.pk)
    for weekday in range(7):
        hospital.visiting_hours.create(
            weekday=weekday, starts=datetime.time(8), ends=datetime.time(22)
        )
    stay_transfer(actor=None, veteran=cast.veteran_a, institution=hospital, on=timezone.localdate())
    return hospital


def _record_all(cast: Cast, volunteer: object, screening_until: datetime.date) -> None:
    for kind in (CheckKind.IDENTITY, CheckKind.AGREEMENT, CheckKind.MEDICAL):
        check_record(
            actor=cast.ngo_manager, volunteer=volunteer, kind=kind, status=CheckStatus.PASSED
        )
    check_record(
        actor=cast.liaison,
        volunteer=volunteer,
        kind=CheckKind.TRAINING,
        status=CheckStatus.PASSED,
        detail="Курс «Помощь в палате»",
    )
    for step in (CheckStatus.REQUESTED, CheckStatus.IN_PROGRESS):
        check_record(
            actor=cast.ngo_manager, volunteer=volunteer, kind=CheckKind.SCREENING, status=step
        )
    check_record(
        actor=cast.ngo_manager,
        volunteer=volunteer,
        kind=CheckKind.SCREENING,
        status=CheckStatus.PASSED,
        valid_until=screening_until,
    )


def test_a_newcomer_finds_the_hospital_completes_the_steps_and_then_may_take_a_request(
    cast: Cast, hospital: object, client: Client
) -> None:
    newcomer = f.VolunteerFactory(user=f.UserFactory(username="newcomer"), gender=Gender.MALE)
    role_assign(actor=None, user=newcomer.user, role=Role.VOLUNTEER)

    page = client.get("/find/?lat=55.79&lon=37.69&kind=military_hospital").content.decode()
    assert "Военный госпиталь №1" in page

    today = timezone.localdate()
    assert [m.code for m in missing_steps(volunteer=newcomer, institution=hospital, on=today)] == [
        "ngo_agreement",
        "identity",
        "agreement",
        "training",
        "medical",
        "screening",
    ]
    service = ServiceType.objects.get(code="leisure.reading")
    request = request_create(
        actor=cast.relative,
        service_type=service,
        institution=hospital,
        veteran=cast.veteran_a,
        channel="web",
    )
    request_triage(actor=cast.coord_a, request=request)
    with translation.override("en"), pytest.raises(ApplicationError) as refused:
        request_claim(actor=newcomer.user, request=request)
    assert "Security screening is needed" in refused.value.message
    assert "Join an NGO" in refused.value.message

    membership = membership_request(actor=newcomer.user, organisation=cast.ngo_a)
    with pytest.raises(PermissionDeniedError):
        membership_decide(actor=cast.coord_b, membership=membership, approve=True)
    membership_decide(actor=cast.ngo_manager, membership=membership, approve=True)
    with pytest.raises(ConflictError):
        membership_decide(actor=cast.ngo_manager, membership=membership, approve=False)
    _record_all(cast, newcomer, screening_until=today + datetime.timedelta(days=365))

    assert missing_steps(volunteer=newcomer, institution=hospital, on=today) == []
    claimed = request_claim(actor=newcomer.user, request=request)
    assert claimed.volunteer == newcomer and claimed.organisation == cast.ngo_a


def test_an_expired_screening_blocks_new_assignments_at_once(cast: Cast, hospital: object) -> None:
    volunteer = cast.volunteer_a
    today = timezone.localdate()
    _record_all(cast, volunteer, screening_until=today + datetime.timedelta(days=10))
    service = ServiceType.objects.get(code="leisure.conversation")
    request = request_create(
        actor=cast.relative,
        service_type=service,
        institution=hospital,
        veteran=cast.veteran_a,
        channel="web",
    )
    request_triage(actor=cast.coord_a, request=request)

    with time_machine.travel(timezone.now() + datetime.timedelta(days=11)):
        with pytest.raises(ApplicationError, match="Security screening has expired"):
            request_assign(actor=cast.coord_a, request=request, volunteer=volunteer)
        with pytest.raises(ApplicationError, match="Security screening has expired"):
            request_claim(actor=cast.volunteer_user, request=request)
    assigned = request_assign(actor=cast.coord_a, request=request, volunteer=volunteer)
    assert assigned.volunteer == volunteer  # still valid today


def test_only_the_volunteers_ngo_or_an_agreed_institution_records_checks(
    cast: Cast, hospital: object
) -> None:
    with pytest.raises(PermissionDeniedError):
        check_record(
            actor=cast.coord_b,
            volunteer=cast.volunteer_a,
            kind=CheckKind.IDENTITY,
            status=CheckStatus.PASSED,
        )
    with pytest.raises(PermissionDeniedError):  # a member of region B's NGO only
        check_record(
            actor=cast.ngo_manager,
            volunteer=cast.volunteer_b,
            kind=CheckKind.IDENTITY,
            status=CheckStatus.PASSED,
        )
    with pytest.raises(ApplicationError, match="needs its expiry date"):
        check_record(
            actor=cast.ngo_manager,
            volunteer=cast.volunteer_a,
            kind=CheckKind.SCREENING,
            status=CheckStatus.PASSED,
        )
