"""One request: its page, with a form for each thing the actor may do now, and taking an
action. Everyone on a request uses it: the coordinator, the helper, the requester side."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from ryadom.accounts.models import User
from ryadom.care import page_selectors
from ryadom.care.forms import ACTION_FORMS, AssignForm, FeedbackForm, PageForm
from ryadom.care.lifecycle import Action
from ryadom.care.models import CareRequest
from ryadom.care.selectors import request_get_for_action, request_get_for_user
from ryadom.care.services import coordination, requester, volunteer_work
from ryadom.care.views.common import actor_of, detail_url, submitted
from ryadom.core.errors import NotFoundError
from ryadom.core.pages import domain_errors, errors_text, safe_next
from ryadom.veterans.need_to_know import sees_full_names
from ryadom.volunteers.models import Volunteer

# Button text of each action.
ACTION_LABELS: dict[Action, str | Promise] = {
    Action.TRIAGE: gettext_lazy("Open it for helpers"),
    Action.ASSIGN: gettext_lazy("Assign"),
    Action.CLAIM: gettext_lazy("Take this request"),
    Action.DECLINE: gettext_lazy("Give it back"),
    Action.SCHEDULE: gettext_lazy("Plan the visit"),
    Action.CHECK_IN: gettext_lazy("I have arrived (check in)"),
    Action.COMPLETE: gettext_lazy("Done (check out)"),
    Action.CONFIRM: gettext_lazy("Confirm it was done"),
    Action.CANCEL: gettext_lazy("Cancel the request"),
    Action.REOPEN: gettext_lazy("Reopen the request"),
}
# What the page says once an action has been taken.
ACTION_DONE: dict[Action, str | Promise] = {
    Action.TRIAGE: gettext_lazy("The request is open for helpers."),
    Action.ASSIGN: gettext_lazy("The helper is assigned."),
    Action.CLAIM: gettext_lazy("You took the request. Plan the visit."),
    Action.DECLINE: gettext_lazy("The request is back in the queue."),
    Action.SCHEDULE: gettext_lazy("The visit is planned."),
    Action.CHECK_IN: gettext_lazy("Checked in. Thank you for coming."),
    Action.COMPLETE: gettext_lazy("Checked out. The veteran will be asked to confirm."),
    Action.CONFIRM: gettext_lazy("Confirmed. Thank you."),
    Action.CANCEL: gettext_lazy("The request is cancelled."),
    Action.REOPEN: gettext_lazy("The request is reopened."),
}
# How each step of the timeline reads.
EVENT_LABELS: dict[str, str | Promise] = {
    "create": gettext_lazy("Asked for help"),
    Action.TRIAGE: gettext_lazy("Checked by the coordinator"),
    Action.ASSIGN: gettext_lazy("Helper assigned"),
    Action.CLAIM: gettext_lazy("Taken by a volunteer"),
    Action.DECLINE: gettext_lazy("Given back"),
    Action.SCHEDULE: gettext_lazy("Visit planned"),
    Action.CHECK_IN: gettext_lazy("Helper arrived"),
    Action.COMPLETE: gettext_lazy("Helper finished"),
    Action.CONFIRM: gettext_lazy("Confirmed"),
    Action.CANCEL: gettext_lazy("Cancelled"),
    Action.REOPEN: gettext_lazy("Reopened"),
    "escalate": gettext_lazy("Deadline missed: escalated"),
    "transfer": gettext_lazy("The veteran moved to another place"),
    "move": gettext_lazy("The veteran moved to another place"),
}


def _schedule(actor: User, obj: CareRequest, form: Any) -> CareRequest:
    starts, ends = form.window(obj.institution.region.zone)
    return volunteer_work.request_schedule(actor=actor, request=obj, starts=starts, ends=ends)


# Each action, performed by its service with the action form's cleaned input.
PERFORM: dict[Action, Callable[[User, CareRequest, Any], object]] = {
    Action.TRIAGE: lambda a, r, f: coordination.request_triage(
        actor=a, request=r, note=f.cleaned_data["note"]
    ),
    Action.ASSIGN: lambda a, r, f: coordination.request_assign(
        actor=a, request=r, volunteer=f.cleaned_data["volunteer"], note=f.cleaned_data["note"]
    ),
    Action.CLAIM: lambda a, r, f: volunteer_work.request_claim(actor=a, request=r),
    Action.DECLINE: lambda a, r, f: volunteer_work.request_decline(
        actor=a, request=r, reason=f.cleaned_data["reason"]
    ),
    Action.SCHEDULE: lambda a, r, f: _schedule(a, r, f),
    Action.CHECK_IN: lambda a, r, f: volunteer_work.request_check_in(actor=a, request=r),
    Action.COMPLETE: lambda a, r, f: volunteer_work.request_complete(
        actor=a, request=r, outcome=f.cleaned_data["outcome"]
    ),
    Action.CONFIRM: lambda a, r, f: requester.request_confirm(actor=a, request=r),
    Action.CANCEL: lambda a, r, f: coordination.request_cancel(
        actor=a, request=r, reason=f.cleaned_data["reason"]
    ),
    Action.REOPEN: lambda a, r, f: coordination.request_reopen(
        actor=a, request=r, reason=f.cleaned_data["reason"]
    ),
}


def _action_form(
    action: Action,
    obj: CareRequest,
    data: Any = None,
    volunteers: list[Volunteer] | None = None,
) -> PageForm:
    # Several forms share a page: ids carry the action and the request.
    kwargs: dict[str, Any] = {"auto_id": f"{action}-{obj.pk}-%s"}
    if ACTION_FORMS[action] is AssignForm:
        kwargs["volunteers"] = volunteers or []
    return ACTION_FORMS[action](data, **kwargs)


def feedback_form(obj: CareRequest, data: Any = None) -> FeedbackForm:
    return FeedbackForm(data, auto_id=f"feedback-{obj.pk}-%s")


# A refused form to show again: the action (or "feedback") and the form with its errors.
Failed = tuple[Action | str, forms.Form]


def _action_forms(
    obj: CareRequest, actions: list[Action], volunteers: list[Volunteer], failed: Failed | None
) -> list[dict[str, Any]]:
    """A form for each action the actor may take now; the refused one with its errors."""
    failed_key, failed_form = failed if failed else (None, None)
    # The confirm button is the feedback form's "yes, it was done".
    shown: list[Action] = [a for a in actions if a in PERFORM and a is not Action.CONFIRM]
    if isinstance(failed_key, Action) and failed_key not in shown:
        shown.append(failed_key)  # keep the error in sight even if the state has moved on
    rows = []
    for action in shown:
        form = (
            failed_form
            if failed_key == action and failed_form is not None
            else _action_form(action, obj, volunteers=volunteers)
        )
        rows.append({"action": action, "label": ACTION_LABELS[action], "form": form})
    return rows


def _feedback_shown(obj: CareRequest, actions: list[Action], failed: Failed | None) -> Any:
    if failed and failed[0] == "feedback":
        return failed[1]
    return feedback_form(obj) if Action.CONFIRM in actions else None


def _detail_context(actor: User, obj: CareRequest, failed: Failed | None) -> dict[str, Any]:
    actions = page_selectors.request_actions(actor=actor, request=obj)
    volunteers = (
        page_selectors.eligible_volunteers(actor=actor, request=obj)
        if Action.ASSIGN in actions
        else []
    )
    return {
        "obj": obj,
        "action_forms": _action_forms(obj, actions, volunteers, failed),
        "feedback_form": _feedback_shown(obj, actions, failed),
        "complaints": page_selectors.complaints_to_answer(actor=actor, request=obj),
        "timeline": [(e, EVENT_LABELS.get(e.action, e.action)) for e in obj.events.all()],
        "no_volunteers": Action.ASSIGN in actions and not volunteers,
        "sees_full_names": sees_full_names(actor),
        # dispatch's {% suggested_volunteers %} shows the engine's best five above the list.
        "assignable": bool(volunteers),
        "card": page_selectors.veteran_card(actor=actor, request=obj),
    }


def render_detail(
    request: HttpRequest, actor: User, obj: CareRequest, failed: Failed | None = None
) -> HttpResponse:
    """The request's page: details, timeline, and a form for each thing the actor may do
    now; with `failed`, the refused form and its errors (status 400)."""
    context = _detail_context(actor, obj, failed)
    return render(request, "care/request_detail.html", context, status=400 if failed else 200)


@login_required
@require_GET
@domain_errors
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: details, timeline, and a form for each thing the actor may do now."""
    actor = actor_of(request)
    return render_detail(request, actor, request_get_for_user(actor=actor, request_id=pk))


def _page_action(action: str) -> Action:
    """The action of the address: 404 for an unknown one, or one only the system takes (a
    transfer), never from a page."""
    try:
        act = Action(action)
    except ValueError:
        raise Http404 from None
    if act not in PERFORM:
        raise Http404
    return act


def _assignable(actor: User, obj: CareRequest, act: Action) -> list[Volunteer] | None:
    if act is not Action.ASSIGN:
        return None
    return page_selectors.eligible_volunteers(actor=actor, request=obj)


def _act_refused(
    request: HttpRequest, actor: User, pk: int, act: Action, form: PageForm
) -> HttpResponse:
    """The reason an action was refused, where the actor will see it."""
    back = safe_next(request)
    if back and not form.fields:
        # A button on a list page: the reason goes to that page's messages.
        messages.error(request, errors_text(form))
        return redirect(back)
    try:
        obj = request_get_for_user(actor=actor, request_id=pk)
    except NotFoundError:
        # Another volunteer took it a moment ago: no longer the actor's to see, so the reason
        # ("already taken") goes to the list of requests near them.
        messages.error(request, errors_text(form))
        return redirect(reverse("care:volunteer"))
    return render_detail(request, actor, obj, failed=(act, form))


@login_required
@require_POST
@domain_errors
def request_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one action of the lifecycle through its service."""
    act = _page_action(action)
    actor = actor_of(request)
    obj = request_get_for_action(actor=actor, request_id=pk, action=act)
    form = _action_form(act, obj, data=request.POST, volunteers=_assignable(actor, obj, act))
    if submitted(form, lambda: PERFORM[act](actor, obj, form)):
        messages.success(request, str(ACTION_DONE[act]))
        return redirect(safe_next(request) or detail_url(obj))
    return _act_refused(request, actor, pk, act, form)
