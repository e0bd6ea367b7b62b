"""What the volunteer page (care/volunteer.html) shows of openings, the record and wellbeing."""

from __future__ import annotations

import datetime
from typing import Any

from django import template
from django.utils import timezone

from ryadom.care.wellbeing import debriefs_due
from ryadom.openings.models import ApplicationStatus
from ryadom.openings.selectors import accepted_shifts, my_applications, own_volunteer

register = template.Library()

# How far ahead the volunteer page lists accepted shifts.
SHIFTS_AHEAD = datetime.timedelta(days=28)


@register.inclusion_tag("openings/_volunteer_more.html", takes_context=True)
def volunteer_more(context: dict[str, Any]) -> dict[str, Any]:
    """Accepted shifts of the next four weeks, pending applications, and "How was it?"."""
    from ryadom.care.forms import DebriefForm

    request = context.get("request")
    volunteer = own_volunteer(actor=getattr(request, "user", None))
    if volunteer is None:
        return {"volunteer": None}
    today = timezone.localdate()
    return {
        "volunteer": volunteer,
        "request": request,
        "csrf_token": context.get("csrf_token"),
        "shifts": accepted_shifts(volunteer=volunteer, first=today, last=today + SHIFTS_AHEAD),
        "pending": my_applications(volunteer=volunteer).filter(status=ApplicationStatus.PENDING),
        "debriefs": [
            (visit, DebriefForm(auto_id=f"debrief-{visit.pk}-%s"))
            for visit in debriefs_due(volunteer=volunteer)[:5]
        ],
    }


@register.inclusion_tag("openings/_wellbeing_alert.html", takes_context=True)
def wellbeing_alert(context: dict[str, Any]) -> dict[str, Any]:
    """On the NGO manager's pages: how many volunteers asked for support and are waiting."""
    from ryadom.care.wellbeing import distress_flags

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"waiting": 0}
    return {"waiting": distress_flags(actor=user).filter(acknowledged_at__isnull=True).count()}
