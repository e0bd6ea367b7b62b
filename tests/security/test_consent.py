"""Consent given and withdrawn by the veteran or a relative with authority, on the pages and
in the API; withdrawal works end to end: no new requests, unaccepted ones cancelled."""

from __future__ import annotations

import pytest
from django.test import Client

from ryadom.care.models import Status
from ryadom.care.services.coordination import request_assign
from ryadom.core.errors import ApplicationError
from ryadom.veterans.models import Consent, ConsentPurpose
from tests.conftest import Cast
from tests.security.privacy_helpers import as_user, ask

pytestmark = pytest.mark.django_db


def _care_consent(c: Cast) -> Consent:
    return Consent.objects.get(
        veteran=c.veteran_a, purpose=ConsentPurpose.CARE, withdrawn_at__isnull=True
    )


def test_the_veteran_gives_consent_on_the_page_with_purpose_and_date(
    cast: Cast, client: Client
) -> None:
    as_user(client, cast.veteran_user)
    page = client.get("/my/consents/").content.decode()
    assert "Arranging social and household help" in page
    response = client.post(
        "/my/consents/give/", {"veteran": cast.veteran_a.pk, "purpose": "care"}, follow=True
    )
    assert "Your consent is recorded." in response.content.decode()
    consent = Consent.objects.get(veteran=cast.veteran_a, purpose="care")
    assert consent.given_by == cast.veteran_user and consent.given_at is not None
    assert consent.withdrawn_at is None


def test_withdrawal_blocks_new_requests_with_a_clear_message(
    care_cast: Cast, client: Client
) -> None:
    as_user(client, care_cast.veteran_user)
    response = client.post(f"/my/consents/{_care_consent(care_cast).pk}/withdraw/", follow=True)
    assert "new requests will not be accepted" in response.content.decode()
    with pytest.raises(ApplicationError, match="no valid consent of this veteran"):
        ask(care_cast)
    # And through the API, as a field error.
    response = client.post(
        "/api/v1/requests",
        {
            "service": "laundry.wash",
            "institution": care_cast.institution_a.pk,
            "veteran": care_cast.veteran_a.pk,
        },
        content_type="application/json",
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "veteran"
    assert "no valid consent" in response.json()["detail"]


def test_withdrawal_cancels_waiting_requests_keeps_accepted_ones_and_wipes_the_rest(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    c.veteran_a.phone, c.veteran_a.what_matters = "+79161234567", "Любит крепкий чай"
    c.veteran_a.mobility_needs = "Коляска"
    c.veteran_a.save()
    waiting = ask(c)
    accepted = ask(c)
    request_assign(actor=c.coord_a, request=accepted, volunteer=c.volunteer_a)

    as_user(client, c.relative)  # a relative with authority may withdraw too
    assert client.post(f"/my/consents/{_care_consent(c).pk}/withdraw/").status_code == 302

    waiting.refresh_from_db()
    accepted.refresh_from_db()
    c.veteran_a.refresh_from_db()
    assert waiting.status == Status.CANCELLED
    assert accepted.status == Status.ASSIGNED  # the helper is on the way: delivered
    assert c.veteran_a.phone == c.veteran_a.what_matters == ""
    assert c.veteran_a.mobility_needs == "Коляска"  # the minimum to deliver it


def test_giving_consent_again_lets_requests_in(care_cast: Cast, client: Client) -> None:
    as_user(client, care_cast.veteran_user)
    client.post(f"/my/consents/{_care_consent(care_cast).pk}/withdraw/")
    client.post("/my/consents/give/", {"veteran": care_cast.veteran_a.pk, "purpose": "care"})
    assert ask(care_cast).status == Status.NEW


def test_consent_api_lists_gives_and_withdraws(cast: Cast, client: Client) -> None:
    as_user(client, cast.veteran_user)
    url = f"/api/v1/veterans/{cast.veteran_a.pk}/consents"
    created = client.post(url, {"purpose": "contact"}, content_type="application/json")
    assert created.status_code == 201
    assert created.json()["active"] is True
    again = client.post(url, {"purpose": "contact"}, content_type="application/json")
    assert again.status_code == 409
    withdrawn = client.post(f"/api/v1/consents/{created.json()['id']}/withdraw")
    assert withdrawn.status_code == 200 and withdrawn.json()["withdrawn_at"]
    assert [c["active"] for c in client.get(url).json()] == [False]
    # The coordinator in scope reads the record; an outsider does not learn it exists.
    assert as_user(client, cast.coord_a).get(url).status_code == 200
    assert as_user(client, cast.coord_b).get(url).status_code == 404


def test_only_the_veteran_or_a_relative_with_authority_gives_or_withdraws(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    consent = _care_consent(c)
    for user in (c.coord_a, c.liaison, c.volunteer_user, c.stranger):
        as_user(client, user)
        url = f"/api/v1/veterans/{c.veteran_a.pk}/consents"
        assert (
            client.post(url, {"purpose": "contact"}, content_type="application/json").status_code
            == 404
        )
        assert client.post(f"/api/v1/consents/{consent.pk}/withdraw").status_code == 404
        assert client.post(f"/my/consents/{consent.pk}/withdraw/").status_code == 404
    proxy = c.veteran_a.proxies.get()
    proxy.may_act = False
    proxy.save()
    as_user(client, c.relative)
    assert client.post(f"/my/consents/{consent.pk}/withdraw/").status_code == 404
    consent.refresh_from_db()
    assert consent.withdrawn_at is None


def test_a_relatives_authority_withdrawn_stops_them_asking(care_cast: Cast) -> None:
    c = care_cast
    proxy_consent = Consent.objects.get(veteran=c.veteran_a, purpose=ConsentPurpose.PROXY)
    from ryadom.veterans.consent import consent_withdraw

    consent_withdraw(actor=c.veteran_user, consent=proxy_consent)
    with pytest.raises(ApplicationError, match="only with the veteran's recorded consent"):
        ask(c, actor=c.relative)
    assert ask(c, actor=c.veteran_user).status == Status.NEW
