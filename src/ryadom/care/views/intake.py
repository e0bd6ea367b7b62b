"""Asking for help: a veteran or a relative in three steps, ward staff from the ward link,
the coordinator for someone who phoned."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from ryadom.accounts.models import User
from ryadom.care import page_selectors, qr
from ryadom.care.intake_forms import AskSteps, IntakeForm, WardForm
from ryadom.care.models import CareRequest, Channel
from ryadom.care.services import intake
from ryadom.care.views.common import actor_of, detail_url, posted
from ryadom.core.errors import ApplicationError
from ryadom.core.pages import attempt, domain_errors
from ryadom.institutions.models import Department

ASK_SENT = gettext_lazy("Your request is sent. The coordinator of the region will find a helper.")


def _entered(
    request: HttpRequest,
    form: WardForm | IntakeForm,
    create: Callable[..., CareRequest],
    channel: str,
    done: str,
) -> HttpResponse | None:
    """Create the request a valid form describes: its page, or None with the form's errors."""
    if not form.is_valid():
        return None
    actor = actor_of(request)
    created = attempt(form, lambda: create(actor=actor, channel=channel, **form.values()))
    if created is None:
        return None
    messages.success(request, done)
    return redirect(detail_url(created))


# --- /ask/: a veteran or a relative asks in three steps ------------------------------------


def _ask_sent(actor: User, steps: AskSteps) -> bool:
    """Send the request the three steps describe; a refusal goes back on its step."""
    fields = steps.request_fields()
    if fields is None:
        return False
    try:
        intake.request_create(actor=actor, channel=Channel.WEB, **fields)
    except ApplicationError as exc:
        steps.refused(exc)
        return False
    return True


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def ask(request: HttpRequest) -> HttpResponse:
    """Ask for help for oneself or for a veteran one acts for: what, when, check and send."""
    actor = actor_of(request)
    veterans = page_selectors.veterans_acting_for(actor=actor)
    if not veterans.exists():
        return render(request, "care/ask.html", {"step": 0})
    if request.method == "GET":
        steps = AskSteps.start(veterans, request.GET)
    else:
        steps = AskSteps.posted(veterans, request.POST)
    if steps.sending and _ask_sent(actor, steps):
        messages.success(request, str(ASK_SENT))
        return redirect("care:my")
    return render(request, "care/ask.html", steps.context(), status=steps.status)


# --- the ward link, its poster and QR code -------------------------------------------------


def _ward_link(request: HttpRequest, department: Department) -> str:
    path = reverse("care:ward", args=[department.institution_id, department.pk])
    return request.build_absolute_uri(path)


def _way_in(request: HttpRequest, actor: User, department: Department) -> str:
    """Where the ward link sends someone who is not ward staff: a requester to /ask/ with
    the ward set, anyone else to choose who they are."""
    query = urlencode({"institution": department.institution_id, "department": department.pk})
    if page_selectors.page_roles(actor=actor).requester:
        return f"{reverse('care:ask')}?{query}"
    here = urlencode({"next": request.path})
    return f"{reverse('veterans:start')}?{query}&{here}"


@require_http_methods(["GET", "POST"])
@domain_errors
def ward(request: HttpRequest, institution_id: int, department_id: int) -> HttpResponse:
    """The ward link: ward staff ask for a patient or the whole ward; anyone else goes on
    to their way in (`_way_in`)."""
    actor = actor_of(request)
    department = page_selectors.ward_get(institution_id=institution_id, department_id=department_id)
    if not page_selectors.may_use_ward_form(actor=actor, institution=department.institution):
        return redirect(_way_in(request, actor, department))
    form = WardForm(posted(request), actor=actor, department=department)
    sent = _("The request is sent to the coordinator.")
    if done := _entered(request, form, intake.request_create, Channel.WARD, sent):
        return done
    context = {"form": form, "department": department, "institution": department.institution}
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


# --- the coordinator's phone entry ---------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@domain_errors
def request_new(request: HttpRequest) -> HttpResponse:
    """A coordinator enters a request for someone who phoned, also for a veteran not in
    Ryadom yet (admitted on the way)."""
    actor = actor_of(request)
    if not page_selectors.page_roles(actor=actor).coordinator:
        raise PermissionDenied
    form = IntakeForm(posted(request), actor=actor)
    entered = _("The request is entered.")
    if done := _entered(request, form, intake.phone_request_create, Channel.PHONE, entered):
        return done
    status = 400 if form.errors else 200
    return render(request, "care/request_new.html", {"form": form}, status=status)
