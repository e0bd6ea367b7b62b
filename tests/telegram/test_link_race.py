"""Several chats send the same code at the same moment: exactly one is linked.

Real threads with their own database connections post to the real webhook; the test is
transactional so they see the committed code (serialized_rollback restores the regions).
"""

from __future__ import annotations

from typing import Any

import pytest

from ryadom.telegram.models import TelegramLink
from ryadom.telegram.services import link_code_issue
from tests.care.test_claim_race import _race
from tests.conftest import Cast
from tests.telegram.conftest import Answer, TelegramUser

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

CHATS = 6


def test_a_code_sent_from_several_chats_at_once_links_exactly_one(
    cast: Cast, telegram: Any
) -> None:
    cast.veteran_user.language = "en"
    cast.veteran_user.save()
    code = link_code_issue(actor=cast.veteran_user)
    people: list[TelegramUser] = [telegram() for _n in range(CHATS)]

    def contender(person: TelegramUser) -> Any:
        return lambda: lambda: person.send(f"/start {code}")

    answers = _race([contender(person) for person in people])

    assert not [a for a in answers if isinstance(a, BaseException)], answers
    texts = [a.text for a in answers if isinstance(a, Answer)]
    assert sum("linked to your Ryadom account" in t for t in texts) == 1, texts
    assert sum("wrong or has expired" in t for t in texts) == CHATS - 1
    [link] = TelegramLink.objects.all()
    winner = next(p for p, t in zip(people, texts, strict=True) if "linked to your" in t)
    assert (link.user, link.chat_id) == (cast.veteran_user, str(winner.chat_id))
