"""The partner's signed link: works without an account, refuses a tampered or revoked one
with the same 404, and an old one with "expired"."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from ryadom.referrals.models import PartnerService, Status
from ryadom.veterans.models import Veteran
from tests.conftest import Cast
from tests.referrals.conftest import partner_link, refer

pytestmark = pytest.mark.django_db


def test_valid_tampered_revoked_and_expired_links(
    cast: Cast, partner: PartnerService, consented: Veteran, client: Client
) -> None:
    referral = refer(cast, consented, partner)
    link = partner_link(referral)
    assert client.get(link).status_code == 200

    token = link.split("/")[-2]
    tampered = link.replace(token, token[:-2] + ("AA" if token[-2:] != "AA" else "BB"))
    assert client.get(tampered).status_code == 404
    assert client.post(tampered, {"action": "accept"}).status_code == 404

    with time_machine.travel(timezone.now() + datetime.timedelta(days=31)):
        expired = client.get(link)
        assert expired.status_code == 410
        assert client.post(link, {"action": "accept"}).status_code == 410
    referral.refresh_from_db()
    assert referral.status == Status.SENT

    referral.link_key = "rotated"
    referral.save(update_fields=["link_key"])
    assert client.get(link).status_code == 404
