""" "For you": what a volunteer may take, ranked by fit with the reasons, and never anything
that breaks a hard rule (property test over random volunteers and openings)."""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from ryadom.care.eligibility import request_missing_steps
from ryadom.care.models import Channel
from ryadom.care.services.coordination import request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.wellbeing import week_hours
from ryadom.catalogue.models import ServiceType, Skill
from ryadom.institutions.models import AccessLevel, Institution
from ryadom.openings import services
from ryadom.openings.eligibility import opening_missing_steps
from ryadom.openings.fit import for_you
from ryadom.openings.models import ApplicationStatus, Opening, Recurrence
from ryadom.openings.selectors import own_volunteer
from ryadom.volunteers.models import Check, CheckKind, CheckStatus, Volunteer
from tests import factories as f
from tests.conftest import Cast
from tests.openings.helpers import as_user, next_saturday, post_opening

pytestmark = pytest.mark.django_db

KM_PER_DEGREE_LAT = 111.195  # on a sphere of 6371 km


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Haversine, written out here rather than imported from the code under test."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    h = (
        math.sin((p2 - p1) / 2) ** 2
        + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2
    )
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def _north_of(c: Cast, km: float, name: str, **fields: Any) -> Institution:
    """A Moscow institution `km` north of the cast's volunteer, where NGO A has an agreement."""
    base = c.volunteer_a
    institution = f.InstitutionFactory(
        region=c.institution_a.region,
        name=name,
        lat=base.lat + km / KM_PER_DEGREE_LAT,
        lon=base.lon,
        **fields,
    )
    f.AgreementFactory(organisation=c.ngo_a, institution=institution)
    return institution


def test_suggestions_come_best_fit_first_with_the_reasons_in_words(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    reading = ServiceType.objects.get(code="leisure.reading")
    c.volunteer_a.interests.add(reading)
    c.volunteer_a.availability.create(weekday=5, starts=datetime.time(10), ends=datetime.time(14))
    near = post_opening(c, title="Help in the canteen")  # 0 km away, not an interest
    twelve = _north_of(c, 12, "Госпиталь в 12 км")
    far = _north_of(c, 40, "Госпиталь в 40 км")  # beyond the 15 km radius
    no_agreement = f.InstitutionFactory(region=c.institution_a.region, name="Без соглашения")
    reading_there = post_opening(
        c, actor=c.ngo_manager, institution=twelve, service_type=reading, title="Reading aloud"
    )
    post_opening(c, actor=c.ngo_manager, institution=far, title="Too far")
    f.AgreementFactory(organisation=c.ngo_b, institution=no_agreement)
    full = post_opening(c, title="Already full", needed=1)
    other = _cleared(c)
    services.application_accept(
        actor=c.liaison,
        application=services.application_create(actor=other.user, opening=full),
    )
    request = request_create(
        actor=c.liaison,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=c.institution_a,
        veteran=c.veteran_a,
        channel=Channel.WARD,
        urgency="urgent",
    )
    request_triage(actor=c.coord_a, request=request)

    volunteer = own_volunteer(actor=c.volunteer_user)
    assert volunteer is not None
    found = for_you(actor=c.volunteer_user, volunteer=volunteer)
    assert [(s.kind, s.obj.pk) for s in found] == [
        ("request", request.pk),  # urgent and here
        ("opening", near.pk),
        ("opening", reading_there.pk),
    ]
    assert found[2].why == (
        "12 km away; you have the training; matches your interest in Reading aloud; "
        "you are free then (Saturday 11:00–13:00)"
    )
    assert found[0].why.startswith("urgent; less than 1 km away; you have the training")

    page = as_user(client, c.volunteer_user).get("/volunteer/for-you/").content.decode()
    assert "12 km away; you have the training; matches your interest in" in page
    assert "Too far" not in page and "Already full" not in page
    # Once applied, an opening leaves the list.
    services.application_create(actor=c.volunteer_user, opening=reading_there)
    assert reading_there.pk not in [
        s.obj.pk for s in for_you(actor=c.volunteer_user, volunteer=volunteer)
    ]


def test_for_you_is_only_for_volunteers(care_cast: Cast, client: Client) -> None:
    assert as_user(client, care_cast.coord_a).get("/volunteer/for-you/").status_code == 403


# --- the property test ---------------------------------------------------------------------

ALL_CHECKS = [
    CheckKind.IDENTITY,
    CheckKind.AGREEMENT,
    CheckKind.TRAINING,
    CheckKind.MEDICAL,
    CheckKind.SCREENING,
]

# Tilted towards volunteers who pass most rules, so that something is suggested in most
# examples and each rule is the one that fails in some.
volunteer_st = st.fixed_dictionaries(
    {
        "north_km": st.floats(-20, 20),
        "radius": st.integers(1, 50),
        "checks": st.one_of(
            st.just(ALL_CHECKS), st.lists(st.sampled_from(ALL_CHECKS), unique=True)
        ),
        "expired": st.one_of(st.just([]), st.lists(st.sampled_from(ALL_CHECKS), max_size=1)),
        "member": st.sampled_from(["ngo_a", "ngo_a", "ngo_a", "ngo_b", "none", "pending"]),
        "skills": st.one_of(
            st.just([0, 1, 2, 3]), st.lists(st.integers(0, 3), unique=True, max_size=3)
        ),
        "limit": st.one_of(st.none(), st.integers(1, 6)),
    }
)
opening_st = st.fixed_dictionaries(
    {
        "institution": st.integers(0, 3),
        "skills": st.lists(st.integers(0, 3), unique=True, max_size=2),
        "weekly": st.booleans(),
        "in_days": st.integers(0, 20),
        "hours": st.integers(1, 5),
        "needed": st.integers(1, 2),
        "screened_service": st.sampled_from([False, False, True]),
    }
)


def _cleared(c: Cast) -> Volunteer:
    volunteer = f.VolunteerFactory(region=c.institution_a.region)
    f.MembershipFactory(volunteer=volunteer, organisation=c.ngo_a)
    for kind in ALL_CHECKS:
        Check.objects.create(
            volunteer=volunteer,
            kind=kind,
            status=CheckStatus.PASSED,
            valid_until=timezone.localdate() + datetime.timedelta(days=365),
        )
    volunteer.skills.set(Skill.objects.all())
    return volunteer


def _make_volunteer(c: Cast, spec: dict[str, Any], skills: list[Skill]) -> Volunteer:
    base = c.institution_a
    volunteer = f.VolunteerFactory(
        region=base.region,
        lat=base.lat + spec["north_km"] / KM_PER_DEGREE_LAT,
        lon=base.lon,
        travel_radius_km=spec["radius"],
        weekly_hour_limit=spec["limit"],
    )
    today = timezone.localdate()
    for kind in spec["checks"]:
        expired = kind in spec["expired"]
        Check.objects.create(
            volunteer=volunteer,
            kind=kind,
            status=CheckStatus.PASSED,
            valid_until=today - datetime.timedelta(days=1) if expired else None,
        )
    if spec["member"] in ("ngo_a", "ngo_b"):
        f.MembershipFactory(volunteer=volunteer, organisation=getattr(c, spec["member"]))
    elif spec["member"] == "pending":
        f.MembershipFactory(volunteer=volunteer, organisation=c.ngo_a, status="pending")
    volunteer.skills.set([skills[i] for i in spec["skills"]])
    from ryadom.accounts.models import Role
    from ryadom.accounts.services import role_assign

    role_assign(actor=None, user=volunteer.user, role=Role.VOLUNTEER)
    return volunteer


def _make_opening(
    c: Cast, spec: dict[str, Any], places: list[Institution], skills: list[Skill]
) -> Opening:
    institution = places[spec["institution"]]
    poster = c.liaison if institution == c.institution_a else c.ngo_manager
    day = timezone.localdate() + datetime.timedelta(days=spec["in_days"])
    service = ServiceType.objects.filter(needs_security_screening=spec["screened_service"]).first()
    return post_opening(
        c,
        actor=poster,
        title="Opening",
        institution=institution,
        starts_on=day,
        recurrence=Recurrence.WEEKLY if spec["weekly"] else Recurrence.ONCE,
        start_time=datetime.time(10),
        end_time=datetime.time(10 + spec["hours"]),
        needed=spec["needed"],
        required_skills=[skills[i] for i in spec["skills"]],
        service_type=service,
    )


@pytest.fixture
def places(care_cast: Cast) -> list[Institution]:
    """Hospital A (pass), and three more with agreements of NGO A: 10 km north with
    screening, 30 km south open, 80 km north with a pass."""
    c = care_cast
    institutions = [c.institution_a]
    for km, level in ((10, AccessLevel.SCREENING), (-30, AccessLevel.OPEN), (80, AccessLevel.PASS)):
        institution = f.InstitutionFactory(
            region=c.institution_a.region,
            lat=c.institution_a.lat + km / KM_PER_DEGREE_LAT,
            lon=c.institution_a.lon,
            access_level=level,
        )
        f.AgreementFactory(organisation=c.ngo_a, institution=institution)
        institutions.append(institution)
    return institutions


@given(
    volunteers=st.lists(volunteer_st, min_size=1, max_size=3),
    openings=st.lists(opening_st, min_size=1, max_size=5),
    accept=st.lists(st.booleans(), max_size=5),
)
def test_nothing_ineligible_out_of_reach_full_or_over_the_limit_is_ever_suggested(
    care_cast: Cast,
    places: list[Institution],
    volunteers: list[dict[str, Any]],
    openings: list[dict[str, Any]],
    accept: list[bool],
) -> None:
    c = care_cast
    skills = list(Skill.objects.order_by("code")[:4])
    with transaction.atomic():
        made = [_make_opening(c, spec, places, skills) for spec in openings]
        # Fill some places with a fully cleared volunteer, so "full" happens too.
        helper = _cleared(c)
        for opening, yes in zip(made, accept, strict=False):
            if yes:
                application = services.application_create(actor=helper.user, opening=opening)
                services.application_accept(actor=opening.posted_by, application=application)
        # Besides the random ones, one who passes every rule but the hour limit, so that
        # most examples have suggestions to check.
        ready = {**volunteers[0], "checks": ALL_CHECKS, "expired": [], "member": "ngo_a"}
        ready |= {"skills": [0, 1, 2, 3], "north_km": 0.0, "radius": 50}
        people = [_make_volunteer(c, spec, skills) for spec in [ready, *volunteers]]
        today = timezone.localdate()
        for person in people:
            volunteer = own_volunteer(actor=person.user)
            assert volunteer is not None
            for s in for_you(actor=person.user, volunteer=volunteer):
                place = s.institution
                km = _km(volunteer.lat, volunteer.lon, place.lat, place.lon)  # type: ignore[arg-type]
                assert km <= volunteer.travel_radius_km + 1e-6, (s.why, km)
                if isinstance(s.obj, Opening):
                    day = s.obj.next_day(today)
                    assert day is not None
                    assert not opening_missing_steps(volunteer=volunteer, opening=s.obj, on=day)
                    taken = s.obj.applications.filter(status=ApplicationStatus.ACCEPTED).count()
                    assert taken < s.obj.needed
                    have = set(volunteer.skills.values_list("pk", flat=True))
                    assert set(s.obj.required_skills.values_list("pk", flat=True)) <= have
                    if volunteer.weekly_hour_limit is not None:
                        planned = week_hours(volunteer=volunteer, day=day)
                        assert planned + s.obj.hours <= volunteer.weekly_hour_limit
                else:
                    assert not request_missing_steps(volunteer=volunteer, request=s.obj, on=today)
        transaction.set_rollback(True)


def test_next_saturday_helper_is_a_saturday() -> None:
    assert next_saturday().weekday() == 5
