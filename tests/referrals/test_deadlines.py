"""The partner's answer is due in 72 hours: the sweep reminds it a day before, then tells the
coordinator; each once, however often the sweep runs; answered referrals are left alone."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.utils import timezone

from ryadom.notifications.models import Message
from ryadom.referrals.models import PartnerService
from ryadom.referrals.services import referral_move
from ryadom.referrals.tasks import sweep_now
from ryadom.veterans.models import Veteran
from tests.conftest import Cast
from tests.referrals.conftest import refer

pytestmark = pytest.mark.django_db
HOUR = datetime.timedelta(hours=1)


def test_reminder_before_the_deadline_and_escalation_after_it_once_each(
    cast: Cast, partner: PartnerService, consented: Veteran
) -> None:
    start = timezone.now()
    waiting = refer(cast, consented, partner)
    answered = refer(
        cast,
        consented,
        PartnerService.objects.create(name="Б", kind="legal", region=partner.region),
    )
    referral_move(actor=None, referral=answered, action="accept")
    assert abs(waiting.answer_due - (start + 72 * HOUR)) < HOUR

    with time_machine.travel(start + 47 * HOUR):
        assert sweep_now() == (0, 0)
    with time_machine.travel(start + 49 * HOUR):
        assert sweep_now() == (1, 0)
        assert sweep_now() == (0, 0)
    reminders = Message.objects.filter(kind="referral_reminder")
    assert [m.address for m in reminders] == [partner.email]
    with time_machine.travel(start + 73 * HOUR):
        assert sweep_now() == (0, 1)
        assert sweep_now() == (0, 0)
    (told,) = Message.objects.filter(kind="referral_overdue")
    assert (told.recipient, told.urgent) == (cast.coord_a, True)
    assert partner.phone in told.body
    waiting.refresh_from_db()
    assert waiting.escalated_at is not None and waiting.status == "sent"
    assert [e.action for e in waiting.events.all()] == ["create", "remind", "escalate"]
