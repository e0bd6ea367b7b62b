"""Messages that could not be delivered are shown to the coordinators who must reach the person
another way: a regional coordinator those of their region's people, federal staff all."""

from __future__ import annotations

import datetime
import zoneinfo
from collections.abc import Iterator

import pytest
import time_machine

from ryadom.accounts.models import User
from ryadom.audit.models import AuditEvent
from ryadom.core.errors import ConflictError, NotFoundError
from ryadom.notifications.models import Message, MessageStatus
from ryadom.notifications.selectors import message_get_for_user, message_list_failed
from ryadom.notifications.services import message_claim, message_fail, message_resend, notify
from tests.conftest import Cast
from tests.notifications.conftest import reachable, volunteer_in


@pytest.fixture(autouse=True)
def _daytime() -> Iterator[None]:
    """Outside everyone's quiet hours, so messages are due at once."""
    noon = datetime.datetime(2026, 6, 1, 12, tzinfo=zoneinfo.ZoneInfo("Europe/Moscow"))
    with time_machine.travel(noon):
        yield


def failed_message(user: User, key: str) -> Message:
    """A message that went through one attempt and was refused for good."""
    [message] = notify(
        recipient=reachable(user),
        kind="request_cancelled",
        context={"number": 7, "service": "Стирка"},
        dedupe_key=key,
    )
    claimed = message_claim(message_id=message.pk)
    assert claimed is not None
    return message_fail(message=claimed, error="550 No such user")


@pytest.mark.django_db
def test_failed_messages_are_listed_for_the_coordinators_of_the_persons_region(
    cast: Cast,
) -> None:
    moscow = failed_message(cast.volunteer_user, "a")  # volunteer in region A
    rostov = failed_message(cast.volunteer_b.user, "b")  # volunteer in region B
    nowhere = failed_message(cast.stranger, "c")  # no region: only federal staff see it
    notify(
        recipient=volunteer_in("77"),
        kind="request_cancelled",
        context={"number": 8, "service": "Стирка"},
        dedupe_key="d",
    )  # still pending: not a failure

    assert list(message_list_failed(actor=cast.coord_a)) == [moscow]
    assert list(message_list_failed(actor=cast.coord_b)) == [rostov]
    assert set(message_list_failed(actor=cast.federal)) == {moscow, rostov, nowhere}
    for outsider in (cast.volunteer_user, cast.liaison, cast.ngo_manager, cast.observer):
        assert list(message_list_failed(actor=outsider)) == []
    assert list(message_list_failed(actor=None)) == []
    assert moscow.last_error == "550 No such user"


@pytest.mark.django_db
def test_a_coordinator_sends_a_failed_message_again_and_it_is_audited(cast: Cast) -> None:
    message = failed_message(cast.volunteer_user, "a")

    resent = message_resend(actor=cast.coord_a, message=message)

    assert (resent.status, resent.attempts, resent.failed_at) == (MessageStatus.PENDING, 0, None)
    event = AuditEvent.objects.get(action="notification.resent")
    assert (event.actor, event.target_id, event.region_id) == (
        cast.coord_a,
        str(message.pk),
        message.region_id,
    )
    with pytest.raises(ConflictError):
        message_resend(actor=cast.coord_a, message=resent)


@pytest.mark.django_db
def test_another_regions_coordinator_cannot_see_a_failed_message(cast: Cast) -> None:
    message = failed_message(cast.volunteer_user, "a")
    assert message_get_for_user(actor=cast.coord_a, message_id=message.pk) == message
    with pytest.raises(NotFoundError) as outsider:
        message_get_for_user(actor=cast.coord_b, message_id=message.pk)
    with pytest.raises(NotFoundError) as missing:
        message_get_for_user(actor=cast.coord_b, message_id=message.pk + 1000)
    assert outsider.value.message == missing.value.message
