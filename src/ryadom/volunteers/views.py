"""Pages of volunteers: the profile and joining an NGO, the checklist "am I ready to work
here?", the NGO manager's members and the liaison's volunteers. Thin: parse, call the same
services and selectors as the API, render."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, ParamSpec, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from ryadom.accounts.models import User
from ryadom.core.errors import ApplicationError, NotFoundError
from ryadom.core.pages import attempt, domain_errors, safe_next
from ryadom.organisations.selectors import institution_directory
from ryadom.volunteers import selectors, services
from ryadom.volunteers.forms import CheckForm, DecideForm, HourLimitForm, ProfileForm
from ryadom.volunteers.models import CheckKind, CheckStatus, Volunteer

P = ParamSpec("P")


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # every page here needs a signed-in user


def _back(request: HttpRequest, default: str) -> str:
    return safe_next(request) or default


def newcomer_required(view: Callable[P, HttpResponse]) -> Callable[P, HttpResponse]:
    """Someone not signed in starts at /join/, and comes back here afterwards."""

    @functools.wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> HttpResponse:
        request = cast(HttpRequest, args[0])
        if not request.user.is_authenticated:
            return redirect(reverse("join") + "?" + urlencode({"next": request.get_full_path()}))
        return view(*args, **kwargs)

    return wrapper


# --- the volunteer: profile, NGO, checklist ------------------------------------------------


@newcomer_required
@domain_errors
def profile(request: HttpRequest) -> HttpResponse:
    """Create or change one's volunteer profile."""
    actor = _actor(request)
    volunteer = selectors.volunteer_of(actor=actor)
    initial = ProfileForm.initial_from(volunteer) if volunteer else {"first_name": actor.first_name}
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        saved = attempt(
            form,
            lambda: services.volunteer_profile_save(
                actor=actor,
                region=data["region"],
                settlement=data["settlement"],
                gender=data["gender"],
                first_name=data["first_name"],
                last_name=data["last_name"],
                birth_year=data["birth_year"],
                skills=data["skills"],
                interests=data["interests"],
                languages=form.languages_list(),
                availability=form.windows(),
                travel_radius_km=data["travel_radius_km"],
                weekly_task_cap=data["weekly_task_cap"],
                is_veteran=data["is_veteran"],
                is_veteran_relative=data["is_veteran_relative"],
            ),
        )
        if saved is not None:
            messages.success(request, _("Your profile is saved."))
            return redirect(_back(request, reverse("join-ngo")))
    return render(
        request,
        "volunteers/profile.html",
        {"form": form, "new": volunteer is None, "next": _back(request, "")},
    )


def _volunteer_or_join(request: HttpRequest) -> Volunteer | None:
    return selectors.volunteer_of(actor=_actor(request))


@newcomer_required
@domain_errors
def join_ngo(request: HttpRequest) -> HttpResponse:
    """Pick an NGO of one's region to join; its manager approves."""
    volunteer = _volunteer_or_join(request)
    if volunteer is None:
        return redirect("join-profile")
    raw = request.GET.get("institution", "")
    institution_id = int(raw) if raw.isdigit() else None
    choices = selectors.organisations_to_join(volunteer=volunteer, institution_id=institution_id)
    if request.method == "POST":
        organisation = next(
            (o for o in choices if str(o.pk) == request.POST.get("organisation")), None
        )
        if organisation is None:
            raise Http404
        try:
            services.membership_request(actor=_actor(request), organisation=organisation)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("You asked to join %(ngo)s. Its manager will answer soon.")
                % {"ngo": organisation.name},
            )
        return redirect(_back(request, request.get_full_path()))
    return render(
        request, "volunteers/join_ngo.html", {"volunteer": volunteer, "organisations": choices}
    )


@newcomer_required
@require_GET
@domain_errors
def checklist(request: HttpRequest) -> HttpResponse:
    """Am I ready to work here? Every step for the institution, done or not, and whom to ask;
    without an institution: my checks and the places my NGOs work in."""
    volunteer = _volunteer_or_join(request)
    institution_id = request.GET.get("institution", "")
    if volunteer is None:
        target = reverse("join-profile") + "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)
    context: dict[str, Any] = {"volunteer": volunteer}
    if institution_id:
        if not institution_id.isdigit():
            raise Http404
        try:
            institution = institution_directory(institution_id=int(institution_id))
        except NotFoundError as exc:
            raise Http404 from exc
        context["checklist"] = selectors.checklist_for(volunteer=volunteer, institution=institution)
    order = list(CheckKind.values)
    context["checks"] = sorted(volunteer.checks.all(), key=lambda c: order.index(c.kind))
    context["memberships"] = volunteer.memberships.select_related("organisation").order_by("pk")
    context["places"] = selectors.institutions_of_my_ngos(volunteer=volunteer)
    return render(request, "volunteers/checklist.html", context)


# --- NGO managers and liaisons -------------------------------------------------------------


@login_required
@require_GET
@domain_errors
def ngo_members(request: HttpRequest) -> HttpResponse:
    """The NGO manager's members: requests to decide, members with their checks."""
    actor = _actor(request)
    memberships = list(selectors.membership_list_for_manager(actor=actor))
    if not memberships and not selectors.manages_any(actor=actor):
        raise PermissionDenied(_("This page is for NGO managers."))
    return render(
        request,
        "volunteers/ngo_members.html",
        {
            "pending": [m for m in memberships if m.status == "pending"],
            "members": [m for m in memberships if m.status == "approved"],
            "kinds": CheckKind.choices,
            "statuses": CheckStatus.choices,
        },
    )


@login_required
@require_POST
@domain_errors
def membership_decide(request: HttpRequest, membership_id: int) -> HttpResponse:
    actor = _actor(request)
    membership = selectors.membership_get_for_manager(actor=actor, membership_id=membership_id)
    form = DecideForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose approve or decline."))
    else:
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.membership_decide(actor=actor, membership=membership, approve=approve)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                (_("%(name)s is now a member.") if approve else _("%(name)s was declined."))
                % {"name": membership.volunteer},
            )
    return redirect(_back(request, reverse("ngo-members")))


@login_required
@require_POST
@domain_errors
def check_record(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    """Record a check from the manager's or the liaison's page; back to that page."""
    actor = _actor(request)
    volunteer = selectors.volunteer_get_for_user(actor=actor, volunteer_id=volunteer_id)
    form = CheckForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        done = attempt(
            form,
            lambda: services.check_record(
                actor=actor,
                volunteer=volunteer,
                kind=data["kind"],
                status=data["status"],
                valid_until=data["valid_until"],
                detail=data["detail"],
            ),
        )
        if done is not None:
            messages.success(
                request,
                _("Recorded for %(name)s: %(check)s — %(status)s.")
                % {
                    "name": volunteer,
                    "check": CheckKind(done.kind).label,
                    "status": CheckStatus(done.status).label,
                },
            )
            return redirect(_back(request, reverse("ngo-members")))
    errors = " ".join(str(m) for errs in form.errors.values() for m in errs)
    messages.error(
        request, _("Not recorded for %(name)s: %(why)s") % {"name": volunteer, "why": errors}
    )
    return redirect(_back(request, reverse("ngo-members")))


@login_required
@require_POST
@domain_errors
def hour_limit(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    actor = _actor(request)
    volunteer = selectors.volunteer_get_for_user(actor=actor, volunteer_id=volunteer_id)
    form = HourLimitForm(request.POST)
    if form.is_valid():
        hours = form.cleaned_data["weekly_hour_limit"]
        if attempt(
            form,
            lambda: services.volunteer_hour_limit_set(
                actor=actor, volunteer=volunteer, hours=hours
            ),
        ):
            messages.success(
                request, _("The weekly limit of %(name)s is saved.") % {"name": volunteer}
            )
            return redirect(_back(request, reverse("ngo-members")))
    errors = " ".join(str(m) for errs in form.errors.values() for m in errs)
    messages.error(request, errors)
    return redirect(_back(request, reverse("ngo-members")))


@login_required
@require_GET
@domain_errors
def institution_volunteers(request: HttpRequest) -> HttpResponse:
    """The liaison's page: volunteers who may work in their institutions, with their checks."""
    actor = _actor(request)
    institutions = selectors.institutions_of_liaison(actor=actor)
    if not institutions:
        raise PermissionDenied(_("This page is for institution liaisons."))
    return render(
        request,
        "volunteers/institution_volunteers.html",
        {
            "institutions": institutions,
            "volunteers": selectors.volunteers_at_institutions(actor=actor),
            "kinds": CheckKind.choices,
            "statuses": CheckStatus.choices,
        },
    )
