"""Scoped reads of the rollups for the dashboards. Every figure comes from a rollup table,
never from a GROUP BY over all requests (the median hours to a first contact after
discharge from the discharge facts, a row per plan); the scope is applied inside each
query."""

from __future__ import annotations

import datetime
import statistics
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum
from django.utils import timezone

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import Scope, scope_of
from ryadom.aftercare.measures import RegionMeasures
from ryadom.analytics import measures as m
from ryadom.analytics.models import (
    DISCHARGE_MEASURES,
    MEASURES,
    REFERRAL_MEASURES,
    AfterWardDay,
    DayRollup,
    DischargeFact,
    InstitutionTotal,
    OrganisationWeek,
    RegionWeekRollup,
    RegionWeekTotal,
    VolunteerSnapshot,
)
from ryadom.core.errors import NotFoundError
from ryadom.geo.models import Region
from ryadom.veterans.models import Stay

IDLE_AFTER = datetime.timedelta(days=14)
DASHBOARD_ROLES = (Role.REGIONAL_COORDINATOR, Role.AGENCY_OBSERVER)


@dataclass(frozen=True)
class Filters:
    """Period (requests created from `start` to `end`, inclusive) and optional narrowing."""

    start: datetime.date
    end: datetime.date
    region_id: int | None = None
    agency_id: int | None = None
    service_type_id: int | None = None

    @property
    def first_week(self) -> datetime.date:
        return self.start - datetime.timedelta(days=self.start.weekday())

    @classmethod
    def last_weeks(cls, weeks: int = 12, **narrowing: Any) -> Filters:
        today = timezone.localdate()
        return cls(start=today - datetime.timedelta(weeks=weeks), end=today, **narrowing)


def may_see_dashboards(actor: User) -> bool:
    scope = scope_of(actor)
    return scope.federal or any(scope.has(role) for role in DASHBOARD_ROLES)


def _scope_q(scope: Scope, *, institutions: bool = True) -> Q:
    """Rows of a rollup the actor may see; nothing for anyone without a dashboard role."""
    if scope.federal:
        return Q()
    q = Q(pk__in=[])
    if scope.has(Role.REGIONAL_COORDINATOR):
        q |= Q(region_id__in=scope.region_ids)
    if scope.has(Role.AGENCY_OBSERVER):
        q |= Q(agency_id__in=scope.agency_ids)
    if institutions and scope.has(Role.INSTITUTION_LIAISON):
        q |= Q(institution_id__in=scope.institution_ids)
    return q


def _narrow(
    qs: QuerySet[Any], filters: Filters, *, service: bool = True, agency: bool = True
) -> QuerySet[Any]:
    if filters.region_id is not None:
        qs = qs.filter(region_id=filters.region_id)
    if agency and filters.agency_id is not None:
        qs = qs.filter(agency_id=filters.agency_id)
    if service and filters.service_type_id is not None:
        qs = qs.filter(service_type_id=filters.service_type_id)
    return qs


def _sums() -> dict[str, Sum]:
    return {name: Sum(name) for name in MEASURES}


@dataclass
class Row:
    """One line of a dashboard table: a label and its figures."""

    key: Any
    label: str
    sums: dict[str, int] = field(default_factory=dict)
    veterans: int = 0
    open: int = 0
    overdue: int = 0
    waiting: int = 0
    active_volunteers: int = 0
    idle_volunteers: int = 0
    ngos_active: int = 0
    code: str = ""

    def get(self, name: str) -> int:
        return int(self.sums.get(name) or 0)

    @property
    def created(self) -> int:
        return self.get("created")

    @property
    def median_assign_hours(self) -> float | None:
        minutes = m.median_to_assign(self.sums)
        return None if minutes is None else minutes / 60

    @property
    def median_complete_hours(self) -> float | None:
        minutes = m.median_to_complete(self.sums)
        return None if minutes is None else minutes / 60

    @property
    def share_confirmed(self) -> float | None:
        return m.share(self.get("confirmed"), self.get("completed"))

    @property
    def share_respectful(self) -> float | None:
        return m.share(self.get("respectful"), self.get("feedback"))

    @property
    def share_satisfied(self) -> float | None:
        return m.share(self.get("satisfied"), self.get("rated"))

    @property
    def share_on_time(self) -> float | None:
        return m.share(self.get("on_time"), self.get("completed"))

    @property
    def hours_delivered(self) -> float:
        return self.get("visit_minutes") / 60

    @property
    def unmet(self) -> int:
        return self.created - self.get("assigned") - self.get("cancelled")


def _clean(values: dict[str, Any]) -> dict[str, int]:
    return {name: int(values.get(name) or 0) for name in MEASURES}


def federal_figures(*, actor: User, filters: Filters) -> list[Row]:
    """Per region in the actor's scope: the federal page's table (five queries)."""
    scope = scope_of(actor)
    visible = _scope_q(scope, institutions=False)
    rows = {
        r.pk: Row(key=r.pk, label=r.name, code=r.code)
        for r in Region.objects.only("pk", "code", "name_ru", "name_en")
    }
    # Without agency or service narrowing (and no agency observer's scope, which is by
    # agency), the per-region totals answer with a row per region and week.
    coarse = (
        filters.agency_id is None
        and filters.service_type_id is None
        and (scope.federal or not scope.has(Role.AGENCY_OBSERVER))
    )
    weekly: QuerySet[Any] = (RegionWeekTotal if coarse else RegionWeekRollup).objects.all()
    period = _narrow(
        weekly.filter(visible).filter(week__gte=filters.first_week, week__lte=filters.end),
        filters,
        agency=not coarse,
    )
    for values in period.values("region_id").annotate(**_sums()).order_by():
        rows[values["region_id"]].sums = _clean(values)
    backlog = _narrow(InstitutionTotal.objects.filter(visible), filters)
    for values in (
        backlog.values("region_id")
        .annotate(o=Sum("open"), d=Sum("overdue"), w=Sum("waiting"))
        .order_by()
    ):
        row = rows[values["region_id"]]
        row.open, row.overdue, row.waiting = values["o"] or 0, values["d"] or 0, values["w"] or 0
    ngos = _narrow(
        OrganisationWeek.objects.filter(visible).filter(
            week__gte=filters.first_week, week__lte=filters.end, assigned__gt=0
        ),
        filters,
        service=False,
    ).exclude(organisation_id=0)
    for values in ngos.values("region_id").annotate(n=Count("organisation_id", distinct=True)):
        rows[values["region_id"]].ngos_active = values["n"]
    stays = Stay.objects.filter(discharged_on__isnull=True)
    if not scope.federal:
        stays = stays.filter(
            Q(institution__region_id__in=scope.region_ids)
            | Q(institution__agency_id__in=scope.agency_ids)
        )
    if filters.region_id is not None:
        stays = stays.filter(institution__region_id=filters.region_id)
    if filters.agency_id is not None:
        stays = stays.filter(institution__agency_id=filters.agency_id)
    for values in (
        stays.values("institution__region_id")
        .annotate(n=Count("veteran_id", distinct=True))
        .order_by()
    ):
        rows[values["institution__region_id"]].veterans = values["n"]
    for region_id, active, idle in _volunteer_counts(scope, filters):
        rows[region_id].active_volunteers, rows[region_id].idle_volunteers = active, idle
    shown = [
        row
        for row in rows.values()
        if scope.federal or row.key in scope.region_ids or row.sums or row.open or row.veterans
    ]
    if filters.region_id is not None:
        shown = [row for row in shown if row.key == filters.region_id]
    return sorted(shown, key=lambda row: row.code)


def _volunteer_counts(scope: Scope, filters: Filters) -> list[tuple[int, int, int]]:
    """Per region: volunteers with a task in the last 14 days (or now), and eligible idle ones."""
    since = timezone.localdate() - IDLE_AFTER
    active = Q(holding=True) | Q(last_task_on__gte=since)
    qs = VolunteerSnapshot.objects.all()
    if not scope.federal:
        qs = qs.filter(region_id__in=scope.region_ids) if scope.region_ids else qs
    if filters.region_id is not None:
        qs = qs.filter(region_id=filters.region_id)
    counts = (
        qs.values("region_id")
        .annotate(
            active=Count("pk", filter=active),
            idle=Count("pk", filter=Q(eligible=True) & ~active),
        )
        .order_by()
    )
    return [(c["region_id"], c["active"], c["idle"]) for c in counts]


def region_for_user(*, actor: User, code: str) -> Region:
    """A region whose dashboard the actor may see; the same 404 for missing and not yours."""
    scope = scope_of(actor)
    region = Region.objects.filter(code=code).first()
    allowed = region is not None and (
        scope.federal
        or region.pk in scope.region_ids
        or (scope.has(Role.AGENCY_OBSERVER) and bool(scope.agency_ids))
    )
    if region is None or not allowed:
        raise NotFoundError("region")
    return region


def _day_rows(actor: User, filters: Filters) -> QuerySet[DayRollup]:
    qs = DayRollup.objects.filter(_scope_q(scope_of(actor))).filter(
        day__gte=filters.start, day__lte=filters.end
    )
    return _narrow(qs, filters)


def breakdown(*, actor: User, filters: Filters, by: str) -> list[tuple[int, dict[str, int]]]:
    """Sums per institution_id, service_type_id, organisation_id or week, in scope."""
    grouped = _day_rows(actor, filters).values(by).annotate(**_sums()).order_by(by)
    return [(values[by], _clean(values)) for values in grouped]


def backlog_by(*, actor: User, filters: Filters, by: str) -> dict[int, tuple[int, int, int]]:
    """Open, overdue and waiting now, per institution_id or service_type_id, in scope."""
    qs = _narrow(InstitutionTotal.objects.filter(_scope_q(scope_of(actor))), filters)
    return {
        v[by]: (v["o"] or 0, v["d"] or 0, v["w"] or 0)
        for v in qs.values(by).annotate(o=Sum("open"), d=Sum("overdue"), w=Sum("waiting"))
    }


def institution_for_user(*, actor: User, institution_id: int) -> Any:
    """An institution whose page the actor may see; the same 404 otherwise."""
    from ryadom.institutions.models import Institution

    scope = scope_of(actor)
    institution = Institution.objects.filter(pk=institution_id).first()
    allowed = institution is not None and (
        scope.federal
        or (scope.has(Role.REGIONAL_COORDINATOR) and institution.region_id in scope.region_ids)
        or (scope.has(Role.AGENCY_OBSERVER) and institution.agency_id in scope.agency_ids)
        or (scope.has(Role.INSTITUTION_LIAISON) and institution.pk in scope.institution_ids)
    )
    if institution is None or not allowed:
        raise NotFoundError("institution")
    return institution


def institution_breakdown(
    *, actor: User, filters: Filters, institution: Any, by: str
) -> list[tuple[Any, dict[str, int]]]:
    """Sums per service_type_id or week for one institution the actor may see."""
    institution_for_user(actor=actor, institution_id=institution.pk)
    qs = DayRollup.objects.filter(
        institution_id=institution.pk, day__gte=filters.start, day__lte=filters.end
    )
    if filters.service_type_id is not None:
        qs = qs.filter(service_type_id=filters.service_type_id)
    grouped = qs.values(by).annotate(**_sums()).order_by(by)
    return [(values[by], _clean(values)) for values in grouped]


def _organisation_works_in(organisation: Any, region_ids: frozenset[int]) -> bool:
    """Whether an NGO works in one of these regions: based there, or agreed with an
    institution there today."""
    from ryadom.organisations.models import Agreement

    if organisation.home_region_id in region_ids:
        return True
    return (
        Agreement.objects.valid_on(timezone.localdate())
        .filter(organisation=organisation, institution__region_id__in=region_ids)
        .exists()
    )


def organisation_regions_for_user(*, actor: User, organisation: Any) -> frozenset[int] | None:
    """The regions of an NGO's report the actor may see (None: all of it): federal staff and
    the NGO's managers see all; regional coordinators where the NGO works, their regions'."""
    scope = scope_of(actor)
    if scope.federal or (scope.has(Role.NGO_MANAGER) and organisation.pk in scope.organisation_ids):
        return None
    if scope.has(Role.REGIONAL_COORDINATOR) and _organisation_works_in(
        organisation, scope.region_ids
    ):
        return scope.region_ids
    raise NotFoundError("organisation")


def organisation_for_user(*, actor: User, organisation_id: int) -> Any:
    """An NGO whose quality report the actor may see: federal staff, its own managers, and
    coordinators of the regions where it works."""
    from ryadom.organisations.models import Organisation

    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise NotFoundError("organisation")
    organisation_regions_for_user(actor=actor, organisation=organisation)
    return organisation


def organisation_breakdown(
    *, actor: User, filters: Filters, organisation: Any
) -> list[tuple[Any, dict[str, int]]]:
    """Sums per service type of the requests an NGO held, created in the period (a regional
    coordinator's regions only)."""
    regions = organisation_regions_for_user(actor=actor, organisation=organisation)
    qs = DayRollup.objects.filter(
        organisation_id=organisation.pk, day__gte=filters.start, day__lte=filters.end
    )
    if regions is not None:
        qs = qs.filter(region_id__in=regions)
    if filters.service_type_id is not None:
        qs = qs.filter(service_type_id=filters.service_type_id)
    grouped = qs.values("service_type_id").annotate(**_sums()).order_by("service_type_id")
    return [(values["service_type_id"], _clean(values)) for values in grouped]


# After the ward (docs/analytics.md): aftercare's figures for federal and regional
# coordinators and agency observers; referrals' for federal and regional coordinators.


def _after_ward_regions(scope: Scope) -> frozenset[int] | None:
    """The regions whose discharges, plans and contacts the actor's dashboard covers
    (None: all of them)."""
    if scope.federal or scope.has(Role.AGENCY_OBSERVER):
        return None
    return scope.region_ids if scope.has(Role.REGIONAL_COORDINATOR) else frozenset()


def _referral_regions(scope: Scope) -> frozenset[int] | None:
    """The partners' regions whose referrals the actor's dashboard covers (None: all)."""
    if scope.federal:
        return None
    return scope.region_ids if scope.has(Role.REGIONAL_COORDINATOR) else frozenset()


def _within(field: str, regions: frozenset[int] | None, region_id: int | None) -> Q:
    q = Q() if regions is None else Q(**{f"{field}__in": regions})
    return q & Q(**{field: region_id}) if region_id is not None else q


def _hours_since_discharge(day: datetime.date, at: datetime.datetime | None) -> float:
    assert at is not None  # noqa: S101 (the query asks for rows with a first contact)
    start = datetime.datetime.combine(day, datetime.time(), tzinfo=datetime.UTC)
    return (at - start).total_seconds() / 3600


def after_ward_measures(
    *, actor: User, filters: Filters, region_id: int | None = None
) -> dict[int, RegionMeasures]:
    """Per region in the actor's scope (or the one given), for discharges in the period:
    discharges and the share with a plan, median hours to the first contact, contacts
    closed and reached. Two queries however many regions."""
    regions = _after_ward_regions(scope_of(actor))
    period = Q(day__gte=filters.start, day__lte=filters.end)
    sums = (
        AfterWardDay.objects.filter(period, _within("region_id", regions, region_id))
        .values("region_id")
        .annotate(**{name: Sum(name) for name in DISCHARGE_MEASURES})
        .order_by()
    )
    found = {row["region_id"]: row for row in sums if any(row[m] for m in DISCHARGE_MEASURES)}
    # A median cannot be summed: it is read off the discharges' facts (one row each).
    hours: dict[int, list[float]] = {}
    for home, day, at in DischargeFact.objects.filter(
        period, _within("home_region_id", regions, region_id), first_contact_at__isnull=False
    ).values_list("home_region_id", "day", "first_contact_at"):
        hours.setdefault(home, []).append(_hours_since_discharge(day, at))
    return {
        key: RegionMeasures(
            region_id=key,
            discharges=int(found.get(key, {}).get("discharges") or 0),
            with_plan=int(found.get(key, {}).get("with_plan") or 0),
            median_hours_to_first_contact=(statistics.median(hours[key]) if key in hours else None),
            contacts_closed=int(found.get(key, {}).get("contacts_closed") or 0),
            contacts_reached=int(found.get(key, {}).get("contacts_reached") or 0),
        )
        for key in sorted(found.keys() | hours.keys())
    }


def referral_loops(*, actor: User, region_id: int | None = None) -> dict[int, dict[str, int]]:
    """Per partner region in the actor's scope (or the one given), all time: referrals
    sent, done, declined, cancelled, open, and done by each outcome. One query."""
    regions = _referral_regions(scope_of(actor))
    sums = (
        AfterWardDay.objects.filter(_within("region_id", regions, region_id))
        .values("region_id")
        .annotate(**{name: Sum(name) for name in REFERRAL_MEASURES})
        .order_by()
    )
    return {
        row["region_id"]: {name: int(row[name] or 0) for name in REFERRAL_MEASURES}
        for row in sums
        if row["referrals_sent"]
    }
