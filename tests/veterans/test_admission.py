"""Admission on the ward: duplicates caught, consent by code and by witness, transfer and
discharge through the services, so requests follow."""

from __future__ import annotations

import datetime
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.models import AuditEvent
from ryadom.care.models import CareRequest, Status
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.institutions.models import Department
from ryadom.notifications.models import Message
from ryadom.veterans.claims import admission_claim
from ryadom.veterans.models import Consent, ConsentMethod, ConsentPurpose, Stay, Veteran
from ryadom.veterans.services import Admission, admission_register, consent_confirm_by_code
from ryadom.veterans.stays import stay_discharge, stay_transfer
from tests import factories as f
from tests.conftest import Cast, make_ready_for_care

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n% signed consent form\n"


def ward(c: Cast) -> Department:
    return f.DepartmentFactory(institution=c.institution_a, name="Хирургия")


def admit(c: Cast, *, actor: User | None = None, **kwargs: object) -> Admission:
    values: dict[str, object] = {
        "addressed_as": "Иван Петрович",
        "gender": "m",
        "institution": c.institution_a,
        "admitted_on": timezone.localdate(),
        "consent": "code",
        "phone": "+7 900 111-22-33",
    }
    values.update(kwargs)
    return admission_register(actor=actor or c.liaison, **values)  # type: ignore[arg-type]


def consent_code(phone: str = "+79001112233") -> str:
    message = Message.objects.filter(kind="consent_code", address=phone).latest("pk")
    found = re.search(r"\b(\d{6})\b", message.body)
    assert found is not None
    return found.group(1)


def test_an_admission_creates_the_veteran_the_stay_and_sends_a_consent_code(cast: Cast) -> None:
    done = admit(cast, department=ward(cast))
    assert done.veteran.addressed_as == "Иван Петрович"
    assert done.stay.institution == cast.institution_a
    assert done.stay.department is not None
    assert done.code_sent_to == "+79001112233"
    assert re.fullmatch(r"[A-Z2-9]{4}-[A-Z2-9]{4}", done.claim_code)
    assert not Consent.objects.filter(veteran=done.veteran).exists()
    assert AuditEvent.objects.filter(action="veteran.admitted", veteran_id=done.veteran.pk)


def test_the_veteran_confirms_consent_by_the_code_and_gets_their_own_account(cast: Cast) -> None:
    done = admit(cast)
    consent = consent_confirm_by_code(actor=cast.liaison, veteran=done.veteran, code=consent_code())
    assert consent.purpose == ConsentPurpose.CARE
    assert consent.method == ConsentMethod.CODE
    assert consent.recorded_by == cast.liaison
    done.veteran.refresh_from_db()
    assert consent.given_by == done.veteran.user
    assert done.veteran.user is not None and done.veteran.user.is_active
    assert scope_of(done.veteran.user).has(Role.VETERAN)


def test_a_wrong_consent_code_records_nothing(cast: Cast) -> None:
    done = admit(cast)
    right = consent_code()
    wrong = "000000" if right != "000000" else "111111"
    with pytest.raises(ApplicationError, match="Wrong code"):
        consent_confirm_by_code(actor=cast.liaison, veteran=done.veteran, code=wrong)
    assert not Consent.objects.filter(veteran=done.veteran).exists()


def test_consent_before_a_witness_keeps_the_witness_and_the_scan(cast: Cast) -> None:
    scan = SimpleUploadedFile("form.pdf", PDF, content_type="application/pdf")
    done = admit(cast, phone="", consent="witness", witness="Медсестра Смирнова", scan=scan)
    consent = Consent.objects.get(veteran=done.veteran)
    assert consent.method == ConsentMethod.WITNESS
    assert consent.witnessed_by == "Медсестра Смирнова"
    assert consent.given_by is None
    assert consent.form_scan.read() == PDF


def test_consent_before_a_witness_needs_the_witness_and_a_real_scan(cast: Cast) -> None:
    with pytest.raises(ApplicationError) as refused:
        admit(cast, phone="", consent="witness")
    assert set(refused.value.errors) == {"witness", "scan"}  # type: ignore[attr-defined]
    fake = SimpleUploadedFile("form.pdf", b"not a pdf", content_type="application/pdf")
    with pytest.raises(ApplicationError, match="Only photos"):
        admit(cast, phone="", consent="witness", witness="Смирнова", scan=fake)
    assert not Veteran.objects.filter(addressed_as="Иван Петрович").exists()


def test_the_same_phone_admitted_twice_is_refused_while_in_treatment(cast: Cast) -> None:
    admit(cast)
    with pytest.raises(ConflictError, match="already in treatment") as refused:
        admit(cast, addressed_as="Ваня", institution=cast.institution_a)
    assert refused.value.field == "phone"
    assert Veteran.objects.filter(phone="+79001112233").count() == 1


def test_a_second_admission_after_discharge_reuses_the_record(cast: Cast) -> None:
    first = admit(cast, admitted_on=timezone.localdate() - datetime.timedelta(days=5))
    stay_discharge(
        actor=cast.liaison,
        veteran=first.veteran,
        on=timezone.localdate() - datetime.timedelta(days=2),
    )
    again = admit(cast)
    assert again.veteran.pk == first.veteran.pk
    assert Stay.objects.filter(veteran=first.veteran).count() == 2


def test_the_same_name_on_the_same_ward_needs_a_tick_for_a_different_person(cast: Cast) -> None:
    admit(
        cast, phone="", consent="witness", witness="Смирнова", scan=SimpleUploadedFile("a.pdf", PDF)
    )
    with pytest.raises(ConflictError, match="different person"):
        admit(
            cast,
            phone="",
            consent="witness",
            witness="Смирнова",
            scan=SimpleUploadedFile("b.pdf", PDF),
        )
    other = admit(
        cast,
        phone="",
        consent="witness",
        witness="Смирнова",
        scan=SimpleUploadedFile("c.pdf", PDF),
        different_person=True,
    )
    assert Veteran.objects.filter(addressed_as="Иван Петрович").count() == 2
    assert other.veteran.pk


def test_only_staff_of_the_institution_or_region_admit(cast: Cast) -> None:
    for outsider in (cast.coord_b, cast.volunteer_user, cast.relative, cast.stranger):
        with pytest.raises(PermissionDeniedError):
            admit(cast, actor=outsider)
    assert admit(cast, actor=cast.coord_a).veteran.pk


def test_the_veteran_claims_the_admission_with_the_slip_code(cast: Cast) -> None:
    scan = SimpleUploadedFile("form.pdf", PDF)
    done = admit(cast, phone="", consent="witness", witness="Смирнова", scan=scan)
    person = f.UserFactory()
    with pytest.raises(ApplicationError, match="does not match"):
        admission_claim(actor=person, code="AAAA-BBBB")
    veteran = admission_claim(actor=person, code=done.claim_code.lower().replace("-", " "))
    assert veteran.user == person
    assert scope_of(User.objects.get(pk=person.pk)).has(Role.VETERAN)
    with pytest.raises(ApplicationError):
        admission_claim(actor=f.UserFactory(), code=done.claim_code)  # used once only


def test_a_transfer_to_another_region_moves_open_requests(cast: Cast) -> None:
    make_ready_for_care(cast)
    # Not an "after discharge" service: those wait for the discharge plan (aftercare).
    service = ServiceType.objects.filter(is_active=True).exclude(category="after_discharge").first()
    assert service is not None
    request = request_create(
        actor=cast.veteran_user,
        service_type=service,
        institution=cast.institution_a,
        veteran=cast.veteran_a,
        channel="web",
    )
    with pytest.raises(PermissionDeniedError):
        stay_transfer(
            actor=cast.coord_b,
            veteran=cast.veteran_a,
            institution=cast.institution_b,
            on=timezone.localdate(),
        )
    stay_transfer(
        actor=cast.liaison,
        veteran=cast.veteran_a,
        institution=cast.institution_b,
        on=timezone.localdate(),
    )
    request.refresh_from_db()
    assert request.institution == cast.institution_b
    assert request.coordinator == cast.coord_b


def test_a_discharge_cancels_requests_not_yet_under_way(cast: Cast) -> None:
    make_ready_for_care(cast)
    # Not an "after discharge" service: those wait for the discharge plan (aftercare).
    service = ServiceType.objects.filter(is_active=True).exclude(category="after_discharge").first()
    assert service is not None
    request = request_create(
        actor=cast.veteran_user,
        service_type=service,
        institution=cast.institution_a,
        veteran=cast.veteran_a,
        channel="web",
    )
    stay_discharge(actor=cast.liaison, veteran=cast.veteran_a, on=timezone.localdate())
    assert CareRequest.objects.get(pk=request.pk).status == Status.CANCELLED
    with pytest.raises(Exception):  # noqa: B017 - no current stay: not the liaison's any more
        stay_discharge(actor=cast.liaison, veteran=cast.veteran_a, on=timezone.localdate())
