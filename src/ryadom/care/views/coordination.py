"""The coordinator's (and the liaison's) pages: the queue, triage of several requests at
once, answering a complaint."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_POST

from ryadom.care import page_selectors
from ryadom.care.forms import BulkTriageForm, ComplaintAnswerForm, QueueFilterForm
from ryadom.care.selectors import complaint_get_for_coordinator
from ryadom.care.services import coordination
from ryadom.care.views.common import actor_of, detail_url, submitted
from ryadom.core.pages import domain_errors, errors_text, safe_next


@login_required
@require_GET
@domain_errors
def queue(request: HttpRequest) -> HttpResponse:
    """The requests the coordinator (or the liaison) may see, soonest deadline first."""
    actor = actor_of(request)
    roles = page_selectors.page_roles(actor=actor)
    if not roles.queue:
        raise PermissionDenied
    filter_form = QueueFilterForm.of_query(request.GET, actor=actor)
    number = request.GET.get("page")
    shown = page_selectors.queue_page(actor=actor, filters=filter_form.filters(), number=number)
    context = {"filter_form": filter_form, "queue": shown, "can_triage": roles.coordinator}
    return render(request, "care/queue.html", context)


def _tell(request: HttpRequest, outcome: coordination.Triaged) -> None:
    for refusal in outcome.refusals:
        messages.error(request, refusal)
    if outcome.done:
        n = outcome.done
        messages.success(
            request, ngettext("%(n)d request triaged.", "%(n)d requests triaged.", n) % {"n": n}
        )


@login_required
@require_POST
@domain_errors
def queue_triage(request: HttpRequest) -> HttpResponse:
    """Triage the selected requests one by one; say how many went through and why the
    others did not."""
    back = safe_next(request) or reverse("care:queue")
    form = BulkTriageForm(request.POST)
    if form.is_valid():
        ids = form.cleaned_data["ids"]
        _tell(request, coordination.requests_triage(actor=actor_of(request), ids=ids))
    else:
        messages.error(request, errors_text(form))
    return redirect(back)


@login_required
@require_POST
@domain_errors
def complaint_answer(request: HttpRequest, pk: int, complaint_id: int) -> HttpResponse:
    """The coordinator answers a complaint opened by a "no" in feedback."""
    actor = actor_of(request)
    complaint = complaint_get_for_coordinator(actor=actor, complaint_id=complaint_id)
    form = ComplaintAnswerForm(request.POST)
    if submitted(
        form,
        lambda: coordination.complaint_answer(
            actor=actor, complaint=complaint, **form.cleaned_data
        ),
    ):
        messages.success(request, _("Your answer is recorded."))
    else:
        messages.error(request, errors_text(form))
    return redirect(detail_url(complaint.request))
