"""A referral's loop: sent with a link, answered by the partner on its page, the outcome
reported; the table's rules; a stale answer loses the compare-and-set."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ryadom.audit.models import AuditEvent
from ryadom.core.errors import ApplicationError, ConflictError, NotFoundError, PermissionDeniedError
from ryadom.notifications.models import Message
from ryadom.referrals.models import PartnerService, Referral, Status
from ryadom.referrals.selectors import loop_closure
from ryadom.referrals.services import referral_move
from ryadom.veterans.models import Veteran
from tests.analytics.conftest import run_refreshes
from tests.conftest import Cast
from tests.referrals.conftest import partner_link, refer

pytestmark = pytest.mark.django_db


def test_partner_accepts_through_its_link_and_reports_employed(
    cast: Cast, partner: PartnerService, consented: Veteran, client: Client
) -> None:
    referral = refer(cast, consented, partner, share_phone=True)
    link = partner_link(referral)
    email = Message.objects.get(dedupe_key=f"referral:{referral.pk}:sent")
    assert consented.addressed_as not in email.body  # the e-mail names nobody

    page = client.get(link, headers={"Accept-Language": "ru"}).content.decode()
    assert consented.addressed_as in page and "+79001112233" in page
    assert "Водитель, ищет работу" in page
    assert client.post(link, {"action": "accept"}).status_code == 302
    assert client.post(link, {"action": "finish", "outcome": "employed"}).status_code == 302

    referral.refresh_from_db()
    assert (referral.status, referral.outcome) == (Status.DONE, "employed")
    assert [e.action for e in referral.events.all()] == ["create", "accept", "finish"]
    audited = (
        AuditEvent.objects.filter(action__startswith="referral.")
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert list(audited) == ["referral.created", "referral.accept", "referral.finish"]
    told = Message.objects.filter(recipient=cast.coord_a, kind="referral_answered")
    assert told.count() == 2
    (row,) = loop_closure(actor=cast.coord_a)
    assert (row.sent, row.closed, row.share, row.outcomes) == (1, 1, 1.0, {"employed": 1})


def test_the_table_refuses_what_it_does_not_allow(
    cast: Cast, partner: PartnerService, consented: Veteran
) -> None:
    referral = refer(cast, consented, partner)
    with pytest.raises(ApplicationError, match="Say why"):
        referral_move(actor=None, referral=referral, action="decline")
    with pytest.raises(ConflictError, match="“Sent”"):
        referral_move(actor=None, referral=referral, action="finish", outcome="employed")
    with pytest.raises(PermissionDeniedError):
        referral_move(actor=None, referral=referral, action="cancel")
    referral_move(actor=None, referral=referral, action="decline", note="Нет вакансий")
    with pytest.raises(ConflictError, match="“Declined”"):
        referral_move(actor=cast.coord_a, referral=referral, action="accept")
    with pytest.raises(NotFoundError):  # the Rostov coordinator does not follow it
        referral_move(actor=cast.coord_b, referral=referral, action="cancel")
    referral.refresh_from_db()
    assert (referral.status, referral.answer_note) == (Status.DECLINED, "Нет вакансий")
    (row,) = loop_closure(actor=cast.federal)
    assert (row.closed, row.declined) == (1, 1)
    assert loop_closure(actor=cast.coord_b) == []


def test_an_answer_read_before_another_answer_loses_with_a_clear_error(
    cast: Cast, partner: PartnerService, consented: Veteran
) -> None:
    """Compare-and-set: two tabs read "sent"; the second answer changes nothing."""
    referral = refer(cast, consented, partner)
    first, second = Referral.objects.get(pk=referral.pk), Referral.objects.get(pk=referral.pk)
    referral_move(actor=None, referral=first, action="accept")
    with pytest.raises(ConflictError, match="a moment ago: it is now “Accepted”"):
        referral_move(actor=None, referral=second, action="decline", note="Мест нет")
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED
    assert referral.events.filter(action="decline").count() == 0


def test_coordinator_refers_from_the_page_and_cancels(
    cast: Cast, partner: PartnerService, consented: Veteran, client: Client
) -> None:
    client.force_login(cast.coord_a)
    veteran_page = client.get(f"/veterans/{consented.pk}/").content.decode()
    assert f"/referrals/new/?veteran={consented.pk}" in veteran_page
    response = client.post(
        f"/referrals/new/?veteran={consented.pk}",
        {"veteran": consented.pk, "partner": partner.pk, "need": "work", "note": ""},
    )
    referral = Referral.objects.get()
    assert response["Location"] == f"/referrals/{referral.pk}/"
    page = client.get(f"/referrals/{referral.pk}/").content.decode()
    assert partner.name in page
    client.post(f"/referrals/{referral.pk}/cancel/", {"note": "Ветеран передумал"})
    referral.refresh_from_db()
    assert referral.status == Status.CANCELLED
    assert Message.objects.filter(kind="referral_withdrawn").count() == 1
    listing = client.get("/referrals/?status=cancelled").content.decode()
    assert f"#{referral.pk}" in listing


def test_the_regional_dashboard_shows_loop_closure_and_outcomes(
    cast: Cast,
    partner: PartnerService,
    consented: Veteran,
    client: Client,
    django_capture_on_commit_callbacks: Any,
) -> None:
    with django_capture_on_commit_callbacks(execute=True):
        done = refer(cast, consented, partner)
        referral_move(actor=None, referral=done, action="accept")
        referral_move(actor=None, referral=done, action="finish", outcome="employed")
        other = PartnerService.objects.create(
            name="Колледж", kind="education", region=partner.region
        )
        refer(cast, consented, other, need="study")
    run_refreshes()  # the dashboard reads the rollups the worker keeps
    client.force_login(cast.coord_a)
    page = client.get("/dashboard/regions/77/", headers={"Accept-Language": "en"})
    text = page.content.decode()
    assert "Referrals to partner services" in text
    table = text[text.index("Referrals to partner services") :]
    assert "Share closed, %" in table and "50.0" in table and "Employed" in table


def test_refer_page_takes_a_veterans_number_and_refuses_one_out_of_scope(
    cast: Cast, partner: PartnerService, consented: Veteran, client: Client
) -> None:
    client.force_login(cast.coord_a)
    outsider = client.post(
        "/referrals/new/", {"veteran": cast.veteran_b.pk, "partner": partner.pk, "need": "work"}
    )
    assert outsider.status_code == 200 and not Referral.objects.exists()
    made = client.post(
        "/referrals/new/", {"veteran": consented.pk, "partner": partner.pk, "need": "work"}
    )
    assert made.status_code == 302
    assert Referral.objects.get().veteran == consented
