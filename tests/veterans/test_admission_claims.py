"""A veteran who signed up without the slip's code asks the ward staff to link them: they
name the hospital and themself; the hospital's liaison (or the region's coordinator)
confirms the match or refuses it. Until confirmed, nothing personal is shown."""

from __future__ import annotations

import pytest
from django.test import Client

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.models import AuditEvent
from ryadom.core.errors import ApplicationError, PermissionDeniedError
from ryadom.institutions.models import Institution
from ryadom.notifications.models import Message
from ryadom.veterans.claims import admission_claim_confirm, admission_claim_refuse
from ryadom.veterans.models import AdmissionClaim, ClaimStatus, Veteran
from ryadom.veterans.selectors import veterans_acting_for
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

RECORD_NAME = "Пётр Ильич Сомов"


def _patient(institution: Institution) -> Veteran:
    """A patient in treatment without an account, under the name the ward wrote down."""
    veteran = f.VeteranFactory(addressed_as=RECORD_NAME, what_matters="Любит шахматы")
    f.StayFactory(veteran=veteran, institution=institution)
    return veteran


def _signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _ask(person: User, institution: Institution, name: str = "пётр ильич  сомов") -> Client:
    client = _signed_in(person)
    response = client.post("/my/claim/ask/", {"institution": institution.pk, "name": name})
    assert response.status_code == 302, response.content.decode()[:3000]
    assert response["Location"] == "/my/claim/"
    return client


def _en(client: Client, path: str) -> str:
    return client.get(path, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_liaison_confirms_and_the_account_becomes_the_patients_own(cast: Cast) -> None:
    veteran = _patient(cast.institution_a)
    person = f.UserFactory(email="petr@example.org")
    claimant = _ask(person, cast.institution_a)
    claim = AdmissionClaim.objects.get(user=person)

    liaison = _signed_in(cast.liaison)
    assert 'href="/admissions/claims/"' in _en(liaison, "/")  # in the menu
    assert "1 patient asks to be linked" in _en(liaison, "/queue/")
    page = _en(liaison, "/admissions/claims/")
    assert "пётр ильич сомов" in page and "petr@example.org" in page
    # The one patient of that name is offered first.
    assert f'<option value="{veteran.pk}" selected>{RECORD_NAME}</option>' in page

    response = liaison.post(
        f"/admissions/claims/{claim.pk}/confirm/", {f"claim-{claim.pk}-veteran": veteran.pk}
    )
    assert response.status_code == 302

    veteran.refresh_from_db()
    claim.refresh_from_db()
    assert veteran.user_id == person.pk
    assert (claim.status, claim.veteran_id, claim.decided_by_id) == (
        ClaimStatus.CONFIRMED,
        veteran.pk,
        cast.liaison.pk,
    )
    assert scope_of(User.objects.get(pk=person.pk)).has(Role.VETERAN)
    [decided] = AuditEvent.objects.filter(action="admission_claim.confirmed")
    assert (decided.actor_id, decided.veteran_id) == (cast.liaison.pk, veteran.pk)
    assert decided.region_id == cast.institution_a.region_id
    # Linked exactly as with the slip's code.
    [linked] = AuditEvent.objects.filter(action="veteran.claimed", veteran_id=veteran.pk)
    assert linked.actor_id == cast.liaison.pk
    [message] = Message.objects.filter(recipient=person, kind="claim_confirmed")
    assert "/ask/" in message.body
    assert "Nobody is waiting" in _en(liaison, "/admissions/claims/")
    assert RECORD_NAME in _en(claimant, "/ask/")


def test_the_coordinator_refuses_and_the_claimant_is_told_plainly(cast: Cast) -> None:
    veteran = _patient(cast.institution_a)
    person = f.UserFactory(email="stranger-two@example.org")
    claimant = _ask(person, cast.institution_a, name="Сомов")
    claim = AdmissionClaim.objects.get(user=person)

    coordinator = _signed_in(cast.coord_a)
    assert "Сомов" in _en(coordinator, "/admissions/claims/")
    response = coordinator.post(f"/admissions/claims/{claim.pk}/refuse/")
    assert response.status_code == 302

    claim.refresh_from_db()
    veteran.refresh_from_db()
    assert claim.status == ClaimStatus.REFUSED and claim.veteran_id is None
    assert veteran.user_id is None
    [refused] = AuditEvent.objects.filter(action="admission_claim.refused")
    assert (refused.actor_id, refused.target_id) == (cast.coord_a.pk, str(claim.pk))
    [message] = Message.objects.filter(recipient=person, kind="claim_refused")
    assert "/my/claim/" in message.body
    page = _en(claimant, "/my/claim/")
    assert "Not matched" in page
    assert "could not match you to a patient of theirs" in page
    assert RECORD_NAME not in page
    # They may ask again, e.g. with the name the ward knows.
    _ask(person, cast.institution_a)


def test_until_confirmed_the_claimant_sees_nothing_personal(cast: Cast) -> None:
    veteran = _patient(cast.institution_a)
    person = f.UserFactory(email="petr@example.org")
    claimant = _ask(person, cast.institution_a)

    assert not veterans_acting_for(actor=User.objects.get(pk=person.pk)).exists()
    assert not scope_of(User.objects.get(pk=person.pk)).roles
    assert "Waiting for the ward staff" in _en(claimant, "/my/claim/")
    for path in ("/my/claim/", "/ask/", "/my/", "/my/consents/", "/my/data/", "/my/relatives/"):
        page = claimant.get(path).content.decode()
        assert RECORD_NAME not in page and "шахматы" not in page, path
    assert claimant.get(f"/veterans/{veteran.pk}/").status_code == 404
    assert claimant.get(f"/api/v1/veterans/{veteran.pk}").status_code == 404
    assert claimant.get("/admissions/claims/").status_code == 403
    # Asking twice waits for the same answer.
    response = claimant.post(
        "/my/claim/ask/",
        {"institution": cast.institution_a.pk, "name": "Пётр"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 400
    assert "already asked" in response.content.decode()
    assert AdmissionClaim.objects.filter(user=person).count() == 1


def test_a_liaison_of_another_hospital_neither_sees_nor_decides_the_claim(cast: Cast) -> None:
    veteran = _patient(cast.institution_b)
    person = f.UserFactory(email="petr@example.org")
    _ask(person, cast.institution_b)
    claim = AdmissionClaim.objects.get(user=person)

    liaison = _signed_in(cast.liaison)  # of institution A
    page = _en(liaison, "/admissions/claims/")
    assert "пётр ильич" not in page and "Nobody is waiting" in page
    assert "patient asks to be linked" not in _en(liaison, "/queue/")
    confirm = liaison.post(
        f"/admissions/claims/{claim.pk}/confirm/", {f"claim-{claim.pk}-veteran": veteran.pk}
    )
    refuse = liaison.post(f"/admissions/claims/{claim.pk}/refuse/")
    assert (confirm.status_code, refuse.status_code) == (404, 404)

    claim.refresh_from_db()
    veteran.refresh_from_db()
    assert claim.status == ClaimStatus.ASKED and veteran.user_id is None
    assert not AuditEvent.objects.filter(action__startswith="admission_claim.", actor=cast.liaison)


def test_only_a_patient_in_treatment_there_without_an_account_can_be_chosen(cast: Cast) -> None:
    elsewhere = _patient(cast.institution_b)
    person = f.UserFactory(email="petr@example.org")
    _ask(person, cast.institution_a)
    claim = AdmissionClaim.objects.get(user=person)

    coordinator = _signed_in(cast.federal)
    for veteran in (elsewhere, cast.veteran_a):  # another hospital's; one with an account
        response = coordinator.post(
            f"/admissions/claims/{claim.pk}/confirm/",
            {f"claim-{claim.pk}-veteran": veteran.pk},
            HTTP_ACCEPT_LANGUAGE="en",
        )
        assert response.status_code == 400
        assert "Select a valid choice" in response.content.decode()
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ASKED
    assert not Veteran.objects.filter(user=person).exists()


def test_the_service_itself_refuses_a_patient_of_another_hospital(cast: Cast) -> None:
    elsewhere = _patient(cast.institution_b)
    claim = AdmissionClaim.objects.create(
        user=f.UserFactory(), institution=cast.institution_a, name=RECORD_NAME
    )
    with pytest.raises(ApplicationError, match="in treatment here"):
        admission_claim_confirm(actor=cast.federal, claim=claim, veteran=elsewhere)
    with pytest.raises(PermissionDeniedError):
        admission_claim_refuse(actor=cast.coord_b, claim=claim)  # of another region
    claim.refresh_from_db()
    assert claim.status == ClaimStatus.ASKED
