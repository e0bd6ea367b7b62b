"""Two answers to one referral at the same moment: exactly one wins, the other is told.

Real threads, each with its own database connection (run with DATABASE_URL pointing at
PostgreSQL to race on row locks; on SQLite the threads queue on the file's write lock).
Transactional, so the threads see the committed rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from django.db import connection
from django.test import Client
from django.utils import translation

from ryadom.core.errors import ConflictError
from ryadom.referrals.models import PartnerService, Referral, Status
from ryadom.referrals.services import referral_move
from ryadom.veterans.models import Veteran
from tests.conftest import Cast
from tests.referrals.conftest import partner_link, refer

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
ROUNDS = 3


def _race(calls: list[Callable[[], object]]) -> list[object]:
    barrier = threading.Barrier(len(calls))
    results: list[object] = [None] * len(calls)

    def run(i: int) -> None:
        try:
            with translation.override("en"):
                barrier.wait(timeout=30)
                results[i] = calls[i]()
        except BaseException as exc:  # handed to the main thread to assert on
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


def _answer(referral_id: int, action: str, note: str = "") -> Callable[[], object]:
    def go() -> object:
        referral = Referral.objects.get(pk=referral_id)  # both read "sent"
        return referral_move(actor=None, referral=referral, action=action, note=note)

    return go


def test_accept_and_decline_at_once_one_wins_the_other_gets_a_conflict(
    cast: Cast, partner: PartnerService, consented: Veteran
) -> None:
    for n in range(ROUNDS):
        if n:
            partner = PartnerService.objects.create(
                name=f"Центр {n}", kind="employment", region=partner.region
            )
        referral = refer(cast, consented, partner)
        results = _race(
            [_answer(referral.pk, "accept"), _answer(referral.pk, "decline", "Нет мест")]
        )
        winners = [r for r in results if isinstance(r, Referral)]
        losers = [r for r in results if isinstance(r, ConflictError)]
        assert (len(winners), len(losers)) == (1, 1), results
        referral.refresh_from_db()
        assert referral.status in (Status.ACCEPTED, Status.DECLINED)
        assert referral.events.exclude(action="create").count() == 1
        # The loser hears what the winner made of it, whichever moment it read the row.
        assert f"“{referral.get_status_display()}”" in losers[0].message


def test_two_partner_staff_clicking_accept_on_the_page_at_once_one_gets_409(
    cast: Cast, partner: PartnerService, consented: Veteran
) -> None:
    referral = refer(cast, consented, partner)
    link = partner_link(referral)
    clients = [Client(), Client()]

    def click(client: Client) -> Callable[[], object]:
        return lambda: client.post(link, {"action": "accept"}, headers={"Accept-Language": "en"})

    results = _race([click(c) for c in clients])
    codes = sorted(r.status_code for r in results)  # type: ignore[attr-defined]
    assert codes == [302, 422], results
    loser = next(r for r in results if r.status_code == 422)  # type: ignore[attr-defined]
    page = loser.content.decode()  # type: ignore[attr-defined]
    assert "a moment ago" in page or "cannot be done now" in page
    assert referral.events.filter(action="accept").count() == 1


def test_the_link_and_a_partners_account_answering_at_once_one_wins_the_other_gets_a_conflict(
    cast: Cast, partner: PartnerService, consented: Veteran
) -> None:
    from ryadom.referrals.services import partner_member_add
    from tests import factories as f

    referral = refer(cast, consented, partner)
    link = partner_link(referral)
    member = f.UserFactory()
    partner_member_add(actor=cast.coord_a, user=member, partner=partner)
    account = Client()
    account.force_login(member)
    path = f"/api/v1/partner/referrals/{referral.pk}/moves"
    results = _race(
        [
            lambda: Client().post(link, {"action": "accept"}, headers={"Accept-Language": "en"}),
            lambda: account.post(
                path, {"action": "decline", "note": "Нет мест"}, content_type="application/json"
            ),
        ]
    )
    link_code, api_code = (r.status_code for r in results)  # type: ignore[attr-defined]
    assert (link_code, api_code) in {(302, 409), (422, 200)}, results
    referral.refresh_from_db()
    assert referral.status == (Status.ACCEPTED if link_code == 302 else Status.DECLINED)
    assert referral.events.exclude(action="create").count() == 1
