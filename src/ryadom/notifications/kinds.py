"""What each kind of message says: English msgids, translated and filled in for the recipient."""

from __future__ import annotations

import datetime
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.utils import formats
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

PLACEHOLDER = re.compile(r"%\((\w+)\)s")


@dataclass(frozen=True)
class Kind:
    """A subject and a body with %(name)s placeholders, the names taken from the context."""

    subject: Promise
    body: Promise
    # Sent at any hour: the person is waiting for it right now (a sign-in code).
    any_hour: bool = False

    @property
    def keys(self) -> frozenset[str]:
        # The msgids themselves say which context keys they need, so the two cannot drift.
        return frozenset(PLACEHOLDER.findall(f"{self.subject}\n{self.body}"))


KINDS: dict[str, Kind] = {
    "request_received": Kind(
        subject=_("We have received your request"),
        body=_(
            "We have received your request for “%(service)s” (number %(number)s). "
            "A coordinator will find a helper and tell you who is coming. "
            "You can follow it here: %(status_url)s"
        ),
    ),
    "request_assigned": Kind(
        subject=_("A helper has been found"),
        body=_("%(helper)s will help you with “%(service)s”. Planned time: %(when)s."),
    ),
    "visit_scheduled": Kind(
        subject=_("Your visit is planned"),
        body=_(
            "%(helper)s will come on %(when)s to help with “%(service)s”. "
            "You can follow it here: %(status_url)s"
        ),
    ),
    "visit_tomorrow": Kind(
        subject=_("A visit tomorrow"),
        body=_("A reminder: %(helper)s is coming tomorrow, %(when)s, to help with “%(service)s”."),
    ),
    "request_done_please_confirm": Kind(
        subject=_("Was it done?"),
        body=_(
            "The helper has marked “%(service)s” as done. Please tell us whether it was done "
            "and whether you were treated with respect: %(status_url)s"
        ),
    ),
    "volunteer_new_request": Kind(
        subject=_("Someone near you needs help"),
        body=_(
            "Someone at %(institution)s needs help with “%(service)s”. "
            "If you can help, take the request here: %(url)s"
        ),
    ),
    "volunteer_assigned": Kind(
        subject=_("A request for you"),
        body=_(
            "The coordinator has given you request %(number)s: “%(service)s” at "
            "%(institution)s. Please plan the visit: %(url)s"
        ),
    ),
    "volunteer_request_moved": Kind(
        subject=_("Request %(number)s: the veteran has moved"),
        body=_(
            "The veteran of request %(number)s (“%(service)s”) has moved to another place, "
            "so your visit is off. Thank you for being ready to help."
        ),
    ),
    "volunteer_reminder_day": Kind(
        subject=_("Your visit tomorrow"),
        body=_(
            "A reminder: tomorrow, %(when)s, you are helping with “%(service)s” "
            "at %(institution)s. Take your ID with you."
        ),
    ),
    "volunteer_reminder_hour": Kind(
        subject=_("Your visit in an hour"),
        body=_("A reminder: at %(when)s you are helping with “%(service)s” at %(institution)s."),
    ),
    "request_cancelled": Kind(
        subject=_("Request %(number)s has been cancelled"),
        body=_("Request number %(number)s (“%(service)s”) has been cancelled."),
    ),
    "escalation": Kind(
        subject=_("Request %(number)s is overdue"),
        body=_(
            "Nobody has helped with request %(number)s (“%(service)s”, %(institution)s) "
            "by its deadline, %(deadline)s. Please act: %(url)s"
        ),
    ),
    "complaint": Kind(
        subject=_("A complaint about request %(number)s"),
        body=_(
            "The veteran says the work on request %(number)s (“%(service)s”) was not done, "
            "or that they were not treated with respect. Please answer: %(url)s"
        ),
    ),
    "daily_digest": Kind(
        subject=_("Requests on %(date)s"),
        body=_(
            "New requests: %(new)s. Overdue: %(overdue)s. Waiting for a helper: %(waiting)s. "
            "Follow-up contacts due: %(contacts)s. The queue: %(url)s"
        ),
    ),
    "handover_received": Kind(
        subject=_("A veteran is handed over to you"),
        body=_(
            "A veteran discharged from %(institution)s is handed over to you, their coordinator "
            "at home (plan %(number)s). Please make the first contact by %(deadline)s: %(url)s"
        ),
    ),
    "home_coordinator_named": Kind(
        subject=_("Your coordinator at home"),
        body=_(
            "After discharge, %(coordinator)s (%(region)s) coordinates help for %(veteran)s at "
            "home. Phone: %(phone)s. E-mail: %(email)s. They will get in touch within "
            "%(hours)s hours. More: %(url)s"
        ),
    ),
    "handover_overdue": Kind(
        subject=_("Plan %(number)s: no first contact yet"),
        body=_(
            "Nobody has contacted the veteran handed over home in plan %(number)s by "
            "%(deadline)s. Please act: %(url)s"
        ),
    ),
    "followup_unreached": Kind(
        subject=_("Follow-up contact %(number)s: no answer"),
        body=_(
            "Three attempts to reach the veteran for follow-up contact %(number)s (%(days)s days "
            "after discharge) got no answer. Please decide what to do: %(url)s"
        ),
    ),
    "followup_due": Kind(
        subject=_("How are you, %(veteran)s?"),
        body=_(
            "It is %(days)s days since you came home from hospital. How are you? Answer with "
            "a button below: your coordinator at home will see it."
        ),
    ),
    "followup_help_asked": Kind(
        subject=_("Follow-up contact %(number)s: the veteran needs help"),
        body=_(
            "The veteran answered follow-up contact %(number)s in Telegram: they need help. "
            "Please call them to find out what help: %(url)s"
        ),
    ),
    "erasure_asked": Kind(
        subject=_("A request to erase personal data"),
        body=_(
            "A veteran, or a relative acting for them, has asked for their personal data to "
            "be erased (erasure request %(number)s). Please carry it out: %(url)s"
        ),
    ),
    "one_time_code": Kind(
        subject=_("Your sign-in code"),
        body=_(
            "Your Ryadom code is %(code)s. It is valid for %(minutes)s minutes. "
            "Do not tell it to anyone."
        ),
        any_hour=True,
    ),
    "consent_code": Kind(
        subject=_("Your consent to help in Ryadom"),
        body=_(
            "The ward staff are registering your admission so that volunteers can help you. "
            "If you agree to this, read this code out to them or type it in: %(code)s. "
            "It is valid for %(minutes)s minutes."
        ),
        any_hour=True,
    ),
    "proxy_asked": Kind(
        subject=_("Someone asks to act for you"),
        body=_(
            "Someone who says they are your %(relation)s asks to ask for help on your behalf. "
            "Approve or refuse here: %(url)s"
        ),
        any_hour=True,
    ),
    "proxy_approved": Kind(
        subject=_("You may now ask for help"),
        body=_("The veteran has approved you. You can ask for help for them here: %(url)s"),
    ),
    "proxy_refused": Kind(
        subject=_("Your request was not approved"),
        body=_("The veteran did not approve your request to act for them."),
    ),
    "claim_confirmed": Kind(
        subject=_("Your account is linked to your admission"),
        body=_("The ward staff have confirmed that it is you. You can ask for help here: %(url)s"),
    ),
    "claim_refused": Kind(
        subject=_("The ward staff could not link your account"),
        body=_(
            "The ward staff could not match you to a patient of theirs. Check the hospital "
            "and your name and ask again, or ask the ward staff for the code on your "
            "admission slip: %(url)s"
        ),
    ),
    "volunteer_distress": Kind(
        subject=_("A volunteer would like to talk"),
        body=_(
            "After a visit, %(volunteer)s said something upsets them and would like to talk "
            "to someone. Please get in touch (phone: %(phone)s) and mark it when you have: "
            "%(url)s"
        ),
    ),
    "opening_applied": Kind(
        subject=_("%(volunteer)s would like to help: %(opening)s"),
        body=_(
            "%(volunteer)s has applied to “%(opening)s”. Please accept or decline here: %(url)s"
        ),
    ),
    "opening_accepted": Kind(
        subject=_("You are in: %(opening)s"),
        body=_(
            "Your offer to help with “%(opening)s” (%(institution)s) is accepted. "
            "The first day: %(first_day)s. Details: %(url)s"
        ),
    ),
    "opening_declined": Kind(
        subject=_("About “%(opening)s”"),
        body=_(
            "Thank you for offering to help with “%(opening)s”. This time the answer is no "
            "(%(reason)s). Other openings: %(url)s"
        ),
    ),
    "check_expiring": Kind(
        subject=_("%(check)s expires on %(date)s"),
        body=_(
            "Your “%(check)s” is valid until %(date)s. Ask your NGO to renew it in time, "
            "or you will not be able to take requests that need it: %(url)s"
        ),
    ),
    "member_check_expiring": Kind(
        subject=_("%(volunteer)s: %(check)s expires on %(date)s"),
        body=_(
            "The “%(check)s” of %(volunteer)s is valid until %(date)s. "
            "Please arrange the renewal in time: %(url)s"
        ),
    ),
    "membership_requested": Kind(
        subject=_("%(volunteer)s asks to join %(organisation)s"),
        body=_(
            "%(volunteer)s would like to volunteer with %(organisation)s. "
            "Please approve or decline, and record the checks you have made: %(url)s"
        ),
    ),
    "membership_decided": Kind(
        subject=_("%(organisation)s: %(decision)s"),
        body=_("%(organisation)s has answered your request to join: %(decision)s. %(url)s"),
    ),
    "referral_to_partner": Kind(
        subject=_("A referral from Ryadom: %(need)s"),
        body=_(
            "A coordinator of Ryadom refers a veteran to %(partner)s for help with: %(need)s. "
            "Please accept or decline by %(due)s. The details and the answer are on this "
            "page (no account needed): %(url)s"
        ),
    ),
    "referral_reminder": Kind(
        subject=_("Please answer the referral by %(due)s"),
        body=_(
            "A referral to %(partner)s (%(need)s) is still waiting for your answer, due by "
            "%(due)s: %(url)s"
        ),
    ),
    "referral_withdrawn": Kind(
        subject=_("A referral has been withdrawn"),
        body=_(
            "The referral to %(partner)s (%(need)s) has been withdrawn: nothing more needs to "
            "be done, and the veteran's details are no longer shared."
        ),
    ),
    "referral_answered": Kind(
        subject=_("Referral %(number)s: %(status)s"),
        body=_("%(partner)s has answered referral %(number)s (%(need)s): %(status)s. %(url)s"),
    ),
    "referral_overdue": Kind(
        subject=_("Referral %(number)s has no answer"),
        body=_(
            "%(partner)s has not answered referral %(number)s (%(need)s) by %(due)s. "
            "Please get in touch with them (phone: %(phone)s): %(url)s"
        ),
    ),
}


def kind_get(kind: str) -> Kind:
    try:
        return KINDS[kind]
    except KeyError:
        raise ValueError(f"unknown notification kind {kind!r}") from None


# "10 June 2026, 15:00" / "10 июня 2026, 15:00": E is the month's name in the form a date
# takes (genitive in Russian); a 24-hour clock, and no "p.m." to clash with a full stop.
DATE_FORMAT = "j E Y"
DATETIME_FORMAT = "j E Y, H:i"


def _shown(value: Any, zone: zoneinfo.ZoneInfo) -> str:
    """A context value as the recipient reads it: times in their zone, in their language."""
    if isinstance(value, datetime.datetime):
        return str(formats.date_format(value.astimezone(zone), DATETIME_FORMAT))
    if isinstance(value, datetime.date):
        return str(formats.date_format(value, DATE_FORMAT))
    return str(value)


def render(kind: str, context: Mapping[str, Any], *, zone: zoneinfo.ZoneInfo) -> tuple[str, str]:
    """Subject and body in the active language; call it under translation.override()."""
    template = kind_get(kind)
    missing = template.keys - context.keys()
    if missing:
        raise ValueError(f"notification {kind!r} needs {', '.join(sorted(missing))}")
    values = {key: _shown(context[key], zone) for key in template.keys}
    return str(template.subject) % values, str(template.body) % values
