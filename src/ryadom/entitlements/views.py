"""The navigator's pages: the public catalogue, the veteran's (or relative's, or
coordinator's) questions and checklist, marks, and "a payment is late or wrong". Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest
from ryadom.core.pages import domain_errors
from ryadom.entitlements import selectors, services
from ryadom.entitlements.forms import CircumstancesForm, MarkForm, PaymentIssueForm
from ryadom.veterans.models import Veteran
from ryadom.veterans.pages import accepted, actor_of, form_page
from ryadom.veterans.selectors import veterans_acting_for


@require_GET
def catalogue(request: HttpRequest) -> HttpResponse:
    """Every measure in force: public reference, marked when it is the demo sample."""
    measures = list(selectors.measure_list())
    demo = any(m.is_demo_sample for m in measures)
    return render(request, "entitlements/catalogue.html", {"measures": measures, "demo": demo})


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    """The veteran's own checklist, or the choice of whom a relative acts for."""
    veterans = list(veterans_acting_for(actor=actor_of(request)))
    if len(veterans) == 1:
        return redirect("entitlements:checklist", veteran_id=veterans[0].pk)
    return render(request, "entitlements/mine.html", {"veterans": veterans})


@login_required
@require_GET
@domain_errors
def checklist(request: HttpRequest, veteran_id: int) -> HttpResponse:
    """The personal checklist: what to apply for, how, and what is already marked."""
    found = selectors.checklist_get_for_user(actor=actor_of(request), veteran_id=veteran_id)
    context = {"checklist": found, "mark_form": MarkForm(), "issue_form": PaymentIssueForm()}
    return render(request, "entitlements/checklist.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def answers(request: HttpRequest, veteran_id: int) -> HttpResponse:
    """The navigator's questions, by the veteran, a relative or their coordinator."""
    actor = actor_of(request)
    veteran = selectors.veteran_for_navigator(actor=actor, veteran_id=veteran_id)
    record = selectors.circumstances_of(veteran=veteran)
    form = CircumstancesForm.of(record, veteran.home_region, request.POST or None)
    if request.method == "POST" and accepted(
        form,
        lambda: services.circumstances_record(actor=actor, veteran=veteran, **form.cleaned_data),
    ):
        messages.success(request, _("Saved. Here is what you are likely entitled to."))
        return redirect("entitlements:checklist", veteran_id=veteran.pk)
    return form_page(request, "entitlements/answers.html", form, veteran=veteran)


@login_required
@require_POST
@domain_errors
def mark(request: HttpRequest, veteran_id: int, code: str) -> HttpResponse:
    """Mark one measure applied, granted or refused."""
    actor = actor_of(request)
    veteran = selectors.veteran_for_navigator(actor=actor, veteran_id=veteran_id)
    measure, form = selectors.measure_get(code=code), MarkForm(request.POST)
    if accepted(
        form,
        lambda: services.checklist_mark(
            actor=actor, veteran=veteran, measure=measure, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Marked. Thank you."))
    else:
        messages.error(request, _("Choose applied, granted or refused."))
    return redirect("entitlements:checklist", veteran_id=veteran.pk)


@login_required
@require_POST
@domain_errors
def payment_issue(request: HttpRequest, veteran_id: int) -> HttpResponse:
    """ "A payment is late or wrong", in one step from the checklist."""
    actor = actor_of(request)
    veteran = selectors.veteran_for_navigator(actor=actor, veteran_id=veteran_id)
    form = PaymentIssueForm(request.POST)
    if accepted(form, lambda: _issue_report(actor, veteran, form)):
        messages.success(request, _("Sent. The person responsible for payments will contact you."))
        return redirect("entitlements:checklist", veteran_id=veteran.pk)
    found = selectors.checklist_get_for_user(actor=actor, veteran_id=veteran.pk)
    context = {"checklist": found, "mark_form": MarkForm()}
    return form_page(request, "entitlements/checklist.html", form, issue_form=form, **context)


def _issue_report(actor: User, veteran: Veteran, form: PaymentIssueForm) -> CareRequest:
    code = form.cleaned_data["measure"]
    measure = selectors.measure_get(code=code) if code else None
    details = form.cleaned_data["details"]
    return services.payment_issue_report(
        actor=actor, veteran=veteran, measure=measure, details=details
    )
