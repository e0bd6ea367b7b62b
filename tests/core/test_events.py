"""Domain events (core/events.py): the one way a lower app causes work in a higher one."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from ryadom.accounts import events as accounts_events
from ryadom.care import events as care_events
from ryadom.core.events import Event
from ryadom.notifications import events as notifications_events
from ryadom.veterans import events as veterans_events
from ryadom.volunteers import events as volunteers_events

OWNERS = [accounts_events, care_events, notifications_events, veterans_events, volunteers_events]


def _calls(sink: list[int]) -> Callable[..., int]:
    def handler(*, number: int) -> int:
        sink.append(number)
        return number * 2

    return handler


def test_an_event_refuses_a_payload_other_than_the_one_it_declares() -> None:
    event = Event("counted", number="how many")
    with pytest.raises(TypeError, match="counted carries"):
        event.publish(count=3)
    with pytest.raises(TypeError):
        event.publish(number=3, extra=1)


def test_subscribers_run_once_each_and_their_answers_come_back_in_order() -> None:
    sink: list[int] = []
    event = Event("counted", number="how many")
    handler = _calls(sink)
    event.subscribe(handler)
    event.subscribe(handler)  # a second subscription of the same handler changes nothing
    assert event.publish(number=4) == [8]
    assert sink == [4]


@pytest.mark.parametrize(
    "event",
    [value for owner in OWNERS for value in vars(owner).values() if isinstance(value, Event)],
    ids=repr,
)
def test_every_event_has_a_subscriber_once_the_apps_are_ready(event: Event) -> None:
    # An event nobody hears is work silently lost (a message not sent, a rollup not refreshed).
    assert event._signal.has_listeners()
