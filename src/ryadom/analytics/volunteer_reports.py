"""The region page's tables about volunteers: who they are, how far they travel, who is idle."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import get_language, gettext_noop
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.analytics import charts
from ryadom.analytics.models import RequestFact, VolunteerSnapshot
from ryadom.analytics.selectors import IDLE_AFTER, Filters, backlog_by
from ryadom.analytics.tables import Table
from ryadom.geo.distance import haversine_km
from ryadom.geo.models import Region
from ryadom.institutions.models import Institution
from ryadom.volunteers.models import Volunteer

DISTANCE_BANDS = (
    (5, gettext_noop("< 5 km")),
    (15, gettext_noop("5–15 km")),
    (30, gettext_noop("15–30 km")),
    (10_000, gettext_noop("≥ 30 km")),
)
AGE_BANDS = ((25, "18–24"), (35, "25–34"), (50, "35–49"), (65, "50–64"), (200, "65+"))


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


def idle_volunteers(
    *,
    actor: User,
    region: Region,
    waiting: dict[int, tuple[int, int, int]] | None = None,
    limit: int = 50,
) -> Table:
    """Eligible volunteers with no task in 14 days, and open needs near each of them
    (`waiting`: the region's open, overdue and waiting requests per institution now, as the
    page already read them; read here if not given)."""
    since = timezone.localdate() - IDLE_AFTER
    idle_ids = list(
        VolunteerSnapshot.objects.filter(region_id=region.pk, eligible=True, holding=False)
        .filter(Q(last_task_on__isnull=True) | Q(last_task_on__lt=since))
        .order_by("last_task_on", "volunteer_id")
        .values_list("volunteer_id", "last_task_on")[:limit]
    )
    last = dict(idle_ids)
    people = Volunteer.objects.filter(pk__in=last).select_related("user", "settlement")
    if waiting is None:
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
