"""The volunteer's record and wellbeing pages: thin, over `care/record.py` and
`care/wellbeing.py`; errors through `views.domain_errors` and `views.attempt`."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.care import page_selectors, record, wellbeing
from ryadom.care.forms import PageForm
from ryadom.care.models import MAX_DETAILS_LENGTH, Feeling, Visit
from ryadom.care.views import attempt, domain_errors
from ryadom.core.errors import NotFoundError
from ryadom.volunteers.models import Volunteer


class DebriefForm(PageForm):
    feeling = forms.ChoiceField(
        label=gettext_lazy("How was it?"), choices=Feeling.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=gettext_lazy("Anything that upsets you? (only your NGO's manager sees this)"),
        required=False,
        max_length=MAX_DETAILS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind login_required


def _own_volunteer(request: HttpRequest) -> Volunteer:
    volunteer = page_selectors.volunteer_of(actor=_actor(request))
    if volunteer is None:
        raise PermissionDenied
    return volunteer


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


@login_required
@require_POST
@domain_errors
def debrief(request: HttpRequest, visit_id: int) -> HttpResponse:
    """The volunteer answers "How was it?" about one of their finished visits."""
    actor = _actor(request)
    volunteer = _own_volunteer(request)
    visit = wellbeing.debriefs_due(volunteer=volunteer).filter(pk=visit_id).first()
    if visit is None:
        visit = Visit.objects.filter(pk=visit_id, volunteer=volunteer).first()
    if visit is None:
        raise NotFoundError("Not found.")
    form = DebriefForm(request.POST)
    done = form.is_valid() and (
        attempt(
            form,
            lambda: wellbeing.debrief_submit(
                actor=actor,
                visit=visit,
                feeling=form.cleaned_data["feeling"],
                note=form.cleaned_data["note"],
            ),
        )
        is not None
    )
    if done:
        if form.cleaned_data["feeling"] == Feeling.UPSET:
            messages.success(
                request,
                _("Thank you for telling us. Your NGO's manager will get in touch with you."),
            )
        else:
            messages.success(request, _("Thank you. Your answer is recorded."))
    else:
        messages.error(request, " ".join(str(m) for e in form.errors.values() for m in e))
    return redirect("care:volunteer")


@login_required
@require_GET
@domain_errors
def ngo_wellbeing(request: HttpRequest) -> HttpResponse:
    """The NGO manager's page: volunteers who said after a visit that they need support."""
    actor = _actor(request)
    if not scope_of(actor).has(Role.NGO_MANAGER):
        raise PermissionDenied
    flags = list(wellbeing.distress_flags(actor=actor)[:200])
    return render(request, "care/ngo_wellbeing.html", {"flags": flags, "now": timezone.now()})


@login_required
@require_POST
@domain_errors
def ngo_wellbeing_acknowledge(request: HttpRequest, debrief_id: int) -> HttpResponse:
    actor = _actor(request)
    flag = wellbeing.distress_flag_get(actor=actor, debrief_id=debrief_id)
    form = DebriefForm()
    if attempt(form, lambda: wellbeing.debrief_acknowledge(actor=actor, debrief=flag)):
        messages.success(request, _("Marked as followed up."))
    else:
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
    return redirect("care:ngo_wellbeing")
