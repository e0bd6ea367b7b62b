"""The requester's side: my requests (and those of a veteran I act for), and saying whether
it was done and how they were treated."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ryadom.care import page_selectors
from ryadom.care.selectors import request_get_for_user
from ryadom.care.services import requester
from ryadom.care.views.common import actor_of, detail_url, submitted
from ryadom.care.views.request_page import feedback_form, render_detail
from ryadom.core.pages import domain_errors, safe_next

# What the page says once feedback is given, by whether it was done.
FEEDBACK_THANKS: dict[bool, str | Promise] = {
    True: gettext_lazy("Thank you. Your answer is recorded."),
    False: gettext_lazy("Thank you. The coordinator will look into it and find another helper."),
}


@login_required
@require_GET
@domain_errors
def my_requests(request: HttpRequest) -> HttpResponse:
    """My requests (and those for a veteran I act for), with their status in plain words."""
    actor = actor_of(request)
    rows = [
        {"obj": r, "feedback_form": feedback_form(r) if r.can_confirm else None}  # type: ignore[attr-defined]
        for r in page_selectors.my_requests(actor=actor)
    ]
    return render(request, "care/my_requests.html", {"rows": rows})


@login_required
@require_POST
@domain_errors
def request_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The requester side says whether it was done and how they were treated."""
    actor = actor_of(request)
    obj = request_get_for_user(actor=actor, request_id=pk)
    form = feedback_form(obj, request.POST)
    if submitted(
        form, lambda: requester.request_feedback(actor=actor, request=obj, **form.answers())
    ):
        messages.success(request, str(FEEDBACK_THANKS[form.answers()["done"]]))
        return redirect(safe_next(request) or detail_url(obj))
    obj = request_get_for_user(actor=actor, request_id=pk)
    return render_detail(request, actor, obj, failed=("feedback", form))
