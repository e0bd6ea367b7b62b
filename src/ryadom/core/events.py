"""Domain events: how a lower app causes work in a higher one without importing it.

The lower app owns its events (`care/events.py`, `veterans/events.py`, ...) and publishes
them from its services; a higher app subscribes in its `AppConfig.ready()`. Each event names
its payload, and publishing checks it, so a subscriber can rely on what it gets.

Subscribers run at once, in the publisher's transaction and in subscription order: what they
write (an outbox message, a blanked row) commits or rolls back with the change that caused
it, and an error in one stops the change. Work that leaves the database (a task, a message
to a queue) is what a subscriber defers with `transaction.on_commit`, so a rolled-back
change causes none of it. Built on Django's signals, so the usual tools see it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.dispatch import Signal


class Event:
    """One thing that happened in a lower app, with a documented payload."""

    def __init__(self, name: str, **payload: str) -> None:
        """`payload` maps each keyword the event carries to what it means."""
        self.name = name
        self.payload = payload
        self._signal = Signal()

    def subscribe(self, handler: Callable[..., Any]) -> None:
        """Call `handler(**payload)` on each publication (once, however often subscribed)."""

        def receiver(sender: object, signal: Signal, **payload: Any) -> Any:
            return handler(**payload)

        uid = f"{handler.__module__}.{handler.__qualname__}"
        self._signal.connect(receiver, weak=False, dispatch_uid=uid)

    def publish(self, **payload: Any) -> list[Any]:
        """Run every subscriber with the payload; returns their answers in order."""
        if set(payload) != set(self.payload):
            raise TypeError(f"{self.name} carries {sorted(self.payload)}, got {sorted(payload)}")
        return [answer for _, answer in self._signal.send(sender=self.name, **payload)]

    def __repr__(self) -> str:
        return f"Event({self.name!r})"
