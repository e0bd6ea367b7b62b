"""Dashboard pages: parse the filters, ask a report, render tables or an export."""

from __future__ import annotations

import datetime
from typing import Any, cast

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.analytics import reports, selectors
from ryadom.analytics.selectors import Filters
from ryadom.analytics.tables import export_response, fmt, report_response
from ryadom.catalogue.models import ServiceType
from ryadom.core.pages import domain_errors
from ryadom.core.validation import day_problem, text_problem
from ryadom.geo.models import Region
from ryadom.institutions.models import Agency

WEEKS = (4, 12, 26, 52)


def _date(value: str | None) -> datetime.date | None:
    try:
        day = datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None
    return day if day is not None and day_problem(day) is None else None


def _int(value: str | None) -> int | None:
    # Ids and week counts: nine digits are plenty, and keep timedelta and SQL in range.
    return int(value) if value and value.isdigit() and len(value) < 10 else None


def _code(value: str | None) -> str:
    return value if value and text_problem(value) is None else ""


def _filters(request: HttpRequest, *, default_weeks: int = 12, **fixed: Any) -> Filters:
    """Bad or missing values fall back to the defaults: a filter never breaks the page."""
    weeks = _int(request.GET.get("weeks")) or default_weeks
    today = timezone.localdate()
    start = _date(request.GET.get("start")) or today - datetime.timedelta(weeks=weeks)
    end = _date(request.GET.get("end")) or today
    if end < start:
        start, end = end, start
    code = _code(request.GET.get("region"))
    region = Region.objects.filter(code=code).first() if code else None
    values: dict[str, Any] = {
        "start": start,
        "end": end,
        "region_id": region.pk if region else None,
        "agency_id": _int(request.GET.get("agency")),
        "service_type_id": _int(request.GET.get("service")),
    }
    values.update(fixed)
    return Filters(**values)


def _page(
    request: HttpRequest,
    filters: Filters,
    title: str,
    tables: list[Any],
    filename: str,
    *,
    extra: dict[str, Any] | None = None,
    show_region: bool = True,
) -> HttpResponse:
    kind = request.GET.get("format")
    if kind:
        return export_response(tables, request.GET.get("export", "all"), kind, filename)
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("export", None)
    context = {
        "title": title,
        "tables": [
            {"table": t, "cells": [[fmt(c) for c in row] for row in t.rows]} for t in tables
        ],
        "filters": filters,
        "weeks": WEEKS,
        "chosen_weeks": request.GET.get("weeks", ""),
        "regions": Region.objects.only("code", "name_ru", "name_en") if show_region else [],
        "agencies": Agency.objects.all(),
        "services": ServiceType.objects.filter(is_active=True),
        "query": query.urlencode(),
        **(extra or {}),
    }
    return render(request, "analytics/dashboard.html", context)


def _actor(request: HttpRequest) -> User:
    """The signed-in user (every view here is behind login_required)."""
    return cast(User, request.user)


def _require_dashboards(request: HttpRequest) -> None:
    if not selectors.may_see_dashboards(_actor(request)):
        raise Http404("dashboard")


def _map_measures() -> list[tuple[str, str]]:
    return [(k, _(label)) for k, (label, _f) in reports.MAP_MEASURES.items()]


def _period(filters: Filters) -> str:
    return _("Requests created from %(start)s to %(end)s") % {
        "start": f"{filters.start:%d.%m.%Y}",
        "end": f"{filters.end:%d.%m.%Y}",
    }


def _whole_report(request: HttpRequest) -> str | None:
    """The kind of file ("pdf" or "xlsx") when the whole report is asked for as one."""
    kind = request.GET.get("format")
    whole = kind in ("pdf", "xlsx") and request.GET.get("export", "all") == "all"
    return kind if whole else None


@login_required
def federal(request: HttpRequest) -> HttpResponse:
    _require_dashboards(request)
    filters = _filters(request)
    measure = request.GET.get("measure", "waiting")
    page = reports.federal_page(actor=_actor(request), filters=filters, measure=measure)
    title = _("Dashboard: the country")
    extra = {"measures": _map_measures(), "measure": measure}
    return _page(request, filters, title, page["tables"], "ryadom-regions", extra=extra)


@login_required
@domain_errors
def region(request: HttpRequest, code: str) -> HttpResponse:
    chosen = selectors.region_for_user(actor=_actor(request), code=code)
    filters = _filters(request, region_id=chosen.pk)
    page = reports.region_page(actor=_actor(request), region=chosen, filters=filters)
    title = _("Dashboard: %(region)s") % {"region": chosen.name}
    filename = f"ryadom-region-{chosen.code}"
    extra = {"region": chosen}  # the page adds the region's open entitlement questions
    return _page(request, filters, title, page["tables"], filename, extra=extra, show_region=False)


@login_required
@domain_errors
def institution(request: HttpRequest, institution_id: int) -> HttpResponse:
    actor = _actor(request)
    chosen = selectors.institution_for_user(actor=actor, institution_id=institution_id)
    filters = _filters(request)
    page = reports.institution_page(actor=actor, institution=chosen, filters=filters)
    title = _("Dashboard: %(institution)s") % {"institution": chosen.name}
    filename = f"ryadom-institution-{chosen.pk}"
    return _page(request, filters, title, page["tables"], filename, show_region=False)


@login_required
@domain_errors
def ngo(request: HttpRequest, organisation_id: int) -> HttpResponse:
    actor = _actor(request)
    chosen = selectors.organisation_for_user(actor=actor, organisation_id=organisation_id)
    filters = _filters(request, default_weeks=52)
    tables = reports.ngo_report(actor=actor, organisation=chosen, filters=filters)["tables"]
    title = _("Quality report: %(ngo)s") % {"ngo": chosen.name}
    filename = f"ryadom-ngo-{chosen.pk}"
    if kind := _whole_report(request):
        subtitle = f"{chosen.name}. INN {chosen.inn}. {_period(filters)}"
        return report_response(kind, title, subtitle, tables, filename)
    extra = {"period": _period(filters), "report_exports": True}
    return _page(request, filters, title, tables, filename, extra=extra, show_region=False)
