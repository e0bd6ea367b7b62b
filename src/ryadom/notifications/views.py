"""Pages: the public status page of a signed link, calendar feeds and their management."""

from __future__ import annotations

from typing import cast

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import translation
from django.views.decorators.http import (
    require_GET,
    require_http_methods,
    require_POST,
    require_safe,
)

from ryadom.accounts.models import User
from ryadom.care.forms import FeedbackForm
from ryadom.care.models import Status
from ryadom.care.services import requester as care_services
from ryadom.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from ryadom.core.pages import domain_errors
from ryadom.notifications import calendar
from ryadom.notifications.links import LinkExpired, StatusLink, status_link_open
from ryadom.notifications.producers import helper_name

PRIVATE_HEADERS = {
    # The token in the address is the key: keep it out of caches, other sites' referrers and
    # search. Not "no-referrer": the browser would then send its forms with `Origin: null`,
    # which Django's CSRF check rightly refuses.
    "Cache-Control": "private, no-store",
    "Referrer-Policy": "same-origin",
    "X-Robots-Tag": "noindex, nofollow",
}


def _private(response: HttpResponse) -> HttpResponse:
    for header, value in PRIVATE_HEADERS.items():
        response[header] = value
    return response


def _status_context(link: StatusLink) -> dict[str, object]:
    """What the page may show: the request, never the veteran's surname or anyone's phone."""
    request = link.request
    assigned = request.volunteer_id is not None or request.organisation_id is not None
    return {
        "obj": request,
        "helper": helper_name(request) if assigned else None,
        "visits": list(request.visits.order_by("starts")),
        "zone": request.institution.region.timezone,
    }


def _give_feedback(form: FeedbackForm, link: StatusLink) -> bool:
    """Store the requester's answers; a refusal goes on the form. Not theirs to give: 404."""
    try:
        care_services.request_feedback(actor=link.person, request=link.request, **form.answers())
    except (NotFoundError, PermissionDeniedError) as exc:
        raise Http404 from exc
    except ApplicationError as exc:
        form.add_error(None, exc.message)
        return False
    return True


def _status_response(
    request: HttpRequest, link: StatusLink, form: FeedbackForm, *, thanked: bool
) -> HttpResponse:
    context = {
        **_status_context(link),
        "form": form if link.request.status == Status.COMPLETED and not thanked else None,
        "thanked": thanked,
    }
    status = 400 if form.errors else 200
    response = render(request, "notifications/status.html", context, status=status)
    response["Content-Language"] = link.person.language
    return _private(response)


@require_http_methods(["GET", "POST"])
@domain_errors
def status_page(request: HttpRequest, token: str) -> HttpResponse:
    """A requester follows the request, confirms it was done and says how it went."""
    try:
        link = status_link_open(token=token)
    except LinkExpired:
        return _private(render(request, "notifications/status_expired.html", status=410))
    # The person the link was sent to reads it in their language, signed in or not.
    with translation.override(link.person.language):
        form = FeedbackForm(request.POST if request.method == "POST" else None, auto_id="fb-%s")
        thanked = request.method == "POST" and form.is_valid() and _give_feedback(form, link)
        if thanked:
            link = status_link_open(token=token)
        return _status_response(request, link, form, thanked=thanked)


@require_safe
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private iCalendar feed behind an address with a token (no sign-in: calendar
    apps cannot sign in)."""
    try:
        feed = calendar.feed_by_token(token=token)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    response = HttpResponse(calendar.calendar_render(feed=feed), content_type="text/calendar")
    response["Content-Type"] = "text/calendar; charset=utf-8"
    response["Content-Disposition"] = 'inline; filename="ryadom.ics"'
    return _private(response)


def _calendar_page(
    request: HttpRequest, *, new_url: str | None = None, status: int = 200
) -> HttpResponse:
    actor = cast(User, request.user)
    volunteer, institutions = calendar.feed_owners(actor=actor)
    if volunteer is None and not institutions:
        raise PermissionDenied
    live = list(calendar.feeds_live(actor=actor))
    context = {
        "volunteer": volunteer,
        "volunteer_feed": next((f for f in live if f.volunteer_id is not None), None),
        "institutions": [
            (i, next((f for f in live if f.institution_id == i.pk), None)) for i in institutions
        ],
        "new_url": new_url,
    }
    return _private(render(request, "notifications/calendar.html", context, status=status))


@login_required
@require_GET
def calendar_home(request: HttpRequest) -> HttpResponse:
    """The volunteer's and the liaison's calendar addresses: create, replace, revoke."""
    return _calendar_page(request)


@login_required
@require_POST
@domain_errors
def calendar_issue(request: HttpRequest) -> HttpResponse:
    """A new address; shown once on the page that answers this POST."""
    actor = cast(User, request.user)
    owner = request.POST.get("owner", "")
    volunteer, institution = calendar.feed_owner_chosen(actor=actor, owner=owner)
    _feed, token = calendar.calendar_feed_issue(
        actor=actor, volunteer=volunteer, institution=institution
    )
    return _calendar_page(request, new_url=calendar.feed_url(token))


@login_required
@require_POST
def calendar_revoke(request: HttpRequest, feed_id: int) -> HttpResponse:
    try:
        calendar.calendar_feed_revoke(actor=cast(User, request.user), feed_id=feed_id)
    except NotFoundError as exc:
        raise Http404(exc.message) from exc
    return redirect("notifications:calendar")
