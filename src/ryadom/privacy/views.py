"""The audit log to the people it concerns: a veteran's access log, a coordinator's export."""

from __future__ import annotations

import csv
import datetime

from django import forms
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from ryadom.core.errors import PermissionDeniedError
from ryadom.core.forms import PageForm
from ryadom.privacy.selectors import access_log_for_veteran, audit_export_events
from ryadom.veterans.selectors import veterans_acting_for

CSV_HEADER = [
    "when",
    "actor",
    "action",
    "object_type",
    "object_id",
    "region_id",
    "veteran_id",
    "ip",
]


@login_required
@require_GET
def access_log(request: HttpRequest) -> HttpResponse:
    """Who looked at my data (or the data of the veteran I act for), and when."""
    rows = [
        {"veteran": v, "entries": access_log_for_veteran(veteran=v)}
        for v in veterans_acting_for(actor=request.user)
    ]
    return render(request, "privacy/access_log.html", {"rows": rows})


class PeriodForm(PageForm):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(
        label=_("Until (inclusive)"), required=False, widget=forms.DateInput({"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if isinstance(since, datetime.date) and isinstance(until, datetime.date) and until < since:
            self.add_error("until", _("The end of the period is before its start."))
        return data

    def bounds(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        def start_of(day: datetime.date | None) -> datetime.datetime | None:
            if day is None:
                return None
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

        until = self.cleaned_data.get("until")
        return start_of(self.cleaned_data.get("since")), start_of(
            until + datetime.timedelta(days=1) if until else None
        )


def _cell(value: object) -> str:
    # A spreadsheet runs a cell starting with = + - @ as a formula: never hand one over.
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


class _Echo:
    def write(self, value: str) -> str:
        return value


@login_required
@require_GET
def export(request: HttpRequest) -> HttpResponseBase:
    """The audit log of the coordinator's regions for a period: the form, or the CSV itself."""
    form = PeriodForm(request.GET or None)
    try:
        audit_export_events(actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    if request.GET.get("format") != "csv" or not form.is_valid():
        status = 400 if form.is_bound and form.errors else 200
        return render(request, "privacy/export.html", {"form": form}, status=status)
    since, until = form.bounds()
    events = audit_export_events(actor=request.user, since=since, until=until)
    writer = csv.writer(_Echo())

    def rows() -> object:
        yield writer.writerow(CSV_HEADER)
        for e in events.iterator(chunk_size=2000):
            yield writer.writerow(
                [
                    _cell(e.created_at.isoformat()),
                    _cell(e.actor.username if e.actor else ""),
                    _cell(e.action),
                    _cell(e.target_type),
                    _cell(e.target_id),
                    _cell(e.region_id),
                    _cell(e.veteran_id),
                    _cell(e.ip),
                ]
            )

    response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")  # type: ignore[arg-type]
    response["Content-Disposition"] = 'attachment; filename="ryadom-audit.csv"'
    response["Cache-Control"] = "private, no-store"
    return response
