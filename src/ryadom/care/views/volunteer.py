"""The volunteer's pages: requests near them and their schedule, their record (hours,
certificate), "How was it?" after a visit; and the NGO manager's list of volunteers who
asked for support. Thin, over `care/record.py` and `care/wellbeing.py`."""

from __future__ import annotations

import datetime
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.care import page_selectors, record, wellbeing
from ryadom.care.forms import DebriefForm, OutcomeForm
from ryadom.care.lifecycle import Action
from ryadom.care.models import Feeling
from ryadom.care.selectors import volunteer_hours
from ryadom.care.views.common import actor_of, submitted
from ryadom.core.pages import attempt, domain_errors, errors_text
from ryadom.volunteers.models import Volunteer


def _own_volunteer(request: HttpRequest) -> Volunteer:
    volunteer = page_selectors.volunteer_of(actor=actor_of(request))
    if volunteer is None:
        raise PermissionDenied
    return volunteer


def _hours_text(total: datetime.timedelta) -> str:
    minutes = int(total.total_seconds() // 60)
    return _("%(hours)d h %(minutes)d min") % {"hours": minutes // 60, "minutes": minutes % 60}


def _schedule(actor: User, volunteer: Volunteer) -> list[dict[str, Any]]:
    """The volunteer's own requests, each with what they may do now (and the outcome's box
    where they may check out)."""
    rows = []
    for row in page_selectors.volunteer_schedule(actor=actor, volunteer=volunteer):
        actions = page_selectors.request_actions(actor=actor, request=row)
        outcome = Action.COMPLETE in actions
        form = OutcomeForm(auto_id=f"complete-{row.pk}-%s") if outcome else None
        rows.append({"obj": row, "actions": actions, "outcome_form": form})
    return rows


@login_required
@require_GET
@domain_errors
def volunteer_home(request: HttpRequest) -> HttpResponse:
    """Requests near me I can take, my schedule with check-in and check-out, my hours."""
    actor = actor_of(request)
    volunteer = _own_volunteer(request)
    context = {
        "volunteer": volunteer,
        "open_requests": page_selectors.volunteer_open_requests(actor=actor, volunteer=volunteer),
        "schedule": _schedule(actor, volunteer),
        "hours": _hours_text(volunteer_hours(volunteer=volunteer)),
        "Action": {a.name: a.value for a in Action},
    }
    return render(request, "care/volunteer.html", context)


@login_required
@require_GET
@domain_errors
def record_page(request: HttpRequest) -> HttpResponse:
    """Verified hours by month and institution, services done, feedback received."""
    volunteer = _own_volunteer(request)
    context = {"record": record.volunteer_record(volunteer=volunteer)}
    return render(request, "care/record.html", context)


@login_required
@require_GET
@domain_errors
def record_csv(request: HttpRequest) -> HttpResponse:
    volunteer = _own_volunteer(request)
    body = record.record_csv(record.volunteer_record(volunteer=volunteer))
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="ryadom-hours.csv"'
    return response


@login_required
@require_GET
@domain_errors
def record_pdf(request: HttpRequest) -> HttpResponse:
    volunteer = _own_volunteer(request)
    body = record.record_pdf(record.volunteer_record(volunteer=volunteer))
    response = HttpResponse(body, content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="ryadom-certificate.pdf"'
    return response


# What the page says after "How was it?", by whether the volunteer is upset.
DEBRIEF_THANKS: dict[bool, str | Promise] = {
    True: gettext_lazy("Thank you for telling us. Your NGO's manager will get in touch with you."),
    False: gettext_lazy("Thank you. Your answer is recorded."),
}


@login_required
@require_POST
@domain_errors
def debrief(request: HttpRequest, visit_id: int) -> HttpResponse:
    """The volunteer answers "How was it?" about one of their finished visits."""
    actor = actor_of(request)
    visit = wellbeing.debrief_visit_get(volunteer=_own_volunteer(request), visit_id=visit_id)
    form = DebriefForm(request.POST)
    if submitted(
        form, lambda: wellbeing.debrief_submit(actor=actor, visit=visit, **form.cleaned_data)
    ):
        upset = form.cleaned_data["feeling"] == Feeling.UPSET
        messages.success(request, str(DEBRIEF_THANKS[upset]))
    else:
        messages.error(request, errors_text(form))
    return redirect("care:volunteer")


@login_required
@require_GET
@domain_errors
def ngo_wellbeing(request: HttpRequest) -> HttpResponse:
    """The NGO manager's page: volunteers who said after a visit that they need support."""
    actor = actor_of(request)
    if not scope_of(actor).has(Role.NGO_MANAGER):
        raise PermissionDenied
    flags = list(wellbeing.distress_flags(actor=actor)[:200])
    return render(request, "care/ngo_wellbeing.html", {"flags": flags, "now": timezone.now()})


@login_required
@require_POST
@domain_errors
def ngo_wellbeing_acknowledge(request: HttpRequest, debrief_id: int) -> HttpResponse:
    actor = actor_of(request)
    flag = wellbeing.distress_flag_get(actor=actor, debrief_id=debrief_id)
    form = DebriefForm()
    if attempt(form, lambda: wellbeing.debrief_acknowledge(actor=actor, debrief=flag)):
        messages.success(request, _("Marked as followed up."))
    else:
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
    return redirect("care:ngo_wellbeing")
