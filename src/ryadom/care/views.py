"""Pages for care requests: parse the form, call the same services and selectors as the API,
render. Domain errors reach pages through `core/pages.py` (`domain_errors`, `form_error`) only."""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable
from typing import Any, cast

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from ryadom.accounts.models import User
from ryadom.care import page_selectors, qr, services
from ryadom.care.forms import (
    ACTION_FORMS,
    AskSendForm,
    AskServiceForm,
    AskWhenForm,
    AssignForm,
    BulkTriageForm,
    FeedbackForm,
    IntakeForm,
    OutcomeForm,
    PageForm,
    QueueFilterForm,
    WardForm,
)
from ryadom.care.lifecycle import Action
from ryadom.care.models import CareRequest, Channel, Urgency
from ryadom.care.selectors import (
    NEEDS_ACTION,
    complaint_get_for_coordinator,
    request_get_for_action,
    request_get_for_user,
    request_list,
    volunteer_hours,
)
from ryadom.core.errors import ApplicationError, NotFoundError
from ryadom.core.pages import attempt, domain_errors, errors_text, forms_error
from ryadom.institutions.models import Department
from ryadom.veterans.need_to_know import sees_full_names
from ryadom.volunteers.models import Volunteer

QUEUE_PAGE_SIZE = 50

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
    return services.request_schedule(actor=actor, request=obj, starts=starts, ends=ends)


# Each action, performed by its service with the action form's cleaned input.
PERFORM: dict[Action, Callable[[User, CareRequest, Any], object]] = {
    Action.TRIAGE: lambda a, r, f: services.request_triage(
        actor=a, request=r, note=f.cleaned_data["note"]
    ),
    Action.ASSIGN: lambda a, r, f: services.request_assign(
        actor=a, request=r, volunteer=f.cleaned_data["volunteer"], note=f.cleaned_data["note"]
    ),
    Action.CLAIM: lambda a, r, f: services.request_claim(actor=a, request=r),
    Action.DECLINE: lambda a, r, f: services.request_decline(
        actor=a, request=r, reason=f.cleaned_data["reason"]
    ),
    Action.SCHEDULE: lambda a, r, f: _schedule(a, r, f),
    Action.CHECK_IN: lambda a, r, f: services.request_check_in(actor=a, request=r),
    Action.COMPLETE: lambda a, r, f: services.request_complete(
        actor=a, request=r, outcome=f.cleaned_data["outcome"]
    ),
    Action.CONFIRM: lambda a, r, f: services.request_confirm(actor=a, request=r),
    Action.CANCEL: lambda a, r, f: services.request_cancel(
        actor=a, request=r, reason=f.cleaned_data["reason"]
    ),
    Action.REOPEN: lambda a, r, f: services.request_reopen(
        actor=a, request=r, reason=f.cleaned_data["reason"]
    ),
}


# --- small helpers -------------------------------------------------------------------------


def _actor(request: HttpRequest) -> User:
    return cast(User, request.user)  # every page here is behind login_required


def _next_url(request: HttpRequest) -> str | None:
    """The page to return to, when it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


def _new_key() -> str:
    return uuid.uuid4().hex


def _detail_url(obj: CareRequest) -> str:
    return reverse("care:request_detail", args=[obj.pk])


def _hours_text(total: datetime.timedelta) -> str:
    minutes = int(total.total_seconds() // 60)
    return _("%(hours)d h %(minutes)d min") % {"hours": minutes // 60, "minutes": minutes % 60}


# --- /ask/: a veteran or a relative asks in three steps ------------------------------------


def _initial_from(data: dict[str, str], *bound: forms.Form) -> dict[str, Any]:
    """Values to show again when the person steps back: what they typed, with the fields
    that parsed as their parsed values (so a hidden "False" stays unticked)."""
    initial: dict[str, Any] = dict(data)
    for form in bound:
        form.is_valid()
        for name, value in form.cleaned_data.items():
            if name in form.fields and not isinstance(value, Model):
                initial[name] = value
    return initial


def _ask_render(
    request: HttpRequest,
    step: int,
    service_form: AskServiceForm,
    when_form: AskWhenForm,
    send_form: AskSendForm,
    status: int = 200,
) -> HttpResponse:
    context: dict[str, Any] = {
        "step": step,
        "steps": [_("What help"), _("When and details"), _("Check and send")],
        "service_form": service_form,
        "when_form": when_form,
        "send_form": send_form,
    }
    if step == 3:
        institution, department = service_form.place()
        zone = institution.region.zone if institution else None
        data = when_form.cleaned_data
        context["summary"] = {
            "veteran": service_form.cleaned_data["veteran"],
            "service": service_form.cleaned_data["service"],
            "institution": institution,
            "department": department,
            "urgency": Urgency(data["urgency"]).label,
            "window": when_form.window(zone) if zone else None,
            "timezone": institution.region.timezone if institution else None,
            "details": data.get("details", ""),
            "wants_previous_volunteer": data.get("wants_previous_volunteer", False),
        }
    return render(request, "care/ask.html", context, status=status)


def _ask_send(
    request: HttpRequest,
    actor: User,
    service_form: AskServiceForm,
    when_form: AskWhenForm,
    send_form: AskSendForm,
) -> HttpResponse:
    institution, department = service_form.place()
    if institution is None:
        send_form.add_error(None, _("The veteran is not in treatment now."))
        return _ask_render(request, 3, service_form, when_form, send_form, status=400)
    s, w = service_form.cleaned_data, when_form.cleaned_data
    try:
        services.request_create(
            actor=actor,
            service_type=s["service"],
            institution=institution,
            department=department,
            veteran=s["veteran"],
            details=w.get("details", ""),
            urgency=w["urgency"],
            window=when_form.window(institution.region.zone),
            channel=Channel.WEB,
            wants_previous_volunteer=w.get("wants_previous_volunteer", False),
            idempotency_key=send_form.cleaned_data["key"],
        )
    except ApplicationError as exc:
        target = forms_error(exc, [service_form, when_form], fallback=send_form)
        step = 1 if target is service_form else 2 if target is when_form else 3
        return _ask_render(request, step, service_form, when_form, send_form, status=400)
    messages.success(
        request,
        _("Your request is sent. The coordinator of the region will find a helper."),
    )
    return redirect("care:my")


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def ask(request: HttpRequest) -> HttpResponse:
    """Ask for help for oneself or for a veteran one acts for: what, when, check and send."""
    actor = _actor(request)
    veterans = page_selectors.veterans_acting_for(actor=actor)
    if not veterans.exists():
        return render(request, "care/ask.html", {"step": 0})
    if request.method == "GET":
        ward = {k: request.GET.get(k) for k in ("institution", "department")}
        return _ask_render(
            request,
            1,
            AskServiceForm(veterans=veterans, initial=ward),
            AskWhenForm(),
            AskSendForm(initial={"key": _new_key()}),
        )
    data = request.POST
    service_form = AskServiceForm(data, veterans=veterans)
    when_form = AskWhenForm(data)
    send_form = AskSendForm(data)
    to = data.get("to", "1")
    if to == "1":
        initial = _initial_from(data.dict(), service_form, when_form)
        back = AskServiceForm(veterans=veterans, initial=initial)
        return _ask_render(request, 1, back, AskWhenForm(initial=initial), send_form)
    if not service_form.is_valid():
        initial = _initial_from(data.dict(), when_form)
        return _ask_render(
            request, 1, service_form, AskWhenForm(initial=initial), send_form, status=400
        )
    if to == "2":
        initial = _initial_from(data.dict(), when_form)
        return _ask_render(request, 2, service_form, AskWhenForm(initial=initial), send_form)
    if not when_form.is_valid():
        return _ask_render(request, 2, service_form, when_form, send_form, status=400)
    if to == "send" and send_form.is_valid():
        return _ask_send(request, actor, service_form, when_form, send_form)
    return _ask_render(request, 3, service_form, when_form, send_form)


# --- the ward link, its poster and QR code -------------------------------------------------


def _ward_link(request: HttpRequest, department: Department) -> str:
    path = reverse("care:ward", args=[department.institution_id, department.pk])
    return request.build_absolute_uri(path)


@require_http_methods(["GET", "POST"])
@domain_errors
def ward(request: HttpRequest, institution_id: int, department_id: int) -> HttpResponse:
    """The ward link: ward staff ask for a patient or the whole ward; a veteran or a
    relative goes on to /ask/ with the ward set; anyone else chooses who they are and signs
    up (or in) from there."""
    actor = _actor(request)
    department = page_selectors.ward_get(institution_id=institution_id, department_id=department_id)
    institution = department.institution
    if not page_selectors.may_use_ward_form(actor=actor, institution=institution):
        query = urlencode({"institution": institution.pk, "department": department.pk})
        if page_selectors.page_roles(actor=actor).requester:
            return redirect(f"{reverse('care:ask')}?{query}")
        here = urlencode({"next": request.path})
        return redirect(f"{reverse('veterans:start')}?{query}&{here}")
    if request.method == "GET":
        form = WardForm(actor=actor, department=department, initial={"key": _new_key()})
    else:
        form = WardForm(request.POST, actor=actor, department=department)
        if form.is_valid():
            d = form.cleaned_data
            created = attempt(
                form,
                lambda: services.request_create(
                    actor=actor,
                    service_type=d["service"],
                    institution=institution,
                    department=department,
                    veteran=d["veteran"],
                    details=d["details"],
                    urgency=d["urgency"],
                    window=form.window(institution.region.zone),
                    channel=Channel.WARD,
                    idempotency_key=d["key"],
                ),
            )
            if created is not None:
                messages.success(request, _("The request is sent to the coordinator."))
                return redirect(_detail_url(created))
    context = {"form": form, "department": department, "institution": institution}
    return render(request, "care/ward_form.html", context, status=400 if form.errors else 200)


@require_GET
@domain_errors
def ward_poster(request: HttpRequest, institution_id: int, department_id: int) -> HttpResponse:
    """A printable poster for the ward: scan the code to ask for help."""
    department = page_selectors.ward_get(institution_id=institution_id, department_id=department_id)
    context = {
        "department": department,
        "institution": department.institution,
        "link": _ward_link(request, department),
    }
    return render(request, "care/poster.html", context)


@require_GET
@domain_errors
def ward_qr(request: HttpRequest, institution_id: int, department_id: int) -> HttpResponse:
    """The ward link as a QR code (PNG)."""
    department = page_selectors.ward_get(institution_id=institution_id, department_id=department_id)
    response = HttpResponse(qr.qr_png(_ward_link(request, department)), content_type="image/png")
    response["Cache-Control"] = "public, max-age=86400"
    return response


# --- the coordinator: phone entry, queue, bulk triage --------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def request_new(request: HttpRequest) -> HttpResponse:
    """A coordinator enters a request for someone who phoned."""
    actor = _actor(request)
    if not page_selectors.page_roles(actor=actor).coordinator:
        raise PermissionDenied
    if request.method == "GET":
        form = IntakeForm(actor=actor, initial={"key": _new_key()})
    else:
        form = IntakeForm(request.POST, actor=actor)
        if form.is_valid():
            d = form.cleaned_data
            created = attempt(
                form,
                lambda: services.request_create(
                    actor=actor,
                    service_type=d["service"],
                    institution=d["institution"],
                    department=d["department"],
                    veteran=d["veteran"],
                    details=d["details"],
                    urgency=d["urgency"],
                    window=form.window(d["institution"].region.zone),
                    channel=Channel.PHONE,
                    requester_name=d["requester_name"],
                    idempotency_key=d["key"],
                ),
            )
            if created is not None:
                messages.success(request, _("The request is entered."))
                return redirect(_detail_url(created))
    status = 400 if form.errors else 200
    return render(request, "care/request_new.html", {"form": form}, status=status)


@login_required
@require_GET
@domain_errors
def queue(request: HttpRequest) -> HttpResponse:
    """The requests the coordinator (or the liaison) may see, soonest deadline first."""
    actor = _actor(request)
    roles = page_selectors.page_roles(actor=actor)
    if not roles.queue:
        raise PermissionDenied
    data = request.GET.copy()
    # The queue opens on what still needs someone to act; "All" is one choice away.
    data.setdefault("status", NEEDS_ACTION)
    filter_form = QueueFilterForm(data, actor=actor)
    filters = filter_form.filters()
    page = Paginator(request_list(actor=actor, filters=filters), QUEUE_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    query = data.copy()
    query.pop("page", None)
    context = {
        "filter_form": filter_form,
        "page": page,
        "overdue": page_selectors.overdue_ids(actor=actor, ids=[r.pk for r in page]),
        "can_triage": roles.coordinator,
        "query": query.urlencode(),
    }
    return render(request, "care/queue.html", context)


@login_required
@require_POST
@domain_errors
def queue_triage(request: HttpRequest) -> HttpResponse:
    """Triage the selected requests one by one; say how many went through and why the
    others did not. A request the actor may not see is reported, not a 404 for the batch."""
    actor = _actor(request)
    back = _next_url(request) or reverse("care:queue")
    form = BulkTriageForm(request.POST)
    if not form.is_valid():
        messages.error(request, errors_text(form))
        return redirect(back)
    done = 0
    for pk in form.cleaned_data["ids"]:
        try:
            obj = request_get_for_user(actor=actor, request_id=pk)
            services.request_triage(actor=actor, request=obj)
        except NotFoundError:
            messages.error(request, _("Request #%(id)d was not found.") % {"id": pk})
        except ApplicationError as exc:
            messages.error(
                request,
                _("Request #%(id)d was not triaged: %(reason)s")
                % {"id": pk, "reason": exc.message},
            )
        else:
            done += 1
    if done:
        messages.success(
            request,
            ngettext("%(n)d request triaged.", "%(n)d requests triaged.", done) % {"n": done},
        )
    return redirect(back)


# --- one request ---------------------------------------------------------------------------


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


def _feedback_form(obj: CareRequest, data: Any = None) -> FeedbackForm:
    return FeedbackForm(data, auto_id=f"feedback-{obj.pk}-%s")


def _render_detail(
    request: HttpRequest,
    actor: User,
    obj: CareRequest,
    failed: tuple[Action | str, forms.Form] | None = None,
) -> HttpResponse:
    actions = page_selectors.request_actions(actor=actor, request=obj)
    volunteers = (
        page_selectors.eligible_volunteers(actor=actor, request=obj)
        if Action.ASSIGN in actions
        else []
    )
    failed_key, failed_form = failed if failed else (None, None)
    action_forms = []
    # The confirm button is the feedback form's "yes, it was done".
    shown: list[Action] = [a for a in actions if a in PERFORM and a is not Action.CONFIRM]
    if isinstance(failed_key, Action) and failed_key not in shown:
        shown.append(failed_key)  # keep the error in sight even if the state has moved on
    for action in shown:
        form = (
            failed_form
            if failed_key == action and failed_form is not None
            else _action_form(action, obj, volunteers=volunteers)
        )
        action_forms.append({"action": action, "label": ACTION_LABELS[action], "form": form})
    feedback = failed_form if failed_key == "feedback" else None
    if feedback is None and Action.CONFIRM in actions:
        feedback = _feedback_form(obj)
    context = {
        "obj": obj,
        "complaints": page_selectors.complaints_to_answer(actor=actor, request=obj),
        "timeline": [(e, EVENT_LABELS.get(e.action, e.action)) for e in obj.events.all()],
        "action_forms": action_forms,
        "feedback_form": feedback,
        "no_volunteers": Action.ASSIGN in actions and not volunteers,
        "sees_full_names": sees_full_names(actor),
        # dispatch's {% suggested_volunteers %} shows the engine's best five above the list.
        "assignable": bool(volunteers),
        "card": page_selectors.veteran_card(actor=actor, request=obj),
    }
    return render(request, "care/request_detail.html", context, status=400 if failed else 200)


@login_required
@require_GET
@domain_errors
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """One request: details, timeline, and a form for each thing the actor may do now."""
    actor = _actor(request)
    return _render_detail(request, actor, request_get_for_user(actor=actor, request_id=pk))


@login_required
@require_POST
@domain_errors
def request_act(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take one action of the lifecycle through its service."""
    try:
        act = Action(action)
    except ValueError:
        raise Http404 from None
    if act not in PERFORM:  # taken by the system only (a transfer), never from a page
        raise Http404
    actor = _actor(request)
    back = _next_url(request)
    obj = request_get_for_action(actor=actor, request_id=pk, action=act)
    volunteers = (
        page_selectors.eligible_volunteers(actor=actor, request=obj)
        if act is Action.ASSIGN
        else None
    )
    form = _action_form(act, obj, data=request.POST, volunteers=volunteers)
    if form.is_valid() and attempt(form, lambda: PERFORM[act](actor, obj, form)) is not None:
        messages.success(request, str(ACTION_DONE[act]))
        return redirect(back or _detail_url(obj))
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
    return _render_detail(request, actor, obj, failed=(act, form))


@login_required
@require_POST
@domain_errors
def request_feedback(request: HttpRequest, pk: int) -> HttpResponse:
    """The requester side says whether it was done and how they were treated."""
    actor = _actor(request)
    obj = request_get_for_user(actor=actor, request_id=pk)
    form = _feedback_form(obj, request.POST)
    if form.is_valid():
        answers = form.answers()
        feedback = attempt(
            form, lambda: services.request_feedback(actor=actor, request=obj, **answers)
        )
        if feedback is not None:
            if answers["done"]:
                messages.success(request, _("Thank you. Your answer is recorded."))
            else:
                messages.success(
                    request,
                    _("Thank you. The coordinator will look into it and find another helper."),
                )
            return redirect(_next_url(request) or _detail_url(obj))
    obj = request_get_for_user(actor=actor, request_id=pk)
    return _render_detail(request, actor, obj, failed=("feedback", form))


# --- the volunteer and the requester -------------------------------------------------------


@login_required
@require_GET
@domain_errors
def volunteer_home(request: HttpRequest) -> HttpResponse:
    """Requests near me I can take, my schedule with check-in and check-out, my hours."""
    actor = _actor(request)
    volunteer = page_selectors.volunteer_of(actor=actor)
    if volunteer is None:
        raise PermissionDenied
    schedule = []
    for row in page_selectors.volunteer_schedule(actor=actor, volunteer=volunteer):
        actions = page_selectors.request_actions(actor=actor, request=row)
        schedule.append(
            {
                "obj": row,
                "actions": actions,
                "outcome_form": OutcomeForm(auto_id=f"complete-{row.pk}-%s")
                if Action.COMPLETE in actions
                else None,
            }
        )
    context = {
        "volunteer": volunteer,
        "open_requests": page_selectors.volunteer_open_requests(actor=actor, volunteer=volunteer),
        "schedule": schedule,
        "hours": _hours_text(volunteer_hours(volunteer=volunteer)),
        "Action": {a.name: a.value for a in Action},
    }
    return render(request, "care/volunteer.html", context)


@login_required
@require_GET
@domain_errors
def my_requests(request: HttpRequest) -> HttpResponse:
    """My requests (and those for a veteran I act for), with their status in plain words."""
    actor = _actor(request)
    rows = [
        {"obj": r, "feedback_form": _feedback_form(r) if r.can_confirm else None}  # type: ignore[attr-defined]
        for r in page_selectors.my_requests(actor=actor)
    ]
    return render(request, "care/my_requests.html", {"rows": rows})


class ComplaintAnswerForm(PageForm):
    answer = forms.CharField(
        label=gettext_lazy("Answer to the veteran"), widget=forms.Textarea(attrs={"rows": 3})
    )
    upheld = forms.BooleanField(label=gettext_lazy("The complaint is justified"), required=False)


@login_required
@require_POST
@domain_errors
def complaint_answer(request: HttpRequest, pk: int, complaint_id: int) -> HttpResponse:
    """The coordinator answers a complaint opened by a "no" in feedback."""
    actor = _actor(request)
    complaint = complaint_get_for_coordinator(actor=actor, complaint_id=complaint_id)
    form = ComplaintAnswerForm(request.POST)
    answered = form.is_valid() and (
        attempt(
            form,
            lambda: services.complaint_answer(
                actor=actor,
                complaint=complaint,
                answer=form.cleaned_data["answer"],
                upheld=form.cleaned_data["upheld"],
            ),
        )
        is not None
    )
    if answered:
        messages.success(request, _("Your answer is recorded."))
    else:
        messages.error(request, errors_text(form))
    return redirect(_detail_url(complaint.request))
