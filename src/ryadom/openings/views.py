"""Pages for openings and "For you": parse, call the services and selectors, render.

Domain errors reach the pages through care's `domain_errors` and `attempt`, the one mapping.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ryadom.accounts.models import User
from ryadom.core.pages import attempt, domain_errors
from ryadom.core.validation import text_problem
from ryadom.geo.models import Region
from ryadom.openings import fit, selectors, services
from ryadom.openings.eligibility import opening_missing_steps
from ryadom.openings.forms import ApplyForm, DeclineForm, OpeningForm
from ryadom.openings.models import Application, ApplicationStatus, Opening


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # behind login_required


def _detail_url(opening: Opening) -> str:
    return reverse("openings:detail", args=[opening.pk])


def _manage_url(opening: Opening) -> str:
    return reverse("openings:manage", args=[opening.pk])


@require_GET
def opening_list(request: HttpRequest) -> HttpResponse:
    """Openings that still happen, by region; posters also see their own under "mine"."""
    code = request.GET.get("region") or ""
    region = Region.objects.filter(code=code).first() if code and not text_problem(code) else None
    mine = request.GET.get("mine") == "1" and request.user.is_authenticated
    openings = selectors.opening_list(
        actor=request.user, region_id=region.pk if region else None, managed=mine
    )[:200]
    context = {
        "openings": openings,
        "regions": Region.objects.order_by("code"),
        "region": region,
        "mine": mine,
        "may_post": request.user.is_authenticated
        and selectors.postable_institutions(actor=request.user).exists(),
    }
    return render(request, "openings/list.html", context)


def _render_detail(
    request: HttpRequest, opening: Opening, form: ApplyForm | None = None, status: int = 200
) -> HttpResponse:
    volunteer = selectors.own_volunteer(actor=request.user)
    application = (
        Application.objects.filter(opening=opening, volunteer=volunteer).first()
        if volunteer is not None
        else None
    )
    day = opening.next_day(timezone.localdate())
    missing = (
        opening_missing_steps(volunteer=volunteer, opening=opening, on=day)
        if volunteer is not None and day is not None
        else []
    )
    context = {
        "opening": opening,
        "volunteer": volunteer,
        "application": application,
        "next_day": day,
        "missing": missing,
        "form": form or ApplyForm(),
        "may_manage": selectors.may_manage(actor=request.user, opening=opening),
    }
    return render(request, "openings/detail.html", context, status=status)


@require_GET
@domain_errors
def opening_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One opening; a volunteer sees whether they may do it and applies."""
    return _render_detail(request, selectors.opening_get(actor=request.user, opening_id=pk))


@login_required
@require_POST
@domain_errors
def opening_apply(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    opening = selectors.opening_get(actor=actor, opening_id=pk)
    form = ApplyForm(request.POST)
    if form.is_valid() and (
        attempt(
            form,
            lambda: services.application_create(
                actor=actor, opening=opening, message=form.cleaned_data["message"]
            ),
        )
        is not None
    ):
        messages.success(request, _("Thank you. You will hear back from whoever posted it."))
        return redirect(_detail_url(opening))
    return _render_detail(request, opening, form=form, status=400)


@login_required
@require_POST
@domain_errors
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    volunteer = selectors.own_volunteer(actor=actor)
    application = (
        Application.objects.filter(pk=pk, volunteer=volunteer).select_related("opening").first()
        if volunteer is not None
        else None
    )
    if application is None:
        raise Http404
    form = ApplyForm()
    if attempt(form, lambda: services.application_withdraw(actor=actor, application=application)):
        messages.success(request, _("Your application is withdrawn."))
    else:
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
    return redirect(_detail_url(application.opening))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def opening_new(request: HttpRequest) -> HttpResponse:
    """A liaison or an NGO manager posts an opening."""
    actor = _actor(request)
    if not selectors.postable_institutions(actor=actor).exists():
        raise PermissionDenied
    if request.method == "GET":
        form = OpeningForm(actor=actor)
    else:
        form = OpeningForm(request.POST, actor=actor)
        if form.is_valid():
            d = form.cleaned_data
            created = attempt(
                form,
                lambda: services.opening_create(
                    actor=actor,
                    title=d["title"],
                    institution=d["institution"],
                    department=d["department"],
                    recurrence=d["recurrence"],
                    starts_on=d["starts_on"],
                    ends_on=d["ends_on"],
                    start_time=d["start_time"],
                    end_time=d["end_time"],
                    needed=d["needed"],
                    service_type=d["service_type"],
                    required_skills=d["required_skills"],
                    description=d["description"],
                ),
            )
            if created is not None:
                messages.success(request, _("The opening is posted."))
                return redirect(_manage_url(created))
    status = 400 if form.errors else 200
    return render(request, "openings/new.html", {"form": form}, status=status)


def _render_manage(
    request: HttpRequest, opening: Opening, failed: tuple[int, DeclineForm] | None = None
) -> HttpResponse:
    actor = _actor(request)
    day = opening.next_day(timezone.localdate())
    rows = []
    for application in selectors.applications_of(actor=actor, opening=opening):
        missing = (
            opening_missing_steps(volunteer=application.volunteer, opening=opening, on=day)
            if day is not None and application.status == ApplicationStatus.PENDING
            else []
        )
        form = failed[1] if failed and failed[0] == application.pk else None
        rows.append(
            {
                "obj": application,
                "missing": missing,
                "form": form or DeclineForm(auto_id=f"decline-{application.pk}-%s"),
            }
        )
    context = {"opening": opening, "rows": rows, "next_day": day}
    return render(request, "openings/manage.html", context, status=400 if failed else 200)


@login_required
@require_GET
@domain_errors
def opening_manage(request: HttpRequest, pk: int) -> HttpResponse:
    """The poster's page: applications with what each applicant still lacks; accept, decline."""
    actor = _actor(request)
    return _render_manage(request, selectors.opening_get_to_manage(actor=actor, opening_id=pk))


@login_required
@require_POST
@domain_errors
def application_decide(
    request: HttpRequest, pk: int, application_id: int, verb: str
) -> HttpResponse:
    actor = _actor(request)
    opening = selectors.opening_get_to_manage(actor=actor, opening_id=pk)
    application = selectors.application_get_to_decide(actor=actor, application_id=application_id)
    if application.opening_id != opening.pk or verb not in ("accept", "decline"):
        raise Http404
    form = DeclineForm(request.POST, auto_id=f"decline-{application.pk}-%s")
    if verb == "accept":
        done = (
            attempt(form, lambda: services.application_accept(actor=actor, application=application))
            is not None
        )
        text = _("Accepted. The shift is in the volunteer's schedule.")
    else:
        done = form.is_valid() and (
            attempt(
                form,
                lambda: services.application_decline(
                    actor=actor, application=application, reason=form.cleaned_data["reason"]
                ),
            )
            is not None
        )
        text = _("Declined.")
    if done:
        messages.success(request, text)
        return redirect(_manage_url(opening))
    opening = selectors.opening_get_to_manage(actor=actor, opening_id=pk)
    return _render_manage(request, opening, failed=(application.pk, form))


@login_required
@require_POST
@domain_errors
def opening_close(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    opening = selectors.opening_get_to_manage(actor=actor, opening_id=pk)
    form = DeclineForm()
    if attempt(form, lambda: services.opening_close(actor=actor, opening=opening)):
        messages.success(request, _("The opening is closed."))
    else:
        messages.error(request, " ".join(str(e) for e in form.non_field_errors()))
    return redirect(_manage_url(opening))


@login_required
@require_GET
@domain_errors
def for_you(request: HttpRequest) -> HttpResponse:
    """Openings and open requests the volunteer may take, best fit first, with the reasons."""
    actor = _actor(request)
    volunteer = selectors.own_volunteer(actor=actor)
    if volunteer is None:
        raise PermissionDenied
    suggestions = fit.for_you(actor=actor, volunteer=volunteer)
    return render(
        request, "openings/for_you.html", {"volunteer": volunteer, "suggestions": suggestions}
    )
