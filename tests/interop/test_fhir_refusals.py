"""What /fhir/ refuses, and how: who may call it, and malformed or unsupported input, each
an OperationOutcome with a 4xx that says what and where, with nothing written."""

from __future__ import annotations

import copy

import pytest
from django.test import Client

from ryadom.accounts.services import api_token_issue
from ryadom.audit.models import AuditEvent
from ryadom.care.models import CareRequest
from ryadom.veterans.erasure import veteran_anonymise
from ryadom.veterans.models import Veteran
from tests import factories as f
from tests.conftest import Cast
from tests.interop.fhir import Json, as_contained, call, hospital_system, referral

pytestmark = pytest.mark.django_db


def _issue(answer: tuple[int, Json]) -> tuple[int, str, str]:
    status, outcome = answer
    assert outcome["resourceType"] == "OperationOutcome"
    [issue] = outcome["issue"]
    assert issue["severity"] == "error"
    return status, issue["code"], issue["diagnostics"]


def test_only_an_integration_client_of_the_institution_may_call(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    his = hospital_system(c.institution_a, actor=c.federal)
    task = call(client, "POST", "", his, referral())[1]
    other = hospital_system(c.institution_b, actor=c.federal, name="rostov")
    _token, person = api_token_issue(actor=c.liaison, user=c.liaison, name="mine")

    assert _issue(call(client, "GET", f"Task/{task['id']}"))[:2] == (401, "login")
    assert _issue(call(client, "GET", f"Task/{task['id']}", "rdm_not-a-token"))[0] == 401
    # The liaison's own token is a person's, even at the same institution.
    assert _issue(call(client, "GET", f"Task/{task['id']}", person))[:2] == (403, "security")
    assert _issue(call(client, "POST", "", person, referral(identifier="P")))[0] == 403
    # Another hospital's system neither reads this Task nor finds it, nor posts for us.
    assert _issue(call(client, "GET", f"Task/{task['id']}", other))[:2] == (404, "not-found")
    assert _issue(call(client, "GET", f"ServiceRequest/{task['id']}", other))[0] == 404
    assert call(client, "GET", "Task", other)[1]["total"] == 0
    status, code, text = _issue(
        call(client, "POST", "", other, referral(identifier="X", institution_id=c.institution_a.pk))
    )
    assert (status, code) == (403, "forbidden")
    assert "institution" in text
    assert CareRequest.objects.count() == 1
    # Refusals of a known token are audited too, under the account that tried.
    refused = AuditEvent.objects.filter(action="fhir.task_read", actor=c.liaison)
    assert refused.get().changes["status"] == 403
    assert AuditEvent.objects.filter(action="fhir.task_read", changes__status=404).count() == 1


def test_metadata_and_code_systems_are_open_and_valid(care_cast: Cast, client: Client) -> None:
    status, statement = call(client, "GET", "metadata")
    assert status == 200
    assert statement["fhirVersion"] == "4.0.1"
    [rest] = statement["rest"]
    supported = {r["type"]: [i["code"] for i in r["interaction"]] for r in rest["resource"]}
    assert supported == {
        "Task": ["read", "create", "search-type"],
        "ServiceRequest": ["read"],
        "CodeSystem": ["read"],
    }
    params = {p["name"] for p in rest["resource"][0]["searchParam"]}
    assert params == {"owner", "status", "_lastUpdated", "_count", "_page"}
    status, services = call(client, "GET", "CodeSystem/service-type")
    assert services["url"] == "https://ryadom.example/fhir/CodeSystem/service-type"
    assert "leisure.reading" in {concept["code"] for concept in services["concept"]}
    statuses = call(client, "GET", "CodeSystem/request-status")[1]
    assert [s["code"] for s in statuses["concept"]][:2] == ["new", "triaged"]
    assert _issue(call(client, "GET", "CodeSystem/icd-10"))[0] == 404


def _with(bundle: Json, index: int, **changes: object) -> Json:
    changed = copy.deepcopy(bundle)
    changed["entry"][index]["resource"].update(changes)
    return changed


BAD = [
    # (what, body, status, issue code, words in the diagnostics)
    ("not JSON", b"{not json", 400, "invalid", "not JSON"),
    ("no resourceType", b'{"type": "transaction"}', 400, "invalid", "resourceType"),
    (
        "a Patient posted as the referral",
        b'{"resourceType": "Patient"}',
        400,
        "not-supported",
        "Expected a Bundle",
    ),
    ("a batch", {"resourceType": "Bundle", "type": "batch"}, 400, "not-supported", "transaction"),
    ("an unknown element", _with(referral(), 0, colour="red"), 400, "invalid", "colour"),
    (
        "a malformed date",
        _with(referral(), 0, authoredOn="yesterday"),
        400,
        "invalid",
        "authoredOn",
    ),
    (
        "an Observation in the Bundle",
        {
            **referral(),
            "entry": [
                *referral()["entry"],
                {
                    "fullUrl": "urn:uuid:o",
                    "resource": {
                        "resourceType": "Observation",
                        "status": "final",
                        "code": {"text": "x"},
                    },
                    "request": {"method": "POST", "url": "Observation"},
                },
            ],
        },
        422,
        "not-supported",
        "Observation",
    ),
    (
        "a Task already done",
        _with(referral(), 0, status="completed"),
        422,
        "business-rule",
        "requested",
    ),
    (
        "a service not in our code system",
        referral(service="surgery.heart"),
        422,
        "business-rule",
        "surgery.heart",
    ),
    (
        "a code from another system",
        _with(
            referral(),
            1,
            code={"coding": [{"system": "http://snomed.info/sct", "code": "410606002"}]},
        ),
        422,
        "business-rule",
        "CodeSystem/service-type",
    ),
    ("an unknown priority", _with(referral(), 1, priority="whenever"), 400, "invalid", "priority"),
    (
        "no Task identifier",
        _with(referral(), 0, identifier=[]),
        422,
        "business-rule",
        "Task.identifier",
    ),
    (
        "a focus that is not sent",
        _with(referral(), 0, focus={"reference": "ServiceRequest/77"}),
        422,
        "business-rule",
        "Task.focus",
    ),
    (
        "a time without its offset",
        _with(
            referral(),
            1,
            occurrencePeriod={"start": "2030-01-01T10:00:00", "end": "2030-01-01T12:00:00"},
        ),
        400,
        "invalid",
        "occurrencePeriod",
    ),
    (
        "a consent without the form",
        _with(referral(), 3, sourceAttachment={"contentType": "text/plain", "data": "aGk="}),
        422,
        "business-rule",
        "sourceAttachment",
    ),
]


@pytest.mark.parametrize(("what", "body", "status", "code", "words"), BAD, ids=[b[0] for b in BAD])
def test_malformed_or_unsupported_input_is_refused_with_nothing_written(
    care_cast: Cast,
    client: Client,
    what: str,
    body: Json | bytes,
    status: int,
    code: str,
    words: str,
) -> None:
    his = hospital_system(care_cast.institution_a, actor=care_cast.federal)
    veterans = Veteran.objects.count()
    answer = _issue(call(client, "POST", "", his, body))
    assert answer[:2] == (status, code), answer
    assert words in answer[2]
    assert (CareRequest.objects.count(), Veteran.objects.count()) == (0, veterans)


def test_post_needs_fhir_json_and_the_right_resource_at_each_path(
    care_cast: Cast, client: Client
) -> None:
    his = hospital_system(care_cast.institution_a, actor=care_cast.federal)
    status, code, _text = _issue(call(client, "POST", "Task", his, b"<Task/>", "application/xml"))
    assert (status, code) == (415, "not-supported")
    assert (
        _issue(call(client, "POST", "Task", his, referral()))[2] == "Expected a Task; got a Bundle."
    )
    assert _issue(call(client, "POST", "", his, as_contained(referral())))[0] == 400
    assert _issue(call(client, "POST", "metadata", his, {}))[0] == 405
    assert CareRequest.objects.count() == 0


def test_a_rule_of_intake_is_told_with_where_it_applies(care_cast: Cast, client: Client) -> None:
    c = care_cast
    his = hospital_system(c.institution_a, actor=c.federal)
    past = _with(
        referral(),
        1,
        occurrencePeriod={"start": "2020-01-01T10:00:00+03:00", "end": "2020-01-01T12:00:00+03:00"},
    )
    status, outcome = call(client, "POST", "", his, past)
    assert status == 422
    assert outcome["issue"][0]["diagnostics"] == "The time window is in the past."
    assert outcome["issue"][0]["expression"] == ["ServiceRequest.occurrencePeriod.end"]


def test_a_regional_system_names_the_institution(care_cast: Cast, client: Client) -> None:
    """A region's system stands for all its institutions: it must say which one."""
    c = care_cast
    f.InstitutionFactory(region=c.institution_a.region, name="Госпиталь В")
    key = hospital_system(c.institution_a, actor=c.federal, name="region", regional=True)
    status, code, text = _issue(call(client, "POST", "", key, referral()))
    assert (status, code) == (422, "business-rule") and "Task.requester" in text
    status, task = call(client, "POST", "", key, referral(institution_id=c.institution_a.pk))
    assert status == 201, task


def test_referrals_count_in_the_clients_own_rate_limit(
    care_cast: Cast, client: Client, settings: object
) -> None:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "integration": (2, 3600)}  # type: ignore[attr-defined]
    his = hospital_system(care_cast.institution_a, actor=care_cast.federal)
    assert call(client, "POST", "", his, referral(identifier="1"))[0] == 201
    assert call(client, "POST", "", his, referral(identifier="2", patient_id="MRN-1"))[0] == 201
    status, code, _text = _issue(call(client, "POST", "Task", his, referral(identifier="3")))
    assert (status, code) == (429, "throttled")
    # Reads are not counted: polling goes on.
    assert call(client, "GET", "Task", his)[1]["total"] == 2


def test_an_anonymised_veterans_hospital_identifier_is_forgotten(
    care_cast: Cast, client: Client
) -> None:
    his = hospital_system(care_cast.institution_a, actor=care_cast.federal)
    task = call(client, "POST", "", his, referral())[1]
    assert task["for"]["identifier"]["value"] == "MRN-100"
    veteran = CareRequest.objects.get(pk=int(task["id"])).veteran
    veteran_anonymise(actor=care_cast.federal, veteran=veteran, reason="retention")  # type: ignore[arg-type]
    task = call(client, "GET", f"Task/{task['id']}", his)[1]
    assert task["for"] == {"display": "anonymised"}
    assert "MRN-100" not in str(call(client, "GET", f"ServiceRequest/{task['id']}", his)[1])
