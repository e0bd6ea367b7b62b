"""Pages for openings and "For you": parse, call the services and selectors, render.

Domain errors reach the pages through `core/pages.py` (`domain_errors`, `attempt`), the one
mapping.
"""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ryadom.accounts.models import User
from ryadom.core.pages import attempt, domain_errors, errors_text
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


def _chosen_region(request: HttpRequest) -> Region | None:
    code = request.GET.get("region") or ""
    return Region.objects.filter(code=code).first() if code and not text_problem(code) else None


def _may_post(actor: User | AnonymousUser) -> bool:
    """Whether the actor may post openings for some institution."""
    return actor.is_authenticated and selectors.postable_institutions(actor=actor).exists()


@require_GET
def opening_list(request: HttpRequest) -> HttpResponse:
    """Openings that still happen, by region; posters also see their own under "mine"."""
    region = _chosen_region(request)
    mine = request.GET.get("mine") == "1" and request.user.is_authenticated
    region_id = region.pk if region else None
    openings = selectors.opening_list(actor=request.user, region_id=region_id, managed=mine)
    context = {
        "openings": openings[:200],
        "regions": Region.objects.order_by("code"),
        "region": region,
        "mine": mine,
        "may_post": _may_post(request.user),
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


def _apply(form: ApplyForm, actor: User, opening: Opening) -> Application | None:
    """Apply with the message given; None when the form or the service refused."""
    if not form.is_valid():
        return None
    message = form.cleaned_data["message"]
    return attempt(
        form, lambda: services.application_create(actor=actor, opening=opening, message=message)
    )


@login_required
@require_POST
@domain_errors
def opening_apply(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    opening = selectors.opening_get(actor=actor, opening_id=pk)
    form = ApplyForm(request.POST)
    if _apply(form, actor, opening) is not None:
        messages.success(request, _("Thank you. You will hear back from whoever posted it."))
        return redirect(_detail_url(opening))
    return _render_detail(request, opening, form=form, status=400)


@login_required
@require_POST
@domain_errors
def application_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    actor = _actor(request)
    application = selectors.own_application_get(actor=actor, application_id=pk)
    form = ApplyForm()
    if attempt(form, lambda: services.application_withdraw(actor=actor, application=application)):
        messages.success(request, _("Your application is withdrawn."))
    else:
        messages.error(request, errors_text(form))
    return redirect(_detail_url(application.opening))


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def opening_new(request: HttpRequest) -> HttpResponse:
    """A liaison or an NGO manager posts an opening."""
    actor = _actor(request)
    if not _may_post(actor):
        raise PermissionDenied
    form = OpeningForm(request.POST if request.method == "POST" else None, actor=actor)
    if form.is_valid():
        created = attempt(form, lambda: services.opening_create(actor=actor, **form.cleaned_data))
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


def _accept(form: DeclineForm, actor: User, application: Application) -> str | None:
    """Accept; the message to show, or None when refused (the reason is on the form)."""
    done = attempt(form, lambda: services.application_accept(actor=actor, application=application))
    return _("Accepted. The shift is in the volunteer's schedule.") if done is not None else None


def _decline(form: DeclineForm, actor: User, application: Application) -> str | None:
    """Decline with the reason given; the message to show, or None when refused."""
    if not form.is_valid():
        return None
    done = attempt(
        form,
        lambda: services.application_decline(
            actor=actor, application=application, reason=form.cleaned_data["reason"]
        ),
    )
    return _("Declined.") if done is not None else None


DECISIONS = {"accept": _accept, "decline": _decline}


@login_required
@require_POST
@domain_errors
def application_decide(
    request: HttpRequest, pk: int, application_id: int, verb: str
) -> HttpResponse:
    actor = _actor(request)
    opening = selectors.opening_get_to_manage(actor=actor, opening_id=pk)
    application = selectors.application_get_to_decide(actor=actor, application_id=application_id)
    if application.opening_id != opening.pk or verb not in DECISIONS:
        raise Http404
    form = DeclineForm(request.POST, auto_id=f"decline-{application.pk}-%s")
    if text := DECISIONS[verb](form, actor, application):
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
        messages.error(request, errors_text(form))
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
