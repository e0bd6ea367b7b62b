"""The hospital's side of a referral: it posts one, follows the Task as people in Ryadom act
on the request, and reads what was done. Every resource answered is valid FHIR."""

from __future__ import annotations

import datetime

import pytest
from django.test import Client
from django.utils import timezone, translation

from ryadom.audit.models import AuditEvent
from ryadom.care.models import CareRequest, Channel
from ryadom.interop.fhir import codes
from ryadom.privacy.selectors import access_log_for_veteran
from ryadom.veterans.models import Consent, Veteran
from tests import factories as f
from tests.conftest import Cast
from tests.interop.fhir import as_contained, call, hospital_system, referral

pytestmark = pytest.mark.django_db


def _act(client: Client, user: object, path: str, body: dict[str, object] | None = None) -> None:
    client.force_login(user)  # type: ignore[arg-type]
    response = client.post(f"/api/v1/requests/{path}", body or {}, content_type="application/json")
    assert response.status_code == 200, response.content
    client.logout()


def _tomorrow_at_three() -> tuple[str, str]:
    starts = (
        (timezone.now() + datetime.timedelta(days=1))
        .astimezone(datetime.timezone(datetime.timedelta(hours=3)))
        .replace(hour=15, minute=0, second=0, microsecond=0)
    )
    return starts.isoformat(), (starts + datetime.timedelta(hours=1)).isoformat()


def _status(task: dict[str, object]) -> tuple[object, object]:
    business = task["businessStatus"]["coding"][0]["code"]  # type: ignore[index]
    return task["status"], business


def test_a_referral_is_followed_from_received_to_completed_with_its_visit(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    ward = f.DepartmentFactory(institution=c.institution_a, name="Кардиология")
    his = hospital_system(c.institution_a, actor=c.federal)
    status, task = call(client, "POST", "", his, referral(department_id=ward.pk))
    assert status == 201, task
    assert _status(task) == ("received", "new")
    assert task["identifier"][0] == {"system": "urn:oid:1.2.643.5.1.13.99", "value": "REF-1"}
    assert task["owner"]["reference"] == "Organization/region-77"
    assert task["requester"]["identifier"]["value"] == str(c.institution_a.pk)
    rid = int(task["id"])

    # The patient was new: admitted to the ward, with the consent the hospital sent.
    request = CareRequest.objects.get(pk=rid)
    assert request.channel == Channel.HOSPITAL_SYSTEM
    assert request.details == "Почитать вслух газету"
    veteran = request.veteran
    assert veteran is not None
    assert (veteran.addressed_as, veteran.phone, veteran.gender) == (
        "Иван Петрович",
        "+79005550102",
        "m",
    )
    assert veteran.stays.get().department == ward
    assert Consent.objects.get(veteran=veteran).witnessed_by == "Медсестра Петрова О. И."

    status, sr = call(client, "GET", f"ServiceRequest/{rid}", his)
    assert status == 200
    assert sr["code"]["coding"][0] == {
        "system": codes.SERVICE_TYPE_SYSTEM,
        "code": "leisure.reading",
        "display": request.service_type.name_ru,
    }
    assert (sr["status"], sr["priority"], sr["note"]) == (
        "active",
        "routine",
        [{"text": "Почитать вслух газету"}],
    )
    assert sr["locationReference"][0]["identifier"]["value"] == str(ward.pk)

    _act(client, c.coord_a, f"{rid}/triage")
    assert _status(call(client, "GET", f"Task/{rid}", his)[1]) == ("accepted", "triaged")
    _act(client, c.volunteer_user, f"{rid}/claim")
    task = call(client, "GET", f"Task/{rid}", his)[1]
    assert _status(task) == ("accepted", "assigned")
    assert task["owner"] == {"reference": f"Organization/ngo-{c.ngo_a.pk}", "display": c.ngo_a.name}
    starts, ends = _tomorrow_at_three()
    _act(client, c.volunteer_user, f"{rid}/schedule", {"starts": starts, "ends": ends})
    assert _status(call(client, "GET", f"Task/{rid}", his)[1]) == ("accepted", "scheduled")
    _act(client, c.volunteer_user, f"{rid}/check-in")
    task = call(client, "GET", f"Task/{rid}", his)[1]
    assert _status(task) == ("in-progress", "in_progress")
    assert "start" in task["executionPeriod"] and "output" not in task
    _act(client, c.volunteer_user, f"{rid}/complete", {"note": "Прочитали «Вечернюю Москву»"})

    status, task = call(client, "GET", f"Task/{rid}", his)
    assert _status(task) == ("completed", "completed")
    [output] = task["output"]
    assert output["type"]["coding"][0]["code"] == "resulting-activity"
    [procedure] = task["contained"]
    assert output["valueReference"]["reference"] == f"#{procedure['id']}"
    assert procedure["status"] == "completed"
    assert procedure["note"] == [{"text": "Прочитали «Вечернюю Москву»"}]
    assert procedure["code"]["coding"][0]["code"] == "leisure.reading"
    assert set(task["executionPeriod"]) == {"start", "end"}

    status, found = call(client, "GET", "Task?status=completed", his)
    assert [e["resource"]["id"] for e in found["entry"]] == [str(rid)]
    # Each call is in the audit log, reads under the veteran whose data they carry.
    reads = AuditEvent.objects.filter(action="fhir.task_read", veteran_id=veteran.pk)
    assert reads.count() == 5
    assert AuditEvent.objects.filter(
        action="fhir.referral_received", veteran_id=veteran.pk
    ).exists()
    # ...which the veteran reads in their access log, in their language.
    with translation.override("ru"):
        said = {entry.what for entry in access_log_for_veteran(veteran=veteran)}
    assert "Информационная система вашей больницы передала направление на помощь вам" in said
    assert "Информационная система вашей больницы посмотрела, как идёт заявка для вас" in said


def test_the_same_task_posted_again_is_the_same_referral(care_cast: Cast, client: Client) -> None:
    c = care_cast
    his = hospital_system(c.institution_a, actor=c.federal)
    first = call(client, "POST", "", his, referral())
    again = call(client, "POST", "", his, referral())
    assert (first[0], again[0]) == (201, 200)
    assert again[1]["id"] == first[1]["id"]
    assert CareRequest.objects.count() == 1
    assert Veteran.objects.filter(addressed_as="Иван Петрович").count() == 1
    # As a Task with the rest contained, the same identifier is still the same referral.
    assert call(client, "POST", "Task", his, as_contained(referral()))[1]["id"] == first[1]["id"]

    status, outcome = call(client, "POST", "", his, referral(service="purchases.groceries"))
    assert status == 409
    assert outcome["issue"][0]["code"] == "duplicate"
    assert "REF-1" in outcome["issue"][0]["diagnostics"]
    assert CareRequest.objects.count() == 1


def test_a_task_with_everything_contained_is_a_referral_too(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    his = hospital_system(c.institution_a, actor=c.federal)
    status, task = call(client, "POST", "Task", his, as_contained(referral(identifier="T-9")))
    assert status == 201, task
    assert task["identifier"][0]["value"] == "T-9"
    assert CareRequest.objects.get(pk=int(task["id"])).veteran.addressed_as == "Иван Петрович"  # type: ignore[union-attr]


def test_a_known_patient_is_found_without_a_new_admission_or_consent(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    his = hospital_system(c.institution_a, actor=c.federal)
    first = call(client, "POST", "", his, referral(identifier="A"))[1]
    # The hospital's patient id finds the veteran admitted by the first referral.
    second = call(client, "POST", "", his, referral(identifier="B", consent=False, phone=""))
    assert second[0] == 201, second
    requests = CareRequest.objects.filter(pk__in=[int(first["id"]), int(second[1]["id"])])
    assert len({r.veteran_id for r in requests}) == 1

    # A patient the ward admitted in Ryadom is found by the phone, with the consent given there.
    c.veteran_a2.phone = "+79001112233"
    c.veteran_a2.save()
    status, task = call(
        client,
        "POST",
        "",
        his,
        referral(identifier="C", patient_id="MRN-7", phone="8 (900) 111-22-33", consent=False),
    )
    assert status == 201, task
    assert CareRequest.objects.get(pk=int(task["id"])).veteran == c.veteran_a2


def test_an_unknown_patient_without_consent_is_refused_and_nothing_is_written(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    his = hospital_system(c.institution_a, actor=c.federal)
    status, outcome = call(client, "POST", "", his, referral(consent=False))
    assert status == 422
    assert outcome["issue"][0]["expression"] == ["Consent"]
    assert CareRequest.objects.count() == 0
    assert not Veteran.objects.filter(addressed_as="Иван Петрович").exists()
