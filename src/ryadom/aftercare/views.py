"""Pages of the discharge plan, the hand-over and the follow-up contacts. Thin: parse, call
a service or a selector, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from ryadom.aftercare import contacts, selectors, services
from ryadom.aftercare.forms import AttemptForm, DelegateForm, PlanForm
from ryadom.aftercare.models import FollowUpContact
from ryadom.core.pages import domain_errors
from ryadom.veterans.pages import accepted, actor_of, form_page, told


@login_required
@domain_errors
def home(request: HttpRequest) -> HttpResponse:
    """Discharges waiting for a plan, the actor's contacts due, and the plans they may read."""
    actor = actor_of(request)
    context = {
        "discharges": selectors.discharges_without_plan(actor=actor)[:50],
        "due": selectors.contacts_due(actor=actor, on=timezone.localdate())[:50],
        "plans": selectors.plan_list(actor=actor)[:50],
    }
    return render(request, "aftercare/home.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def plan_new(request: HttpRequest, stay_id: int) -> HttpResponse:
    """The liaison or coordinator writes the plan of a discharge, on a phone if need be."""
    actor = actor_of(request)
    stay = selectors.discharge_get_for_plan(actor=actor, stay_id=stay_id)
    form = PlanForm(request.POST or None, stay=stay)
    call = lambda: services.plan_record(actor=actor, stay=stay, data=form.values())  # noqa: E731
    if request.method == "POST" and accepted(form, call):
        messages.success(request, _("The discharge plan is recorded."))
        return redirect("aftercare:home")
    return form_page(request, "aftercare/plan_new.html", form, stay=stay)


@login_required
@domain_errors
def plan(request: HttpRequest, plan_id: int) -> HttpResponse:
    """One plan: where home is, what is needed, who owns it, its contacts."""
    found = selectors.plan_get_for_user(actor=actor_of(request), plan_id=plan_id)
    return render(request, "aftercare/plan.html", {"plan": found})


@login_required
@require_POST
@domain_errors
def plan_hand_over(request: HttpRequest, plan_id: int) -> HttpResponse:
    """Hand over a plan that waited for the veteran's consent."""
    actor = actor_of(request)
    found = selectors.plan_get_for_user(actor=actor, plan_id=plan_id)
    told(
        request,
        lambda: services.plan_hand_over(actor=actor, plan=found),
        _("The plan is handed over to the home region."),
    )
    return redirect("aftercare:plan", plan_id=found.pk)


def _contact_page(
    request: HttpRequest, contact: FollowUpContact, form: AttemptForm, status: int = 200
) -> HttpResponse:
    context = {
        "contact": contact,
        "form": form,
        "delegate_form": DelegateForm(region_id=contact.plan.home_region_id),
        "may_delegate": contacts.coordinates_home(actor_of(request), contact.plan),
    }
    return render(request, "aftercare/contact.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def contact(request: HttpRequest, contact_id: int) -> HttpResponse:
    """Make a follow-up contact: the veteran's numbers, then what came of the call."""
    actor = actor_of(request)
    found = selectors.contact_get_for_user(actor=actor, contact_id=contact_id)
    form = AttemptForm(request.POST or None)
    call = lambda: contacts.contact_attempt_record(actor=actor, contact=found, **form.values())  # noqa: E731
    if request.method == "POST" and accepted(form, call):
        messages.success(request, _("The attempt is recorded."))
        return redirect("aftercare:contact", contact_id=found.pk)
    return _contact_page(request, found, form, status=400 if form.errors else 200)


@login_required
@require_POST
@domain_errors
def contact_delegate(request: HttpRequest, contact_id: int) -> HttpResponse:
    """The home coordinator gives the contact to an NGO of the home region."""
    actor = actor_of(request)
    found = selectors.contact_get_for_user(actor=actor, contact_id=contact_id)
    form = DelegateForm(request.POST, region_id=found.plan.home_region_id)
    call = lambda: contacts.contact_delegate(actor=actor, contact=found, **form.cleaned_data)  # noqa: E731
    if accepted(form, call):
        messages.success(request, _("The contact is given to the NGO."))
    return redirect("aftercare:contact", contact_id=found.pk)
