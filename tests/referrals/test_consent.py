"""Referring needs the veteran's consent to share with partners; withdrawing it stops the
sharing: open referrals are cancelled and the partner's page shows no personal details."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from ryadom.core.errors import ApplicationError
from ryadom.notifications.models import Message
from ryadom.referrals.models import PartnerService, Referral, Status
from ryadom.referrals.services import referral_move
from ryadom.veterans.consent import consent_withdraw
from ryadom.veterans.models import Consent, ConsentPurpose, Veteran
from tests.conftest import Cast
from tests.referrals.conftest import partner_link, refer

pytestmark = pytest.mark.django_db


def test_without_consent_to_share_nothing_is_sent(cast: Cast, partner: PartnerService) -> None:
    with pytest.raises(ApplicationError, match="has not agreed to share their details"):
        refer(cast, cast.veteran_a, partner)
    assert not Referral.objects.exists()
    assert not Message.objects.filter(kind="referral_to_partner").exists()


def test_withdrawal_cancels_open_referrals_and_hides_the_veteran_from_the_partner(
    cast: Cast, partner: PartnerService, consented: Veteran, client: Client
) -> None:
    open_one = refer(cast, consented, partner, share_phone=True)
    other = PartnerService.objects.create(name="Колледж", kind="education", region=partner.region)
    done = refer(cast, consented, other)
    referral_move(actor=None, referral=done, action="accept")
    referral_move(actor=None, referral=done, action="finish", outcome="enrolled")
    link = partner_link(open_one)
    assert consented.addressed_as in client.get(link).content.decode()

    consent = Consent.objects.get(veteran=consented, purpose=ConsentPurpose.PARTNER)
    consent_withdraw(actor=cast.veteran_user, consent=consent)

    open_one.refresh_from_db()
    done.refresh_from_db()
    assert (open_one.status, done.status) == (Status.CANCELLED, Status.DONE)
    assert open_one.events.last().action == "consent_withdrawn"  # type: ignore[union-attr]
    page = client.get(link).content.decode()
    assert consented.addressed_as not in page and "+79001112233" not in page
    assert 'name="action"' not in page  # nothing left to answer
    assert Message.objects.filter(kind="referral_withdrawn").count() == 1
    with translation.override("en"), pytest.raises(ApplicationError, match="has not agreed"):
        refer(cast, consented, partner)


def test_the_veterans_export_lists_referrals_and_anonymising_blanks_and_stops_them(
    cast: Cast, partner: PartnerService, consented: Veteran, client: Client
) -> None:
    from ryadom.veterans.erasure import veteran_anonymise
    from ryadom.veterans.export import veteran_export_data

    referral = refer(cast, consented, partner)
    exported = veteran_export_data(veteran=consented)["referrals"]
    assert [(r["partner"], r["note"]) for r in exported] == [(partner.name, referral.note)]
    link = partner_link(referral)

    veteran_anonymise(actor=cast.federal, veteran=consented, reason="erasure")

    referral.refresh_from_db()
    assert (referral.status, referral.note) == (Status.CANCELLED, "")
    assert client.get(link).status_code == 404
