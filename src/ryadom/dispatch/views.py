"""Pages: "Suggest assignments" for a region, the proposals with reasons, acceptance."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ryadom.accounts.models import User
from ryadom.accounts.scopes import scope_of
from ryadom.care.page_selectors import page_roles
from ryadom.core.errors import ApplicationError
from ryadom.core.pages import attempt, domain_errors
from ryadom.dispatch import services
from ryadom.dispatch.forms import AcceptForm, RunForm
from ryadom.dispatch.models import PENDING_RUN, MatchingRun, ProposalStatus, RunStatus
from ryadom.dispatch.reasons import reasons_text, unserved_text
from ryadom.dispatch.selectors import (
    matching_regions,
    run_get_for_user,
    run_list,
    run_proposals,
    run_unserved,
)

PAGE_SIZE = 100
RECENT_RUNS = 20
REFRESH_SECONDS = 5  # how often a run's page reloads itself while the run is being solved


def _coordinator(request: HttpRequest) -> User:
    actor = cast(User, request.user)  # behind login_required
    if not page_roles(actor=actor).coordinator:
        raise PermissionDenied
    return actor


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def runs(request: HttpRequest) -> HttpResponse:
    """Start a run for a region (federal: or the country), and the recent runs."""
    actor = _coordinator(request)
    regions = matching_regions(actor=actor)
    national = scope_of(actor).federal
    chosen = request.GET.get("region")
    form = RunForm(request.POST or None, regions=regions, national=national, chosen=chosen)
    if request.method == "POST" and form.is_valid():
        run = attempt(form, lambda: services.matching_run_create(actor=actor, **form.cleaned_data))
        if run is not None:
            return redirect(reverse("dispatch:run_detail", args=[run.pk]))
    context = {"form": form, "runs": run_list(actor=actor)[:RECENT_RUNS]}
    return render(request, "dispatch/runs.html", context, status=400 if form.errors else 200)


def _detail_context(request: HttpRequest, run: MatchingRun) -> dict[str, Any]:
    page = Paginator(run_proposals(run=run), PAGE_SIZE).get_page(request.GET.get("page"))
    unserved = Paginator(run_unserved(run=run), PAGE_SIZE).get_page(request.GET.get("left"))
    return {
        "run": run,
        "page": page,
        "rows": [(p, reasons_text(p.reasons)) for p in page],
        "unserved": unserved,
        "unserved_rows": [(u, unserved_text(u.reason)) for u in unserved],
        "can_accept": not run.dry_run
        and run.proposals.filter(status=ProposalStatus.PENDING).exists(),
        "is_dry": run.status == RunStatus.DRY_RUN,
        "pending": run.status in PENDING_RUN,
        "stuck": run.stuck,
        "failed": run.status == RunStatus.FAILED,
    }


@login_required
@require_GET
@domain_errors
def run_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The proposals of a run with their reasons, the totals, and who is left with why."""
    run = run_get_for_user(actor=_coordinator(request), run_id=pk)
    response = render(request, "dispatch/run_detail.html", _detail_context(request, run))
    if run.status in PENDING_RUN and not run.stuck:
        # Browsers reload on this header without any script (the CSP allows none inline);
        # the page also offers a link, for anyone who turned automatic reloads off.
        response["Refresh"] = str(REFRESH_SECONDS)
    return response


def _tell_accepted(request: HttpRequest, done: services.Accepted) -> None:
    """Say how many helpers were assigned, and why each stale proposal was not."""
    if done.accepted:
        n = len(done.accepted)
        messages.success(
            request,
            ngettext("%(n)d helper assigned.", "%(n)d helpers assigned.", n) % {"n": n},
        )
    for p in done.stale:
        messages.error(
            request,
            _("Request #%(id)d was not assigned: %(reason)s")
            % {"id": p.request_id, "reason": p.outcome},
        )


@login_required
@require_POST
@domain_errors
def run_accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Accept every pending proposal ("all") or the ticked ones; report the stale ones."""
    actor = _coordinator(request)
    run = run_get_for_user(actor=actor, run_id=pk)
    form = AcceptForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose proposals from the list."))
        return redirect("dispatch:run_detail", run.pk)
    try:
        done = services.matching_run_accept(actor=actor, run=run, proposal_ids=form.proposal_ids())
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        _tell_accepted(request, done)
    return redirect("dispatch:run_detail", run.pk)
