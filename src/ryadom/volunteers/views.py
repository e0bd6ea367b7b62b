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
from ryadom.core.errors import ApplicationError
from ryadom.core.pages import attempt, domain_errors, errors_text, safe_next
from ryadom.organisations.models import Organisation
from ryadom.organisations.selectors import institution_directory
from ryadom.volunteers import selectors, services
from ryadom.volunteers.forms import CheckForm, DecideForm, HourLimitForm, ProfileForm
from ryadom.volunteers.models import Check, CheckKind, CheckStatus, Membership, Volunteer

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
            return _with_next(request, "join")
        return view(*args, **kwargs)

    return wrapper


def _with_next(request: HttpRequest, to: str) -> HttpResponse:
    """To the page named `to`, which sends the person back here when done."""
    return redirect(reverse(to) + "?" + urlencode({"next": request.get_full_path()}))


# The choices of a check's kind and status, for the forms that record checks.
CHECK_CHOICES = {"kinds": CheckKind.choices, "statuses": CheckStatus.choices}


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
        fields = form.profile()
        if attempt(form, lambda: services.volunteer_profile_save(actor=actor, **fields)):
            messages.success(request, _("Your profile is saved."))
            return redirect(_back(request, reverse("join-ngo")))
    context = {"form": form, "new": volunteer is None, "next": _back(request, "")}
    return render(request, "volunteers/profile.html", context)


def _volunteer_or_join(request: HttpRequest) -> Volunteer | None:
    return selectors.volunteer_of(actor=_actor(request))


def _ask_to_join(request: HttpRequest, choices: list[Organisation]) -> None:
    """Ask to join the NGO chosen among `choices` (another: 404); say how it went."""
    chosen = request.POST.get("organisation")
    organisation = next((o for o in choices if str(o.pk) == chosen), None)
    if organisation is None:
        raise Http404
    try:
        services.membership_request(actor=_actor(request), organisation=organisation)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return
    messages.success(
        request,
        _("You asked to join %(ngo)s. Its manager will answer soon.") % {"ngo": organisation.name},
    )


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
        _ask_to_join(request, choices)
        return redirect(_back(request, request.get_full_path()))
    context = {"volunteer": volunteer, "organisations": choices}
    return render(request, "volunteers/join_ngo.html", context)


def _checklist_at(volunteer: Volunteer, institution_id: str) -> Any:
    """The volunteer's checklist for the institution of that id (not a number, or none: 404)."""
    if not institution_id.isdigit():
        raise Http404
    institution = institution_directory(institution_id=int(institution_id))
    return selectors.checklist_for(volunteer=volunteer, institution=institution)


def _my_readiness(volunteer: Volunteer) -> dict[str, Any]:
    """My checks in their usual order, my memberships, and the places my NGOs work in."""
    order = list(CheckKind.values)
    return {
        "checks": sorted(volunteer.checks.all(), key=lambda c: order.index(c.kind)),
        "memberships": volunteer.memberships.select_related("organisation").order_by("pk"),
        "places": selectors.institutions_of_my_ngos(volunteer=volunteer),
    }


@newcomer_required
@require_GET
@domain_errors
def checklist(request: HttpRequest) -> HttpResponse:
    """Am I ready to work here? Every step for the institution, done or not, and whom to ask;
    without an institution: my checks and the places my NGOs work in."""
    volunteer = _volunteer_or_join(request)
    if volunteer is None:
        return _with_next(request, "join-profile")
    context: dict[str, Any] = {"volunteer": volunteer}
    if institution_id := request.GET.get("institution", ""):
        context["checklist"] = _checklist_at(volunteer, institution_id)
    context.update(_my_readiness(volunteer))
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
    context = {
        "pending": [m for m in memberships if m.status == "pending"],
        "members": [m for m in memberships if m.status == "approved"],
        **CHECK_CHOICES,
    }
    return render(request, "volunteers/ngo_members.html", context)


def _decide(request: HttpRequest, membership: Membership, *, approve: bool) -> None:
    """Approve or decline a request to join; say how it went."""
    try:
        services.membership_decide(actor=_actor(request), membership=membership, approve=approve)
    except ApplicationError as exc:
        messages.error(request, exc.message)
        return
    done = _("%(name)s is now a member.") if approve else _("%(name)s was declined.")
    messages.success(request, done % {"name": membership.volunteer})


@login_required
@require_POST
@domain_errors
def membership_decide(request: HttpRequest, membership_id: int) -> HttpResponse:
    actor = _actor(request)
    membership = selectors.membership_get_for_manager(actor=actor, membership_id=membership_id)
    form = DecideForm(request.POST)
    if form.is_valid():
        _decide(request, membership, approve=form.cleaned_data["decision"] == "approve")
    else:
        messages.error(request, _("Choose approve or decline."))
    return redirect(_back(request, reverse("ngo-members")))


def _recorded(form: CheckForm, actor: User, volunteer: Volunteer) -> Check | None:
    """The check recorded from a valid form; None when the form or the service refused."""
    if not form.is_valid():
        return None
    data = form.cleaned_data
    return attempt(form, lambda: services.check_record(actor=actor, volunteer=volunteer, **data))


def _recorded_text(volunteer: Volunteer, done: Check) -> str:
    return _("Recorded for %(name)s: %(check)s — %(status)s.") % {
        "name": volunteer,
        "check": CheckKind(done.kind).label,
        "status": CheckStatus(done.status).label,
    }


@login_required
@require_POST
@domain_errors
def check_record(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    """Record a check from the manager's or the liaison's page; back to that page."""
    actor = _actor(request)
    volunteer = selectors.volunteer_get_for_user(actor=actor, volunteer_id=volunteer_id)
    form = CheckForm(request.POST)
    done = _recorded(form, actor, volunteer)
    if done is not None:
        messages.success(request, _recorded_text(volunteer, done))
    else:
        why = {"name": volunteer, "why": errors_text(form)}
        messages.error(request, _("Not recorded for %(name)s: %(why)s") % why)
    return redirect(_back(request, reverse("ngo-members")))


def _limit_set(form: HourLimitForm, actor: User, volunteer: Volunteer) -> Volunteer | None:
    """The weekly hour limit set from a valid form; None when the form or the service refused."""
    if not form.is_valid():
        return None
    hours = form.cleaned_data["weekly_hour_limit"]
    return attempt(
        form,
        lambda: services.volunteer_hour_limit_set(actor=actor, volunteer=volunteer, hours=hours),
    )


@login_required
@require_POST
@domain_errors
def hour_limit(request: HttpRequest, volunteer_id: int) -> HttpResponse:
    actor = _actor(request)
    volunteer = selectors.volunteer_get_for_user(actor=actor, volunteer_id=volunteer_id)
    form = HourLimitForm(request.POST)
    if _limit_set(form, actor, volunteer):
        messages.success(request, _("The weekly limit of %(name)s is saved.") % {"name": volunteer})
    else:
        messages.error(request, errors_text(form))
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
    context = {
        "institutions": institutions,
        "volunteers": selectors.volunteers_at_institutions(actor=actor),
        **CHECK_CHOICES,
    }
    return render(request, "volunteers/institution_volunteers.html", context)
