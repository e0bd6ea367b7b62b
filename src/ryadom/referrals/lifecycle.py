"""The referral's lifecycle in one table: which action moves it from which states to which."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ryadom.referrals.models import Status


class Action(models.TextChoices):
    ACCEPT = "accept", _("Accept")
    DECLINE = "decline", _("Decline")
    START = "start", _("Mark as in progress")
    FINISH = "finish", _("Report the outcome")
    CANCEL = "cancel", _("Cancel the referral")


ALLOWED_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    Action.ACCEPT: (frozenset({Status.SENT}), Status.ACCEPTED),
    Action.DECLINE: (frozenset({Status.SENT}), Status.DECLINED),
    Action.START: (frozenset({Status.ACCEPTED}), Status.IN_PROGRESS),
    # A partner who did the work at once reports it without marking it in progress first.
    Action.FINISH: (frozenset({Status.ACCEPTED, Status.IN_PROGRESS}), Status.DONE),
    Action.CANCEL: (
        frozenset({Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS}),
        Status.CANCELLED,
    ),
}
# What the partner does through its link; the coordinator may also record them (a partner
# who answered by phone) and alone may cancel.
PARTNER_ACTIONS = (Action.ACCEPT, Action.DECLINE, Action.START, Action.FINISH)
OPEN_STATES = frozenset({Status.SENT, Status.ACCEPTED, Status.IN_PROGRESS})


def actions_from(status: str, *, partner: bool) -> list[str]:
    """The actions the table allows from a status (the partner's, or all of them)."""
    allowed = PARTNER_ACTIONS if partner else tuple(Action)
    return [str(a) for a in allowed if status in ALLOWED_TRANSITIONS[a][0]]
