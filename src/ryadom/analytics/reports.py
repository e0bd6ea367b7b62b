"""Each dashboard page as a list of tables (with their charts), built from the selectors."""

from __future__ import annotations

import datetime
from collections import Counter
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop, ngettext
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.analytics import charts
from ryadom.analytics.models import RequestFact, VolunteerSnapshot
from ryadom.analytics.selectors import (
    IDLE_AFTER,
    Filters,
    Row,
    backlog_by,
    breakdown,
    federal_figures,
)
from ryadom.analytics.tables import Table, hours, pct
from ryadom.catalogue.models import ServiceType
from ryadom.geo.distance import haversine_km
from ryadom.geo.models import Region
from ryadom.institutions.models import Institution, InstitutionKind
from ryadom.organisations.models import Organisation
from ryadom.volunteers.eligibility import REQUIRED_CHECKS
from ryadom.volunteers.models import Check, CheckStatus, Membership, MembershipStatus, Volunteer

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
DISTANCE_BANDS = (
    (5, gettext_noop("< 5 km")),
    (15, gettext_noop("5–15 km")),
    (30, gettext_noop("15–30 km")),
    (10_000, gettext_noop("≥ 30 km")),
)
AGE_BANDS = ((25, "18–24"), (35, "25–34"), (50, "35–49"), (65, "50–64"), (200, "65+"))


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
    return {"tables": [regions, _gaps(rows)], "rows": rows, "measure_label": _(label)}


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
    idle = idle_volunteers(actor=actor, region=region)
    return {"tables": [inst_table, svc_table, trend, *portrait, idle]}


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


def volunteer_portrait(*, actor: User, region: Region, filters: Filters) -> list[Table]:
    """Age bands, skills, interests and distance travelled of the region's volunteers."""
    volunteers = Volunteer.objects.filter(region=region)
    this_year = timezone.localdate().year
    ages: Counter[str] = Counter()
    for birth_year, n in volunteers.values_list("birth_year").annotate(n=Count("pk")):
        band = _("unknown")
        if birth_year:
            band = next(label for limit, label in AGE_BANDS if this_year - birth_year < limit)
        ages[band] += n
    skills = list(
        volunteers.values("skills__name_ru", "skills__name_en")
        .exclude(skills=None)
        .annotate(n=Count("pk"))
        .order_by("-n")[:15]
    )
    interests = list(
        volunteers.values("interests__name_ru", "interests__name_en")
        .exclude(interests=None)
        .annotate(n=Count("pk"))
        .order_by("-n")[:15]
    )
    english = (get_language() or "ru").startswith("en")

    def label(row: dict[str, Any], field: str) -> str:
        return str(row[f"{field}__name_en"] if english else row[f"{field}__name_ru"])

    distance = _distance_travelled(region=region, filters=filters)
    tables = []
    for slug, title, items in (
        ("ages", _("Volunteers by age"), [(band, n) for _l, band in AGE_BANDS for n in [ages[band]]]
         + [(_("unknown"), ages[_("unknown")])]),
        ("skills", _("Volunteers' skills"), [(label(r, "skills"), r["n"]) for r in skills]),
        ("interests", _("What volunteers like to do"),
         [(label(r, "interests"), r["n"]) for r in interests]),
        ("distance", _("Distance travelled to the task"), distance),
    ):  # fmt: skip
        tables.append(
            Table(
                slug=slug,
                title=title,
                headers=[title, _("Volunteers") if slug != "distance" else _("Requests")],
                rows=[[name, n] for name, n in items],
                chart=charts.bar_chart(title, [(name, float(n)) for name, n in items]),
            )
        )
    return tables


def _points(qs: Any) -> dict[int, tuple[float, float]]:
    return {
        pk: (float(lat), float(lon))
        for pk, lat, lon in qs.values_list("pk", "lat", "lon")
        if lat is not None and lon is not None
    }


def _distance_travelled(*, region: Region, filters: Filters) -> list[tuple[str, int]]:
    pairs = list(
        RequestFact.objects.filter(
            region_id=region.pk, day__gte=filters.start, day__lte=filters.end
        )
        .exclude(volunteer_id=0)
        .values_list("volunteer_id", "institution_id")[:20_000]
    )
    homes = _points(Volunteer.objects.filter(pk__in={v for v, _i in pairs}))
    places = _points(Institution.objects.filter(pk__in={i for _v, i in pairs}))
    bands: Counter[str] = Counter()
    for volunteer_id, institution_id in pairs:
        if volunteer_id in homes and institution_id in places:
            km = haversine_km(*homes[volunteer_id], *places[institution_id])
            bands[next(label for limit, label in DISTANCE_BANDS if km < limit)] += 1
    return [(_(label), bands[label]) for _limit, label in DISTANCE_BANDS]


def idle_volunteers(*, actor: User, region: Region, limit: int = 50) -> Table:
    """Eligible volunteers with no task in 14 days, and open needs near each of them."""
    since = timezone.localdate() - IDLE_AFTER
    idle_ids = list(
        VolunteerSnapshot.objects.filter(region_id=region.pk, eligible=True, holding=False)
        .filter(Q(last_task_on__isnull=True) | Q(last_task_on__lt=since))
        .order_by("last_task_on", "volunteer_id")
        .values_list("volunteer_id", "last_task_on")[:limit]
    )
    last = dict(idle_ids)
    people = Volunteer.objects.filter(pk__in=last).select_related("user", "settlement")
    waiting = backlog_by(
        actor=actor, filters=Filters.last_weeks(1, region_id=region.pk), by="institution_id"
    )
    places = list(
        Institution.objects.filter(pk__in=[k for k, v in waiting.items() if v[2]]).values_list(
            "pk", "lat", "lon"
        )
    )
    table = Table(
        slug="idle",
        title=_("Idle volunteers"),
        headers=[_("Volunteer"), _("Settlement"), _("Last visit"), _("Open needs nearby")],
        note=_("Eligible volunteers with no task in the last 14 days."),
    )
    for person in people:
        nearby = 0
        for pk, lat, lon in places:
            if None in (person.lat, person.lon, lat, lon):
                continue
            km = haversine_km(person.lat, person.lon, lat, lon)  # type: ignore[arg-type]
            if km <= person.travel_radius_km:
                nearby += waiting[pk][2]
        seen = last[person.pk]
        table.rows.append(
            [
                person.user.first_name or person.user.username,
                str(person.settlement or ""),
                seen.isoformat() if seen else None,
                nearby,
            ]
        )
    return table


def institution_page(*, actor: User, institution: Institution, filters: Filters) -> dict[str, Any]:
    narrowed = Filters(
        start=filters.start,
        end=filters.end,
        region_id=institution.region_id,
        service_type_id=filters.service_type_id,
    )
    by_service = [
        (k, s) for k, s in _institution_breakdown(actor, narrowed, institution, "service_type_id")
    ]
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
    trend = _trend(_institution_breakdown(actor, narrowed, institution, "week"))
    return {"tables": [table, trend]}


def _institution_breakdown(
    actor: User, filters: Filters, institution: Institution, by: str
) -> list[tuple[Any, dict[str, int]]]:
    from ryadom.analytics.selectors import institution_breakdown

    return institution_breakdown(actor=actor, filters=filters, institution=institution, by=by)


def ngo_report(*, actor: User, organisation: Organisation, filters: Filters) -> dict[str, Any]:
    """The evidence a "provider of socially useful services" application asks for."""
    from ryadom.analytics.selectors import organisation_breakdown

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


def period_days(filters: Filters) -> tuple[datetime.date, datetime.date]:
    return filters.start, filters.end
