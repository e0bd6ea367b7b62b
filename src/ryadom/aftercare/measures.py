"""The dashboard's measures of the time after discharge, per region, scoped by role:
share of discharges with a plan (by the hospital's region), hours from discharge to the
first contact, and the reach rate of follow-up contacts (by the home region)."""

from __future__ import annotations

import datetime
import statistics
from collections import defaultdict
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Exists, OuterRef, Q

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.aftercare.models import ContactOutcome, DischargePlan, FollowUpContact
from ryadom.veterans.models import Stay

# A contact reached the veteran when someone answered, whatever they said.
REACHED = [ContactOutcome.REACHED, ContactOutcome.DECLINED, ContactOutcome.NEW_NEEDS]
# The VA's Solid Start reached 71 % of newly separated veterans in 2021.
REFERENCE_REACH = 0.71


@dataclass(frozen=True)
class RegionMeasures:
    region_id: int
    discharges: int
    with_plan: int
    median_hours_to_first_contact: float | None
    contacts_closed: int
    contacts_reached: int

    @property
    def plan_share(self) -> float | None:
        return self.with_plan / self.discharges if self.discharges else None

    @property
    def reach_rate(self) -> float | None:
        return self.contacts_reached / self.contacts_closed if self.contacts_closed else None


def _region_ids(actor: User | AnonymousUser | None) -> frozenset[int] | None:
    """The regions the actor's dashboard covers; None: all of them."""
    scope = scope_of(actor)
    if scope.federal or scope.has(Role.AGENCY_OBSERVER):
        return None
    return scope.region_ids if scope.has(Role.REGIONAL_COORDINATOR) else frozenset()


def region_measures(
    *, actor: User | AnonymousUser | None, since: datetime.date, region_id: int | None = None
) -> list[RegionMeasures]:
    """Per region (or one region), for discharges on or after `since`: three queries
    however many regions."""
    regions = _region_ids(actor)
    if region_id is not None:
        regions = frozenset({region_id}) & (regions if regions is not None else {region_id})

    def within(field: str) -> Q:
        return Q() if regions is None else Q(**{f"{field}__in": regions})

    discharges = (
        Stay.objects.filter(within("institution__region_id"), discharged_on__gte=since)
        .exclude(Exists(Stay.objects.filter(transferred_from=OuterRef("pk"))))
        .values("institution__region_id")
        .annotate(n=Count("pk"), planned=Count("discharge_plan"))
    )
    hours: dict[int, list[float]] = defaultdict(list)
    for region_id, discharged_on, first in DischargePlan.objects.filter(
        within("home_region_id"), stay__discharged_on__gte=since, first_contact_at__isnull=False
    ).values_list("home_region_id", "stay__discharged_on", "first_contact_at"):
        if discharged_on is None or first is None:  # excluded by the filter; typed as optional
            continue
        start = datetime.datetime.combine(discharged_on, datetime.time(), tzinfo=datetime.UTC)
        hours[region_id].append((first - start).total_seconds() / 3600)
    contacts = (
        FollowUpContact.objects.filter(
            within("plan__home_region_id"), plan__stay__discharged_on__gte=since
        )
        .exclude(outcome__in=["", ContactOutcome.STOPPED])
        .values("plan__home_region_id")
        .annotate(n=Count("pk"), reached=Count("pk", filter=Q(outcome__in=REACHED)))
    )
    rows: dict[int, dict[str, int]] = defaultdict(dict)
    for d in discharges:
        rows[d["institution__region_id"]] |= {"discharges": d["n"], "with_plan": d["planned"]}
    for c in contacts:
        rows[c["plan__home_region_id"]] |= {"closed": c["n"], "reached": c["reached"]}
    return [
        RegionMeasures(
            region_id=region_id,
            discharges=row.get("discharges", 0),
            with_plan=row.get("with_plan", 0),
            median_hours_to_first_contact=(
                statistics.median(hours[region_id]) if hours.get(region_id) else None
            ),
            contacts_closed=row.get("closed", 0),
            contacts_reached=row.get("reached", 0),
        )
        for region_id, row in sorted((rows | {r: rows[r] for r in hours}).items())
    ]
