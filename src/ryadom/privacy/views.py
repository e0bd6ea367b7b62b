"""The audit log to the people it concerns: a veteran's access log, a coordinator's export."""

from __future__ import annotations

import datetime

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from ryadom.audit.models import AuditEvent
from ryadom.core.errors import PermissionDeniedError
from ryadom.privacy.export import audit_csv_lines
from ryadom.privacy.forms import PeriodForm
from ryadom.privacy.selectors import access_log_for_veteran, audit_export_events
from ryadom.veterans.selectors import veterans_acting_for


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Who looked at my data (or the data of the veteran I act for), and when."""
    rows = [
        {"veteran": v, "entries": access_log_for_veteran(veteran=v)}
        for v in veterans_acting_for(actor=request.user)
    ]
    return render(request, "privacy/access_log.html", {"rows": rows})


def _events(request: HttpRequest, **period: datetime.datetime | None) -> QuerySet[AuditEvent]:
    """The events the actor may export for the period; only coordinators may (else 403)."""
    try:
        return audit_export_events(actor=request.user, **period)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponseBase:
    """The audit log of the coordinator's regions for a period: the form, or the CSV itself."""
    form = PeriodForm(request.GET or None)
    _events(request)  # refuses those who may not export before anything else
    if request.GET.get("format") != "csv" or not form.is_valid():
        status = 400 if form.is_bound and form.errors else 200
        return render(request, "privacy/export.html", {"form": form}, status=status)
    since, until = form.bounds()
    events = _events(request, since=since, until=until)
    response = StreamingHttpResponse(
        audit_csv_lines(events), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = 'attachment; filename="ryadom-audit.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
