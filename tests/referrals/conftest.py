"""A partner service in Moscow and veterans who agreed to share their details with it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.utils import timezone

from ryadom.accounts.models import User
from ryadom.notifications.models import Message
from ryadom.referrals.models import PartnerKind, PartnerService, Referral
from ryadom.referrals.services import partner_create, referral_create
from ryadom.veterans.models import Consent, ConsentPurpose, Veteran
from tests import factories as f
from tests.conftest import Cast

PARTNER_EMAIL = "centre@zan.example.ru"


@pytest.fixture
def partner(cast: Cast) -> PartnerService:
    cast.coord_a.email = "coord@example.org"  # to hear the partner's answers
    cast.coord_a.save(update_fields=["email"])
    return partner_create(
        actor=cast.coord_a,
        name="Центр занятости населения ЦАО",
        kind=PartnerKind.EMPLOYMENT,
        region=f.region("77"),
        contact_person="Ольга Петровна Сидорова",
        phone="+7 495 000-00-01",
        email=PARTNER_EMAIL,
        offers="Подбор вакансий, переобучение",
    )


def consent(veteran: Veteran, by: User) -> Consent:
    return Consent.objects.create(
        veteran=veteran, purpose=ConsentPurpose.PARTNER, recorded_by=by, given_at=timezone.now()
    )


@pytest.fixture
def consented(cast: Cast) -> Veteran:
    """veteran_a (with an account and a phone) agreed to share details with partners."""
    cast.veteran_a.phone = "+79001112233"
    cast.veteran_a.save(update_fields=["phone"])
    consent(cast.veteran_a, cast.federal)
    return cast.veteran_a


def refer(cast: Cast, veteran: Veteran, partner: PartnerService, **more: Any) -> Referral:
    return referral_create(
        actor=cast.coord_a,
        veteran=veteran,
        partner=partner,
        need=more.pop("need", "work"),
        note=more.pop("note", "Водитель, ищет работу рядом с домом"),
        **more,
    )


def partner_link(referral: Referral) -> str:
    """The path of the link in the partner's e-mail, as the partner would follow it."""
    message = Message.objects.get(dedupe_key=f"referral:{referral.pk}:sent")
    assert message.address == PARTNER_EMAIL
    found = re.search(r"https?://[^/\s]+(/p/r/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)
