"""Timeline notes the system writes: a code with values, read in the reader's language.

A note a person typed (a reason, an outcome) is kept as they wrote it in `Event.note`. A note
the system writes is `Event.code` plus `Event.params` (JSON), and `event_text` turns it into
words with gettext at read time, so a Russian reader and an English reader each read their own
language, whoever caused the event and whatever language the worker ran in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ryadom.care.models import Channel, Event
from ryadom.core.i18n import in_language


@dataclass(frozen=True)
class Coded:
    """A system note: a code of `EVENT_TEXTS` and the values its text needs."""

    code: str
    params: dict[str, Any] = field(default_factory=dict)


def coded(code: str, **params: Any) -> Coded:
    """A system note for a timeline event; `params` must be JSON (a {"ru", "en"} dict is read
    in the reader's language)."""
    if code not in EVENT_TEXTS and code != ASKED_VIA:
        raise ValueError(f"unknown timeline code {code!r}")
    return Coded(code, params)


# The request came in through a channel: the note is the channel's name ({"channel": "web"}).
ASKED_VIA = "asked_via"
# Every code ever written stays here: rows refer to them. Add codes, never rename them.
EVENT_TEXTS: dict[str, Promise] = {
    "escalated_regional": _("Deadline missed: escalated to the regional coordinator."),
    "escalated_federal": _("Deadline missed again: escalated to federal staff."),
    "moved_with_veteran": _("Moved with the veteran to %(place)s."),
    "suggested_by_run": _("Suggested by matching run #%(run)d."),
    "veteran_says_not_done": _("The veteran says it was not done."),
    "consent_withdrawn": _("The consent to arranging help is withdrawn."),
    "discharged": _("The veteran has been discharged."),
    "handed_over_home": _("Handed over to the coordinator of the home region, %(region)s."),
}


def _in_language(value: Any) -> Any:
    if isinstance(value, dict) and "ru" in value:
        return in_language(value["ru"], value.get("en") or "")
    return value


def event_fields(note: str | Coded) -> dict[str, Any]:
    """The `note`, `code` and `params` of an Event row for a typed note or a system note."""
    if isinstance(note, Coded):
        return {"note": "", "code": note.code, "params": note.params}
    return {"note": note, "code": "", "params": {}}


def event_text(event: Event) -> str:
    """The event's note in the active language: the system's text, else what a person typed."""
    if event.code == ASKED_VIA and event.params.get("channel") in Channel.values:
        return str(Channel(event.params["channel"]).label)
    template = EVENT_TEXTS.get(event.code) if event.code else None
    if template is None:
        return event.note
    params = {name: _in_language(value) for name, value in event.params.items()}
    try:
        return str(template) % params if params else str(template)
    except (KeyError, TypeError, ValueError):  # parameters of an older shape: show the note
        return event.note


def event_record(
    *,
    request: Any,
    action: str,
    from_status: str,
    to_status: str,
    actor: Any = None,
    note: str | Coded = "",
    at: Any = None,
) -> Event:
    """Insert one step of a request's timeline, a system note stored as its code."""
    extra = {"at": at} if at is not None else {}
    return Event.objects.create(
        request=request,
        actor=actor,
        action=action,
        from_status=from_status,
        to_status=to_status,
        **event_fields(note),
        **extra,
    )
