"""A regular partner's staff with an account: they see and answer only the referrals to their
own services, exactly as the signed link answers; every read is in the audit log; a withdrawn
consent hides the veteran; anyone else is turned away."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client
from django.utils import translation

from ryadom.accounts.models import User
from ryadom.audit.models import AuditEvent
from ryadom.core.errors import ConflictError, PermissionDeniedError
from ryadom.notifications.models import Message
from ryadom.privacy.selectors import access_log_for_veteran
from ryadom.referrals.models import PartnerKind, PartnerMember, PartnerService, Referral, Status
from ryadom.referrals.selectors import partner_referral_get
from ryadom.referrals.services import (
    partner_create,
    partner_member_add,
    partner_member_remove,
    referral_move,
)
from ryadom.veterans.consent import consent_withdraw
from ryadom.veterans.models import Consent, ConsentPurpose, Veteran
from tests import factories as f
from tests.conftest import Cast
from tests.referrals.conftest import partner_link, refer

pytestmark = pytest.mark.django_db


@pytest.fixture
def member(cast: Cast, partner: PartnerService) -> User:
    """Ольга from the employment centre, added by the Moscow coordinator."""
    user = f.UserFactory(username="olga-czn", first_name="Ольга", last_name="Сидорова")
    partner_member_add(actor=cast.coord_a, user=user, partner=partner)
    return user


@pytest.fixture
def college(cast: Cast) -> PartnerService:
    return partner_create(
        actor=cast.coord_a,
        name="Колледж сервиса",
        kind=PartnerKind.EDUCATION,
        region=f.region("77"),
    )


def _as(user: User) -> Client:
    client = Client(headers={"Accept-Language": "en"})
    client.force_login(user)
    return client


def _page(referral: Referral) -> str:
    return f"/partner/referrals/{referral.pk}/"


def _api(referral: Referral) -> str:
    return f"/api/v1/partner/referrals/{referral.pk}"


def _post_json(client: Client, path: str, body: dict[str, Any]) -> Any:
    return client.post(path, body, content_type="application/json")


def test_a_member_sees_and_answers_only_the_referrals_to_their_own_service(
    cast: Cast, partner: PartnerService, college: PartnerService, consented: Veteran, member: User
) -> None:
    ours = refer(cast, consented, partner, share_phone=True)
    theirs = refer(cast, consented, college, need="study")
    client = _as(member)

    listing = client.get("/partner/")
    assert listing.status_code == 200
    text = listing.content.decode()
    assert _page(ours) in text and _page(theirs) not in text
    assert consented.addressed_as in text
    # Another partner's referral does not exist for them, to read or to answer.
    assert client.get(_page(theirs)).status_code == 404
    assert client.post(_page(theirs), {"action": "accept"}).status_code == 404
    assert client.get(_api(theirs)).status_code == 404
    assert _post_json(client, f"{_api(theirs)}/moves", {"action": "accept"}).status_code == 404
    api_list = client.get("/api/v1/partner/referrals").json()
    assert [r["id"] for r in api_list] == [ours.pk]
    assert api_list[0]["veteran_name"] == consented.addressed_as
    assert api_list[0]["veteran_phone"] == "+79001112233"

    page = client.get(_page(ours)).content.decode()
    assert consented.addressed_as in page and "+79001112233" in page
    assert "Водитель, ищет работу" in page
    assert 'name="action" value="accept"' in page and 'value="cancel"' not in page
    assert client.post(_page(ours), {"action": "accept"}).status_code == 302
    # The same form as the link's: finishing needs the outcome.
    refused = client.post(_page(ours), {"action": "finish"})
    assert refused.status_code == 422 and "Choose the outcome" in refused.content.decode()
    # Cancelling is the coordinator's.
    assert client.post(_page(ours), {"action": "cancel"}).status_code == 403
    done = _post_json(client, f"{_api(ours)}/moves", {"action": "finish", "outcome": "employed"})
    assert done.status_code == 200, done.content
    assert (done.json()["status"], done.json()["outcome"]) == ("done", "employed")

    theirs.refresh_from_db()
    ours.refresh_from_db()
    assert theirs.status == Status.SENT
    assert (ours.status, ours.outcome) == (Status.DONE, "employed")
    assert [(e.action, e.actor) for e in ours.events.all()] == [
        ("create", cast.coord_a),
        ("accept", member),
        ("finish", member),
    ]
    answers = AuditEvent.objects.filter(action__in=["referral.accept", "referral.finish"])
    assert {(e.actor_id, e.changes["via"]) for e in answers} == {(member.pk, "partner account")}
    # Each read of the referral is a view in the audit log, by the member, of the veteran.
    views = AuditEvent.objects.filter(action="referral.viewed", actor=member)
    assert views.filter(target_id=str(ours.pk), veteran_id=consented.pk).count() >= 2
    assert views.filter(changes__via="partner account").exists()
    # The veteran's access log says who opened and answered it, and for which service.
    log = {(e.who, e.role, e.what) for e in access_log_for_veteran(veteran=consented)}
    staff = "Staff of Центр занятости населения ЦАО"
    assert ("Ольга Сидорова", staff, "Opened your referral to a partner service") in log
    assert ("Ольга Сидорова", staff, "Accepted your referral to a partner service") in log
    # The coordinator sees who answered.
    detail = _as(cast.coord_a).get(f"/referrals/{ours.pk}/").content.decode()
    assert "Сидорова" in detail


def test_anyone_who_works_for_no_partner_is_turned_away(
    cast: Cast, partner: PartnerService, consented: Veteran, member: User
) -> None:
    referral = refer(cast, consented, partner)
    for outsider in (cast.stranger, cast.coord_a, cast.federal, cast.volunteer_user):
        client = _as(outsider)
        assert client.get("/partner/").status_code == 403
        assert client.get(_page(referral)).status_code == 403
        assert client.post(_page(referral), {"action": "accept"}).status_code == 403
        assert client.get("/api/v1/partner/referrals").status_code == 403
        moved = _post_json(client, f"{_api(referral)}/moves", {"action": "accept"})
        assert moved.status_code == 403
    assert Client().get("/partner/").status_code == 302  # to sign in
    assert Client().get("/api/v1/partner/referrals").status_code == 401

    # Taken away: at once, and the page says nothing of the referral any more.
    membership = PartnerMember.objects.get(user=member)
    partner_member_remove(actor=cast.coord_a, member=membership)
    assert _as(member).get(_page(referral)).status_code == 403
    referral.refresh_from_db()
    assert referral.status == Status.SENT


def test_only_the_partners_region_coordinator_or_a_federal_one_adds_staff_with_an_audit_row(
    cast: Cast, partner: PartnerService
) -> None:
    user = f.UserFactory()
    for refused in (cast.coord_b, cast.liaison, cast.ngo_manager, cast.stranger):
        with pytest.raises(PermissionDeniedError):
            partner_member_add(actor=refused, user=user, partner=partner)
    member = partner_member_add(actor=cast.federal, user=user, partner=partner)
    with pytest.raises(ConflictError):
        partner_member_add(actor=cast.coord_a, user=user, partner=partner)
    partner_member_remove(actor=cast.coord_a, member=member)
    again = partner_member_add(actor=cast.coord_a, user=user, partner=partner)
    assert again.pk == member.pk and again.is_active and again.added_by == cast.coord_a
    assert list(
        AuditEvent.objects.filter(action__startswith="partner_member.")
        .order_by("pk")
        .values_list("action", "actor_id")
    ) == [
        ("partner_member.added", cast.federal.pk),
        ("partner_member.removed", cast.coord_a.pk),
        ("partner_member.added", cast.coord_a.pk),
    ]


def test_the_account_and_the_link_answer_the_same_referral_one_wins_the_other_is_told(
    cast: Cast, partner: PartnerService, consented: Veteran, member: User
) -> None:
    referral = refer(cast, consented, partner)
    link = partner_link(referral)
    # The member opened the referral (read "sent"); meanwhile the link accepted it.
    seen = partner_referral_get(actor=member, referral_id=referral.pk)
    assert Client().post(link, {"action": "accept"}).status_code == 302
    with (
        translation.override("en"),
        pytest.raises(ConflictError, match="Someone else answered this referral a moment ago"),
    ):
        referral_move(actor=member, referral=seen, action="decline", note="Нет мест")
    # Over the API and on the page, the later answer is refused the same way.
    client = _as(member)
    late = _post_json(client, f"{_api(referral)}/moves", {"action": "decline", "note": "Нет"})
    assert late.status_code == 409 and "“Accepted”" in late.json()["detail"]
    page = client.post(_page(referral), {"action": "decline", "note": "Нет мест"})
    assert page.status_code == 422 and "cannot be done now" in page.content.decode()
    # The other way round: the account answered, the link is told.
    assert _post_json(client, f"{_api(referral)}/moves", {"action": "start"}).status_code == 200
    told = Client(headers={"Accept-Language": "en"}).post(link, {"action": "start"})
    assert told.status_code == 422 and "cannot be done now" in told.content.decode()
    referral.refresh_from_db()
    assert referral.status == Status.IN_PROGRESS
    assert [e.action for e in referral.events.all()] == ["create", "accept", "start"]


def test_a_withdrawn_consent_hides_the_veteran_from_the_partners_staff(
    cast: Cast, partner: PartnerService, consented: Veteran, member: User
) -> None:
    referral = refer(cast, consented, partner, share_phone=True)
    client = _as(member)
    assert consented.addressed_as in client.get(_page(referral)).content.decode()

    consent = Consent.objects.get(veteran=consented, purpose=ConsentPurpose.PARTNER)
    consent_withdraw(actor=cast.veteran_user, consent=consent)

    page = client.get(_page(referral)).content.decode()
    assert consented.addressed_as not in page and "+79001112233" not in page
    assert "Водитель, ищет работу" not in page
    assert 'name="action"' not in page
    listing = client.get("/partner/").content.decode()
    assert consented.addressed_as not in listing
    (row,) = client.get("/api/v1/partner/referrals").json()
    assert (row["status"], row["shared"], row["veteran_name"], row["veteran_phone"]) == (
        "cancelled",
        False,
        None,
        None,
    )
    assert row["note"] is None
    one = client.get(_api(referral)).json()
    assert one["veteran_name"] is None and one["note"] is None


def test_open_referrals_come_first(
    cast: Cast, partner: PartnerService, consented: Veteran, member: User
) -> None:
    first = refer(cast, consented, partner)
    referral_move(actor=None, referral=first, action="decline", note="Нет мест")
    second = refer(cast, cast.veteran_a, partner)  # newer, and still open
    rows = _as(member).get("/api/v1/partner/referrals").json()
    assert [r["id"] for r in rows] == [second.pk, first.pk]


def test_a_member_signs_in_as_staff_do_a_password_and_a_second_factor_never_a_code(
    cast: Cast, member: User, client: Client
) -> None:
    member.email = "olga@czn.example.ru"
    member.save(update_fields=["email"])
    page = client.post("/join/", {"address": member.email}, HTTP_ACCEPT_LANGUAGE="en")
    assert "signs in with a password" in page.content.decode()
    assert not Message.objects.filter(recipient=member).exists()

    password = "correct-horse-battery"  # the factories' password
    signed_in = client.post("/login/", {"username": member.username, "password": password})
    assert signed_in.status_code == 302
    response = client.get("/partner/")
    assert response.status_code == 302
    assert response["Location"] == "/account/2fa/setup/?next=%2Fpartner%2F"
    assert client.get("/api/v1/partner/referrals").status_code == 401
