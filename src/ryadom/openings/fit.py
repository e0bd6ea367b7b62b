""" "For you": openings and open requests a volunteer may take, ranked by fit, with reasons.

Hard rules first, each a filter nothing ranked can pass around: the one eligibility rule
(`opening_missing_steps`, `request_missing_steps`), the travel radius, room for it in the
weekly hour limit, and (openings) a place still free. What passes is ordered by a cost in
the matching engine's points (`ryadom.matching.weights`: 1 point is 100 m of travel), so a
suggestion here and a proposal there weigh distance, interest and availability alike.
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.care.eligibility import request_missing_steps
from ryadom.care.models import CareRequest, Status, Urgency
from ryadom.care.selectors import RequestFilters, request_list
from ryadom.care.wellbeing import CLAIM_HOURS, week_hours
from ryadom.core.weekly import Weekday
from ryadom.institutions.models import Institution
from ryadom.matching.geo import haversine_km
from ryadom.matching.weights import DEFAULT_WEIGHTS
from ryadom.openings.eligibility import opening_missing_steps
from ryadom.openings.models import Application, Opening
from ryadom.openings.selectors import opening_list
from ryadom.volunteers.eligibility import REQUIRED_CHECKS
from ryadom.volunteers.models import CheckKind, Volunteer

# Candidates looked at, of each kind, before the rules: a page, not an export.
CANDIDATES = 100
# Points off for a request by urgency: an urgent need near you comes before a calm one.
URGENCY_BONUS = {Urgency.NORMAL: 0, Urgency.URGENT: 100, Urgency.CRITICAL: 200}
# Points when the time falls outside the availability the volunteer gave.
NOT_AVAILABLE = 2 * DEFAULT_WEIGHTS.no_interest


@dataclass
class Suggestion:
    """One thing the volunteer may take, why it fits, and its cost (lower is better)."""

    kind: str  # "opening" or "request"
    obj: Opening | CareRequest
    institution: Institution
    km: float | None
    cost: int
    when: datetime.datetime | datetime.date | None
    reasons: list[str] = field(default_factory=list)

    @property
    def why(self) -> str:
        return "; ".join(self.reasons)


def distance_km(volunteer: Volunteer, institution: Institution) -> float | None:
    """Great-circle km from the volunteer's home to the institution (None: unknown)."""
    if None in (volunteer.lat, volunteer.lon, institution.lat, institution.lon):
        return None
    return float(
        haversine_km(volunteer.lat, volunteer.lon, institution.lat, institution.lon)  # type: ignore[arg-type]
    )


def within_reach(volunteer: Volunteer, institution: Institution) -> tuple[bool, float | None]:
    """Whether the institution lies within the volunteer's travel radius, and how far it is.

    Without coordinates on either side, only the volunteer's own region counts as in reach.
    """
    km = distance_km(volunteer, institution)
    if km is None:
        return institution.region_id == volunteer.region_id, None
    return km <= volunteer.travel_radius_km, km


def _near_q(volunteer: Volunteer, prefix: str) -> Q:
    """A bounding box around home a little larger than the radius (the index narrows it;
    the exact distance is checked after)."""
    if volunteer.lat is None or volunteer.lon is None:
        return Q(**{f"{prefix}region_id": volunteer.region_id})
    dlat = volunteer.travel_radius_km / 110.0 + 0.01
    dlon = dlat / max(math.cos(math.radians(volunteer.lat)), 0.05)
    return Q(
        **{
            f"{prefix}lat__gte": volunteer.lat - dlat,
            f"{prefix}lat__lte": volunteer.lat + dlat,
            f"{prefix}lon__gte": volunteer.lon - dlon,
            f"{prefix}lon__lte": volunteer.lon + dlon,
        }
    )


def _available(
    volunteer: Volunteer, weekday: int, starts: datetime.time, ends: datetime.time
) -> bool:
    """Some of the time falls within a weekly window the volunteer gave."""
    return any(
        a.weekday == weekday and a.starts < ends and starts < a.ends
        for a in volunteer.availability.all()
    )


def _room_for(volunteer: Volunteer, day: datetime.date, hours: float) -> bool:
    limit = volunteer.weekly_hour_limit
    return limit is None or week_hours(volunteer=volunteer, day=day) + hours <= limit + 1e-9


def _common_reasons(
    volunteer: Volunteer,
    institution: Institution,
    km: float | None,
    service_id: int | None,
    service_name: str | None,
) -> tuple[int, list[str]]:
    """Cost and reasons for distance, clearance and interest."""
    w = DEFAULT_WEIGHTS
    reasons = []
    cost = 0
    if km is not None:
        cost += round(km * w.km)
        if km < 1:
            reasons.append(_("less than 1 km away"))
        else:
            reasons.append(_("%(km)d km away") % {"km": round(km)})
    if CheckKind.TRAINING in REQUIRED_CHECKS[institution.access_level]:
        reasons.append(_("you have the training"))
    else:
        reasons.append(_("you may work there"))
    likes = service_id is not None and any(s.pk == service_id for s in volunteer.interests.all())
    if likes:
        reasons.append(_("matches your interest in %(service)s") % {"service": service_name})
    else:
        cost += w.no_interest
    return cost, reasons


def _time_reason(
    volunteer: Volunteer, weekday: int, starts: datetime.time, ends: datetime.time
) -> tuple[int, list[str]]:
    if _available(volunteer, weekday, starts, ends):
        text = _("you are free then (%(day)s %(starts)s–%(ends)s)") % {
            "day": Weekday(weekday).label,
            "starts": starts.strftime("%H:%M"),
            "ends": ends.strftime("%H:%M"),
        }
        return 0, [text]
    return NOT_AVAILABLE, []


def _openings(actor: User, volunteer: Volunteer, today: datetime.date) -> list[Suggestion]:
    applied = Application.objects.filter(volunteer=volunteer).values("opening_id")
    candidates = (
        opening_list(actor=actor)
        .filter(_near_q(volunteer, "institution__"))
        .exclude(pk__in=applied)[:CANDIDATES]
    )
    found = []
    for opening in candidates:
        day = opening.next_day(today)
        if day is None or getattr(opening, "accepted_count", 0) >= opening.needed:
            continue
        near, km = within_reach(volunteer, opening.institution)
        if not near or opening_missing_steps(volunteer=volunteer, opening=opening, on=day):
            continue
        if not _room_for(volunteer, day, opening.hours):
            continue
        service = opening.service_type
        cost, reasons = _common_reasons(
            volunteer,
            opening.institution,
            km,
            service.pk if service else None,
            service.name if service else None,
        )
        skills = list(opening.required_skills.all())
        if skills:
            reasons.append(
                _("you have the skills it needs: %(skills)s")
                % {"skills": ", ".join(str(s) for s in skills)}
            )
        extra, more = _time_reason(volunteer, day.weekday(), opening.start_time, opening.end_time)
        found.append(
            Suggestion(
                "opening", opening, opening.institution, km, cost + extra, day, reasons + more
            )
        )
    return found


def _requests(actor: User, volunteer: Volunteer, today: datetime.date) -> list[Suggestion]:
    candidates: QuerySet[CareRequest] = (
        request_list(actor=actor, filters=RequestFilters(status=Status.TRIAGED))
        .filter(_near_q(volunteer, "institution__"))
        .prefetch_related("institution__visiting_hours")[:CANDIDATES]
    )
    zone = volunteer.region.zone
    found = []
    for request in candidates:
        near, km = within_reach(volunteer, request.institution)
        if not near or request_missing_steps(volunteer=volunteer, request=request, on=today):
            continue
        day = request.window_starts.astimezone(zone).date() if request.window_starts else today
        if not _room_for(volunteer, day, CLAIM_HOURS):
            continue
        service = request.service_type
        cost, reasons = _common_reasons(
            volunteer, request.institution, km, service.pk, service.name
        )
        if request.urgency != Urgency.NORMAL:
            reasons.insert(0, str(Urgency(request.urgency).label).lower())
            cost -= URGENCY_BONUS[Urgency(request.urgency)]
        if request.window_starts and request.window_ends:
            local = request.window_starts.astimezone(request.institution.region.zone)
            end = request.window_ends.astimezone(request.institution.region.zone)
            end_time = end.time() if end.date() == local.date() else datetime.time.max
            extra, more = _time_reason(volunteer, local.weekday(), local.time(), end_time)
            cost, reasons = cost + extra, reasons + more
        found.append(
            Suggestion(
                "request", request, request.institution, km, cost, request.window_starts, reasons
            )
        )
    return found


def for_you(*, actor: User, volunteer: Volunteer, limit: int = 30) -> list[Suggestion]:
    """What the volunteer may take now, best fit first (nothing that breaks a hard rule)."""
    today = timezone.localdate()
    found = _openings(actor, volunteer, today) + _requests(actor, volunteer, today)
    found.sort(key=lambda s: (s.cost, s.km if s.km is not None else math.inf, s.kind, s.obj.pk))
    return found[:limit]
