"""The engine's reason codes in words people read, in their language."""

from __future__ import annotations

from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from ryadom.matching import Reason, ReasonCode, UnservedReason

REASON_TEXT: dict[str, Promise] = {
    ReasonCode.DISTANCE_KM: _("%(value).1f km from home"),
    ReasonCode.SAME_VOLUNTEER_AS_BEFORE: _("has helped this veteran before"),
    ReasonCode.ASKED_FOR_BY_VETERAN: _("the veteran asked for a volunteer they know"),
    ReasonCode.HAS_THE_SKILLS: _("has the skills needed"),
    ReasonCode.GENDER_AS_ASKED: _("gender as the rule asks"),
    ReasonCode.CLEARED_FOR_INSTITUTION: _("cleared to work in the institution"),
    ReasonCode.LIKES_THIS_HELP: _("likes this kind of help"),
    ReasonCode.RECENT_FEEDBACK: _("recent feedback %(value).0f%%"),
}

UNSERVED_TEXT: dict[str, Promise] = {
    UnservedReason.NO_ELIGIBLE_WITHIN_RADIUS: _(
        "No volunteer cleared for this institution lives within their travel radius of it."
    ),
    UnservedReason.NO_SKILL_CHECK_OR_GENDER: _(
        "No volunteer within reach has the skills, checks or gender this help needs."
    ),
    UnservedReason.NO_AVAILABILITY_IN_WINDOW: _(
        "No suitable volunteer is free during the request's time window."
    ),
    UnservedReason.ALL_AT_CAPACITY: _("Every suitable volunteer has a full week already."),
    UnservedReason.AT_HOUR_LIMIT: _(
        "The suitable volunteers have used up the weekly hours their NGO allows them."
    ),
    UnservedReason.TAKEN_BY_OTHER_REQUESTS: _(
        "The suitable volunteers went to more pressing requests."
    ),
    UnservedReason.NOT_PROPOSED: _("A suitable volunteer is left, but the search missed them."),
}


def reasons_json(reasons: tuple[Reason, ...]) -> list[dict[str, Any]]:
    """Reasons as stored on a proposal."""
    return [{"code": str(r.code), "value": r.value} for r in reasons]


def reason_text(code: str, value: float | None) -> str:
    """One stored reason in the active language."""
    if code == ReasonCode.AVAILABLE_HOURS:
        hours = int(value or 0)
        return ngettext(
            "free %(n)d hour of the window a week", "free %(n)d hours of the window a week", hours
        ) % {"n": hours}
    if code == ReasonCode.TASKS_THIS_WEEK:
        tasks = int(value or 0)
        return ngettext(
            "%(n)d task this week with this one", "%(n)d tasks this week with this one", tasks
        ) % {"n": tasks}
    if code == ReasonCode.HOURS_LEFT:
        return _("%(hours)s h left this week within the NGO's limit") % {
            "hours": f"{value or 0.0:g}"
        }
    template = REASON_TEXT.get(code)
    if template is None:
        return code
    if code == ReasonCode.RECENT_FEEDBACK:
        value = (value or 0.0) * 100
    return str(template) % {"value": value or 0.0} if "%(value)" in str(template) else str(template)


def reasons_text(stored: list[dict[str, Any]]) -> list[str]:
    """Stored reasons in the active language, in their order."""
    return [reason_text(r["code"], r.get("value")) for r in stored]


def unserved_text(code: str) -> str:
    """Why a request got nobody, in the active language."""
    text = UNSERVED_TEXT.get(code)
    return str(text) if text is not None else code
