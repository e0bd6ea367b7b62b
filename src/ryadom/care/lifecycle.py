"""The one table of allowed transitions of a care request."""

from __future__ import annotations

from enum import StrEnum

from ryadom.care.models import Status


class Action(StrEnum):
    TRIAGE = "triage"
    ASSIGN = "assign"
    CLAIM = "claim"
    DECLINE = "decline"
    SCHEDULE = "schedule"
    CHECK_IN = "check-in"
    COMPLETE = "complete"
    CONFIRM = "confirm"
    CANCEL = "cancel"
    REOPEN = "reopen"
    TRANSFER = "transfer"


# action → (states it may start from, state it leads to)
ALLOWED_TRANSITIONS: dict[Action, tuple[frozenset[str], str]] = {
    Action.TRIAGE: (frozenset({Status.NEW}), Status.TRIAGED),
    Action.ASSIGN: (frozenset({Status.NEW, Status.TRIAGED}), Status.ASSIGNED),
    Action.CLAIM: (frozenset({Status.TRIAGED}), Status.ASSIGNED),
    Action.DECLINE: (frozenset({Status.ASSIGNED, Status.SCHEDULED}), Status.TRIAGED),
    Action.SCHEDULE: (frozenset({Status.ASSIGNED, Status.SCHEDULED}), Status.SCHEDULED),
    Action.CHECK_IN: (frozenset({Status.SCHEDULED}), Status.IN_PROGRESS),
    Action.COMPLETE: (frozenset({Status.IN_PROGRESS}), Status.COMPLETED),
    Action.CONFIRM: (frozenset({Status.COMPLETED}), Status.CONFIRMED),
    Action.CANCEL: (
        frozenset({Status.NEW, Status.TRIAGED, Status.ASSIGNED, Status.SCHEDULED}),
        Status.CANCELLED,
    ),
    Action.REOPEN: (frozenset({Status.COMPLETED, Status.CONFIRMED}), Status.TRIAGED),
    # The veteran moved before the visit: a helper is needed at the new place.
    Action.TRANSFER: (frozenset({Status.ASSIGNED, Status.SCHEDULED}), Status.TRIAGED),
}

# States in which a request still needs something from someone.
OPEN_STATES = frozenset(Status.values) - {Status.CONFIRMED, Status.CANCELLED}
# States in which a helper has the request: "already taken" is true only here.
TAKEN_STATES = frozenset({Status.ASSIGNED, Status.SCHEDULED, Status.IN_PROGRESS})
# What a coordinator still has to see through (the queue opens on these): not done yet.
NEEDS_ACTION_STATES = OPEN_STATES - {Status.COMPLETED}
# States from which the deadline no longer matters: the work has been done.
DONE_STATES = frozenset({Status.COMPLETED, Status.CONFIRMED, Status.CANCELLED})


def allowed_from(action: Action, status: str) -> bool:
    sources, _target = ALLOWED_TRANSITIONS[action]
    return status in sources


def actions_from(status: str) -> list[Action]:
    """Every action the table allows from a state (who may take it is another question)."""
    return [a for a, (sources, _t) in ALLOWED_TRANSITIONS.items() if status in sources]
