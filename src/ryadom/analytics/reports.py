"""Each dashboard page as a list of tables (with their charts), built from the selectors."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop, ngettext

from ryadom.accounts.models import User
from ryadom.analytics import charts
from ryadom.analytics.after_discharge import (
    after_discharge_table,
    after_the_ward_by_region,
    referrals_table,
)
from ryadom.analytics.selectors import (
    Filters,
    Row,
    backlog_by,
    breakdown,
    federal_figures,
    institution_breakdown,
    organisation_breakdown,
)
from ryadom.analytics.tables import Table, hours, pct
from ryadom.analytics.volunteer_reports import idle_volunteers, volunteer_portrait
from ryadom.catalogue.models import ServiceType
from ryadom.geo.models import Region
from ryadom.institutions.models import Institution, InstitutionKind
from ryadom.organisations.models import Organisation
from ryadom.volunteers.eligibility import REQUIRED_CHECKS
from ryadom.volunteers.models import Check, CheckStatus, Membership, MembershipStatus

# Measures the federal map may be coloured by: key → (label, value of a row).
MAP_MEASURES: dict[str, tuple[str, Any]] = {
    "waiting": (gettext_noop("Waiting for a helper now"), lambda r: r.waiting),
    "overdue": (gettext_noop("Overdue now"), lambda r: r.overdue),
    "created": (gettext_noop("Requests in the period"), lambda r: r.created),
    "median_assign": (
        gettext_noop("Median hours to assignment"),
        lambda r: hours(r.median_assign_hours),
    ),
    "confirmed": (gettext_noop("Share confirmed, %"), lambda r: pct(r.share_confirmed)),
    "respect": (gettext_noop("Share treated with respect, %"), lambda r: pct(r.share_respectful)),
    "idle": (gettext_noop("Idle volunteers"), lambda r: r.idle_volunteers),
    "veterans": (gettext_noop("Veterans in treatment"), lambda r: r.veterans),
}


def _measure_columns() -> list[str]:
    return [
        _("Requests"),
        _("Median hours to assignment"),
        _("Median hours to completion"),
        _("Done on time, %"),
        _("Confirmed, %"),
        _("Treated with respect, %"),
    ]


def _measure_cells(row: Row) -> list[Any]:
    return [
        row.created,
        hours(row.median_assign_hours),
        hours(row.median_complete_hours),
        pct(row.share_on_time),
        pct(row.share_confirmed),
        pct(row.share_respectful),
    ]


def federal_page(*, actor: User, filters: Filters, measure: str) -> dict[str, Any]:
    rows = federal_figures(actor=actor, filters=filters)
    label, value_of = MAP_MEASURES.get(measure, MAP_MEASURES["waiting"])
    regions = Table(
        slug="regions",
        title=_("Regions"),
        headers=[
            _("Code"),
            _("Region"),
            _("Veterans in treatment"),
            _("Open now"),
            _("Overdue now"),
            _("Waiting for a helper now"),
            *_measure_columns(),
            _("Active volunteers"),
            _("Idle volunteers"),
            _("NGOs active"),
        ],
        rows=[
            [
                r.code,
                r.label,
                r.veterans,
                r.open,
                r.overdue,
                r.waiting,
                *_measure_cells(r),
                r.active_volunteers,
                r.idle_volunteers,
                r.ngos_active,
            ]
            for r in rows
        ],
        chart=charts.cartogram(
            _(label),
            {r.code: value_of(r) for r in rows},
            {r.code: r.label for r in rows},
            link="/dashboard/regions/{code}/",
        ),
    )
    after = after_the_ward_by_region(actor=actor, filters=filters, rows=rows)
    return {"tables": [regions, _gaps(rows), after], "rows": rows, "measure_label": _(label)}


def _gaps(rows: list[Row]) -> Table:
    """Where demand outruns supply, and where civilian hospitals carry the load alone."""
    ids = [r.key for r in rows]
    kinds = (
        Institution.objects.filter(region_id__in=ids, is_active=True)
        .values("region_id")
        .annotate(
            military=Count("pk", filter=Q(kind=InstitutionKind.MILITARY_HOSPITAL), distinct=True),
            civilian=Count(
                "pk",
                filter=Q(
                    kind=InstitutionKind.CIVILIAN_HOSPITAL,
                    stays__discharged_on__isnull=True,
                ),
                distinct=True,
            ),
        )
        .order_by()
    )
    by_region = {k["region_id"]: k for k in kinds}
    table = Table(
        slug="gaps",
        title=_("Coverage gaps"),
        headers=[_("Code"), _("Region"), _("Gap"), _("Figures")],
    )
    for r in rows:
        if r.waiting > r.idle_volunteers and r.waiting > 0:
            table.rows.append(
                [
                    r.code,
                    r.label,
                    _("Demand outruns supply"),
                    ", ".join(
                        [
                            ngettext("%(n)d waiting", "%(n)d waiting", r.waiting)
                            % {"n": r.waiting},
                            ngettext(
                                "%(n)d idle volunteer", "%(n)d idle volunteers", r.idle_volunteers
                            )
                            % {"n": r.idle_volunteers},
                        ]
                    ),
                ]
            )
        if r.created and r.get("assigned") < 0.7 * r.created:
            table.rows.append(
                [
                    r.code,
                    r.label,
                    _("Few requests find a helper"),
                    _("%(assigned)d of %(created)d assigned")
                    % {"assigned": r.get("assigned"), "created": r.created},
                ]
            )
        k = by_region.get(r.key)
        if k and not k["military"] and k["civilian"]:
            table.rows.append(
                [
                    r.code,
                    r.label,
                    _("No military hospital; civilian hospitals treat veterans"),
                    ngettext(
                        "%(n)d civilian hospital with veterans",
                        "%(n)d civilian hospitals with veterans",
                        k["civilian"],
                    )
                    % {"n": k["civilian"]},
                ]
            )
    return table


def _names(model: Any, ids: set[int]) -> dict[int, str]:
    return {o.pk: str(getattr(o, "name", o)) for o in model.objects.filter(pk__in=ids)}


def _as_row(key: int, label: str, sums: dict[str, int]) -> Row:
    return Row(key=key, label=label, sums=sums)


def region_page(*, actor: User, region: Region, filters: Filters) -> dict[str, Any]:
    by_institution = breakdown(actor=actor, filters=filters, by="institution_id")
    by_service = breakdown(actor=actor, filters=filters, by="service_type_id")
    by_week = breakdown(actor=actor, filters=filters, by="week")
    now_institution = backlog_by(actor=actor, filters=filters, by="institution_id")
    now_service = backlog_by(actor=actor, filters=filters, by="service_type_id")
    institutions = _names(Institution, {k for k, _s in by_institution} | set(now_institution))
    services = _names(ServiceType, {k for k, _s in by_service} | set(now_service))
    inst_rows = [_as_row(k, institutions.get(k, str(k)), s) for k, s in by_institution]
    inst_table = Table(
        slug="institutions",
        title=_("Institutions"),
        headers=[
            _("Institution"),
            *_measure_columns(),
            _("Open now"),
            _("Overdue now"),
            _("Waiting now"),
        ],
        rows=[
            [r.label, *_measure_cells(r), *now_institution.get(r.key, (0, 0, 0))] for r in inst_rows
        ],
        chart=charts.bar_chart(
            _("Requests per institution"), [(r.label, r.created) for r in inst_rows][:30]
        ),
    )
    svc_rows = [_as_row(k, services.get(k, str(k)), s) for k, s in by_service]
    svc_table = Table(
        slug="services",
        title=_("Service types"),
        headers=[_("Service"), *_measure_columns(), _("Unmet (waiting now)")],
        rows=[
            [r.label, *_measure_cells(r), now_service.get(r.key, (0, 0, 0))[2]] for r in svc_rows
        ],
        chart=charts.bar_chart(
            _("Unmet requests by service type"),
            sorted(
                ((services.get(k, str(k)), float(v[2])) for k, v in now_service.items()),
                key=lambda item: -item[1],
            ),
        ),
    )
    trend = _trend(by_week)
    portrait = volunteer_portrait(actor=actor, region=region, filters=filters)
    idle = idle_volunteers(actor=actor, region=region, waiting=now_institution)
    aftercare = after_discharge_table(actor=actor, region=region, filters=filters)
    referrals = referrals_table(actor=actor, region=region)
    return {"tables": [inst_table, svc_table, trend, *portrait, idle, aftercare, referrals]}


def _trend(by_week: list[tuple[Any, dict[str, int]]]) -> Table:
    return Table(
        slug="weeks",
        title=_("Trend over weeks"),
        headers=[_("Week from"), _("Requests"), _("Done"), _("Median hours to assignment")],
        rows=[
            [
                week.isoformat(),
                s["created"],
                s["completed"],
                hours(_as_row(0, "", s).median_assign_hours),
            ]
            for week, s in by_week
        ],
        chart=charts.line_chart(
            _("Requests per week"), [(f"{week:%d.%m}", s["created"]) for week, s in by_week]
        ),
    )


def institution_page(*, actor: User, institution: Institution, filters: Filters) -> dict[str, Any]:
    narrowed = Filters(
        start=filters.start,
        end=filters.end,
        region_id=institution.region_id,
        service_type_id=filters.service_type_id,
    )
    by_service = institution_breakdown(
        actor=actor, filters=narrowed, institution=institution, by="service_type_id"
    )
    services = _names(ServiceType, {k for k, _s in by_service})
    rows = [_as_row(k, services.get(k, str(k)), s) for k, s in by_service]
    table = Table(
        slug="services",
        title=_("Requests by service type"),
        headers=[
            _("Service"),
            *_measure_columns(),
            _("Satisfied, %"),
            _("Complaints"),
            _("Complaints upheld"),
        ],
        rows=[
            [
                r.label,
                *_measure_cells(r),
                pct(r.share_satisfied),
                r.get("complaints"),
                r.get("upheld"),
            ]
            for r in rows
        ],
        chart=charts.bar_chart(
            _("Median hours to assignment"),
            [(r.label, hours(r.median_assign_hours) or 0.0) for r in rows],
        ),
    )
    by_week = institution_breakdown(
        actor=actor, filters=narrowed, institution=institution, by="week"
    )
    return {"tables": [table, _trend(by_week)]}


def ngo_report(*, actor: User, organisation: Organisation, filters: Filters) -> dict[str, Any]:
    """The evidence a "provider of socially useful services" application asks for."""
    by_service = organisation_breakdown(actor=actor, filters=filters, organisation=organisation)
    services = _names(ServiceType, {k for k, _s in by_service})
    rows = [_as_row(k, services.get(k, str(k)), s) for k, s in by_service]
    table = Table(
        slug="services",
        title=_("Quality by service type"),
        headers=[
            _("Service"),
            _("Requests"),
            _("Done"),
            _("Done within the standard's time, %"),
            _("Confirmed, %"),
            _("Satisfied, %"),
            _("Treated with respect, %"),
            _("Complaints"),
            _("Complaints upheld"),
            _("Hours delivered"),
        ],
        rows=[
            [
                r.label,
                r.created,
                r.get("completed"),
                pct(r.share_on_time),
                pct(r.share_confirmed),
                pct(r.share_satisfied),
                pct(r.share_respectful),
                r.get("complaints"),
                r.get("upheld"),
                round(r.hours_delivered, 1),
            ]
            for r in rows
        ],
        chart=charts.bar_chart(
            _("Requests by service type"), [(r.label, float(r.created)) for r in rows]
        ),
    )
    checks = _checks_table(organisation)
    return {"tables": [table, checks]}


def _checks_table(organisation: Organisation) -> Table:
    today = timezone.localdate()
    required = REQUIRED_CHECKS["pass"]
    members = Membership.objects.filter(
        organisation=organisation, status=MembershipStatus.APPROVED
    ).values_list("volunteer_id", flat=True)
    valid = (
        Check.objects.filter(volunteer_id__in=members, kind__in=required, status=CheckStatus.PASSED)
        .filter(Q(valid_until__isnull=True) | Q(valid_until__gte=today))
        .values("volunteer_id")
        .annotate(n=Count("kind", distinct=True))
        .filter(n=len(required))
        .count()
    )
    total = members.count()
    return Table(
        slug="checks",
        title=_("Volunteers' checks"),
        headers=[_("Volunteers"), _("With all checks valid"), _("Share, %")],
        rows=[[total, valid, pct(valid / total) if total else None]],
        note=_("Checks: identity, volunteer agreement, training, medical clearance."),
    )
