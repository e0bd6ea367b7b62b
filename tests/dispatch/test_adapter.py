"""The adapter against the one rule, on random worlds in the database.

For every (request, volunteer) pair, what the adapter hands the engine (clearance, the
service's needs, the gender rule) must say "may" exactly when
`care.eligibility.request_missing_steps` finds nothing missing; and no proposal of a run
may break a hard rule, checked here from the rows themselves.
"""

from __future__ import annotations

import datetime
import math
import random
from collections import Counter
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from ryadom.care.eligibility import request_missing_steps
from ryadom.care.models import CareRequest, Channel, Status
from ryadom.catalogue.models import ServiceType, Skill
from ryadom.dispatch import adapter, week_slots
from ryadom.dispatch.selectors import request_recommendations, volunteer_week_load
from ryadom.institutions.models import AccessLevel, VisitingHours
from ryadom.matching import ANY
from ryadom.veterans.models import HelperGender
from ryadom.volunteers.models import (
    Availability,
    Check,
    CheckKind,
    CheckStatus,
    Membership,
    MembershipStatus,
    Volunteer,
)
from tests import factories as f
from tests.conftest import Cast
from tests.dispatch.conftest import StartRun

pytestmark = pytest.mark.django_db


def _world(c: Cast, seed: int) -> None:
    """Institutions, NGOs, agreements, volunteers, checks, veterans and requests, at random."""
    rng = random.Random(seed)
    today = timezone.localdate()
    day = datetime.timedelta(days=1)
    moscow = c.institution_a.region
    institutions = [c.institution_a] + [
        f.InstitutionFactory(
            region=moscow,
            access_level=rng.choice(list(AccessLevel)),
            lat=moscow.lat + rng.uniform(-0.2, 0.2),
            lon=moscow.lon + rng.uniform(-0.3, 0.3),
        )
        for _ in range(3)
    ]
    for inst in institutions[1:]:
        for weekday in rng.sample(range(7), 3):
            start = rng.randint(8, 14)
            VisitingHours.objects.create(
                institution=inst,
                weekday=weekday,
                starts=datetime.time(start, rng.choice((0, 30))),
                ends=datetime.time(start + rng.randint(2, 6)),
            )
    ngos = [c.ngo_a, c.ngo_b, f.OrganisationFactory(home_region=moscow)]
    for ngo in ngos:
        for inst in institutions:
            kind = rng.choice(["current"] * 4 + ["expired", "future", "none"])
            if kind == "none":
                continue
            f.AgreementFactory(
                organisation=ngo,
                institution=inst,
                valid_from=today + day if kind == "future" else today - 30 * day,
                valid_to={"expired": today - day, "future": None}.get(
                    kind, rng.choice([None, today])
                ),
            )
    skills = list(Skill.objects.all())
    for _ in range(30):
        v = f.VolunteerFactory(
            region=moscow,
            gender=rng.choice("fm"),
            lat=moscow.lat + rng.uniform(-0.2, 0.2),
            lon=moscow.lon + rng.uniform(-0.3, 0.3),
            travel_radius_km=rng.choice((5, 15, 30, 60, 100)),
            weekly_task_cap=rng.randint(1, 3),
        )
        v.skills.set(rng.sample(skills, rng.randint(0, 8)))
        for ngo in rng.sample(ngos, rng.choice((0, 1, 1, 2))):
            status = rng.choice([MembershipStatus.APPROVED] * 3 + list(MembershipStatus))
            Membership.objects.create(volunteer=v, organisation=ngo, status=status)
        for kind in CheckKind:
            if rng.random() < 0.95:
                Check.objects.create(
                    volunteer=v,
                    kind=kind,
                    status=rng.choice([CheckStatus.PASSED] * 10 + [CheckStatus.REFUSED]),
                    valid_until=rng.choice([None] * 6 + [today - day, today, today + day]),
                )
        for weekday in rng.sample(range(7), rng.randint(0, 3)):
            start = rng.randint(8, 18)
            Availability.objects.create(
                volunteer=v,
                weekday=weekday,
                starts=datetime.time(start, rng.choice((0, 30))),
                ends=datetime.time(start + rng.randint(1, 4)),
            )
    veterans = [
        f.VeteranFactory(
            gender=rng.choice("fm"), preferred_helper_gender=rng.choice(list(HelperGender))
        )
        for _ in range(5)
    ]
    services = list(ServiceType.objects.all())
    for _ in range(16):
        service = rng.choice(services)
        CareRequest.objects.create(
            region=moscow,
            institution=rng.choice(institutions),
            veteran=rng.choice([*veterans, None]),
            service_type=service,
            urgency=rng.choice(["normal", "urgent", "critical"]),
            channel=Channel.PHONE,
            status=Status.TRIAGED,
            deadline=timezone.now() + rng.randint(2, 72) * datetime.timedelta(hours=1),
            coordinator=c.coord_a,
        )


def _volunteers() -> Any:
    return Volunteer.objects.prefetch_related("checks").order_by("pk")


def _requests() -> Any:
    return CareRequest.objects.select_related("institution", "service_type", "veteran").order_by(
        "pk"
    )


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
def test_adapter_agrees_with_the_one_rule_for_every_pair(care_cast: Cast, seed: int) -> None:
    _world(care_cast, seed)
    today = timezone.localdate()
    loaded = adapter.load(CareRequest.objects.all(), Volunteer.objects.all())
    requests, volunteers = list(_requests()), list(_volunteers())
    assert [r.pk for r in requests] == loaded.request_ids.tolist()
    assert [v.pk for v in volunteers] == loaded.volunteer_ids.tolist()
    req, vol = loaded.requests, loaded.volunteers
    outcomes: Counter[bool] = Counter()
    for i, request in enumerate(requests):
        for j, volunteer in enumerate(volunteers):
            cleared = int(req.institution[i]) in vol.clearance.get(j).tolist()
            checks_ok = int(req.needs[i]) & ~int(vol.checks[j]) == 0
            gender_ok = req.gender[i] == ANY or req.gender[i] == vol.gender[j]
            engine_says = bool(cleared and checks_ok and gender_ok)
            rule_says = not request_missing_steps(volunteer=volunteer, request=request, on=today)
            assert engine_says == rule_says, (request.pk, volunteer.pk)
            outcomes[rule_says] += 1
    assert outcomes[True] and outcomes[False]  # the world tests both answers


def _touched(rows: Any) -> set[tuple[int, int]]:
    """(weekday, hour) slots an interval touches, in local time."""
    out = set()
    for weekday, starts, ends in rows:
        last = ends.hour + (1 if ends.minute else 0)
        out |= {(weekday, h) for h in range(starts.hour, last)}
    return out


def _km(a: Any, b: Any) -> float:
    p1, p2 = math.radians(a.lat), math.radians(b.lat)
    dp, dl = p2 - p1, math.radians(b.lon - a.lon)
    h = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_no_proposal_breaks_a_hard_rule(care_cast: Cast, seed: int, start_run: StartRun) -> None:
    _world(care_cast, seed)
    today = timezone.localdate()
    run = start_run(actor=care_cast.coord_a, region=care_cast.institution_a.region)
    assert run.matched + run.unserved == run.requests == 16
    per_volunteer: Counter[int] = Counter()
    for p in run.proposals.select_related(
        "request__institution", "request__service_type", "request__veteran", "volunteer"
    ).prefetch_related("volunteer__checks", "volunteer__skills"):
        request, volunteer = p.request, p.volunteer
        assert not request_missing_steps(volunteer=volunteer, request=request, on=today)
        assert _km(request.institution, volunteer) <= volunteer.travel_radius_km + 1e-6
        assert abs(_km(request.institution, volunteer) - p.km) < 0.01
        needed = set(request.service_type.required_skills.values_list("pk", flat=True))
        assert needed <= {s.pk for s in volunteer.skills.all()}
        free = _touched(volunteer.availability.values_list("weekday", "starts", "ends"))
        hours = _touched(
            request.institution.visiting_hours.values_list("weekday", "starts", "ends")
        )
        if free and hours:  # none given: any time
            assert free & hours, (request.pk, volunteer.pk)
        per_volunteer[volunteer.pk] += 1
    for volunteer_id, n in per_volunteer.items():
        v = Volunteer.objects.get(pk=volunteer_id)
        assert volunteer_week_load(volunteer_id=volunteer_id) + n <= v.weekly_task_cap
    assert run.matched, "the world lets some requests be served"


def test_week_slots_are_utc_so_time_zones_meet() -> None:
    # Monday 10:00-12:00 in Moscow (UTC+3) is Monday 07:00-09:00 UTC; in Vladivostok
    # (UTC+10) Monday 10:00 is Monday 00:00 UTC; Monday 08:00 there is Sunday 22:00 UTC.
    owner, start, end = week_slots.weekly_rows(
        [
            (0, 0, datetime.time(10), datetime.time(12), 180),
            (1, 0, datetime.time(8), datetime.time(10, 30), 600),
        ]
    )
    bits = week_slots.slot_bits(2, owner, start, end)
    from ryadom.matching import slots_mask

    assert (bits[0] == slots_mask([(7, 9)])).all()
    assert (bits[1] == slots_mask([(166, 168), (0, 1)])).all()


def test_recommendations_cost_the_same_queries_however_many_volunteers(care_cast: Cast) -> None:
    c = care_cast
    _world(c, 5)
    request = CareRequest.objects.filter(institution=c.institution_a).first()
    assert request is not None
    request_recommendations(actor=c.coord_a, request=request, limit=5)  # the scope is cached
    with CaptureQueriesContext(connection) as few:
        request_recommendations(actor=c.coord_a, request=request, limit=5)
    for _ in range(15):
        v = f.VolunteerFactory(region=c.institution_a.region)
        Membership.objects.create(
            volunteer=v, organisation=c.ngo_a, status=MembershipStatus.APPROVED
        )
    with CaptureQueriesContext(connection) as many:
        request_recommendations(actor=c.coord_a, request=request, limit=5)
    assert len(many.captured_queries) == len(few.captured_queries) <= 20


def test_loading_a_region_is_a_fixed_number_of_queries(care_cast: Cast) -> None:
    c = care_cast
    _world(c, 6)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            adapter.load(CareRequest.objects.all(), Volunteer.objects.all())
        return len(queries.captured_queries)

    before = count()
    _world(c, 7)  # as many again of everything
    assert count() == before == 16


def test_hours_left_are_the_ngo_limit_less_the_hours_assignment_counts(care_cast: Cast) -> None:
    from ryadom.care.wellbeing import CLAIM_HOURS, week_hours

    c = care_cast
    _world(c, 8)
    rng = random.Random(8)
    for v in Volunteer.objects.all():
        if rng.random() < 0.5:
            v.weekly_hour_limit = rng.randint(1, 12)
            v.save(update_fields=["weekly_hour_limit"])
    loaded = adapter.load(CareRequest.objects.all(), Volunteer.objects.all())
    assert loaded.volunteers.task_hours == CLAIM_HOURS
    limited = 0
    for row, v in enumerate(Volunteer.objects.select_related("region").order_by("pk")):
        got = float(loaded.volunteers.hours_left[row])
        if v.weekly_hour_limit is None:
            assert got == math.inf
            continue
        limited += 1
        planned = week_hours(volunteer=v, day=timezone.localdate(timezone=v.region.zone))
        assert got == max(v.weekly_hour_limit - planned, 0.0)
    assert limited
