"""Volunteers near where people live, with skills, interests, free hours and their NGOs."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from ryadom.accounts.models import Role
from ryadom.demo import words
from ryadom.demo.context import Context, Member
from ryadom.demo.people import Person, person
from ryadom.demo.places import pick, scatter, spread
from ryadom.demo.users import grant, new_user
from ryadom.demo.veterans import KIND_WEIGHTS
from ryadom.geo.models import Settlement
from ryadom.institutions.models import InstitutionKind
from ryadom.volunteers.models import (
    Availability,
    CheckKind,
    CheckStatus,
    Membership,
    MembershipStatus,
    Volunteer,
)
from ryadom.volunteers.services import CheckStep, checks_record

T = datetime.time
WEEKDAY_WINDOWS = ((T(18), T(21)), (T(17, 30), T(20, 30)), (T(9), T(13)), (T(12), T(16)))
WEEKEND_WINDOWS = ((T(10), T(14)), (T(12), T(18)), (T(15), T(19)))
# Younger people volunteer more; (from, to, weight).
AGES = ((18, 25, 25), (26, 40, 30), (41, 60, 30), (61, 80, 15))
STATUSES = {
    MembershipStatus.APPROVED: 85,
    MembershipStatus.PENDING: 10,
    MembershipStatus.LEFT: 3,
    MembershipStatus.REJECTED: 2,
}
RADII = (5, 10, 15, 15, 20, 30, 50)
# Share of volunteers holding each skill besides those of the help they like: everyday ones
# are common (most people can read aloud or push a wheelchair), professional ones rare.
SKILL_SHARES = {"sign_language": 0.03, "law": 0.08, "psychology": 0.1, "personal_care": 0.15}
EVERYDAY_SHARE = 0.45
SKILLED_FOR_LIKED = 0.9  # chance to hold each skill a liked kind of help needs
NEAR_INSTITUTION = 0.8  # share of volunteers living in a town with an institution
# An NGO with an agreement with an institution in the volunteer's town is this much likelier
# to be the one they join: people help where they live.
LOCAL_NGO_WEIGHT = 5.0
CHECKS_AT_ONCE = 5000  # check steps per call of the service


@dataclass(frozen=True)
class Recruit:
    """A volunteer before any row exists: who, where and since when."""

    who: Person
    town: Settlement
    joined: datetime.date


def create(ctx: Context) -> None:
    """The plan's volunteers, built and inserted a chunk at a time to bound memory."""
    total, chunk = ctx.plan.volunteers, ctx.plan.chunk
    towns = _homes(ctx, total)
    for start in range(0, total, chunk):
        # One transaction per chunk: a failure loses one chunk's work, not the run's.
        with transaction.atomic():
            _chunk(ctx, towns[start : start + chunk], start)
        ctx.loader.say(f"volunteers: {min(start + chunk, total):,} of {total:,}")


def _homes(ctx: Context, total: int) -> list[Settlement]:
    """Where volunteers live: regions by population (flattened by the plan's
    `volunteer_spread`, so a small demo's smaller regions have people too), and within a
    region most in a town with institutions, the more the more veterans are treated there
    (military hospitals most), the rest anywhere by population."""
    regions = ctx.ref.regions
    weights = [ctx.ref.region_population(r) ** ctx.plan.volunteer_spread for r in regions]
    counts = spread(ctx.rng, total, weights)
    demand: dict[int, float] = {}  # town -> how many veterans its institutions treat
    for inst in ctx.world.institutions:
        if inst.settlement_id is not None:
            weight = KIND_WEIGHTS[InstitutionKind(inst.kind)]
            demand[inst.settlement_id] = demand.get(inst.settlement_id, 0.0) + weight
    towns: list[Settlement] = []
    for region, n in zip(regions, counts, strict=True):
        settlements = ctx.ref.settlements[region.pk]
        near = [s for s in settlements if s.pk in demand]
        n_near = sum(ctx.rng.random() < NEAR_INSTITUTION for _ in range(n)) if near else 0
        towns += ctx.rng.choices(near, weights=[demand[s.pk] for s in near], k=n_near)
        towns += pick(ctx.rng, settlements, n - n_near)
    ctx.rng.shuffle(towns)
    return towns


def _chunk(ctx: Context, towns: Sequence[Settlement], start: int) -> None:
    recruits = [_recruit(ctx, town) for town in towns]
    users = [
        new_user(ctx, f"volunteer-{start + i:06d}", r.who, joined=r.joined)
        for i, r in enumerate(recruits, 1)
    ]
    ctx.loader.insert(users)
    grant(ctx, users, Role.VOLUNTEER)
    volunteers = [_volunteer(ctx, user.pk, r) for user, r in zip(users, recruits, strict=True)]
    ctx.loader.insert(volunteers)
    _skills_and_interests(ctx, volunteers)
    _availability(ctx, volunteers)
    _memberships(ctx, volunteers, recruits)


def _recruit(ctx: Context, town: Settlement) -> Recruit:
    gender = "f" if ctx.rng.random() < 0.62 else "m"
    return Recruit(person(ctx.names, gender), town, ctx.days_ago(ctx.rng.randint(1, 1000)))


def _volunteer(ctx: Context, user_id: int, r: Recruit) -> Volunteer:
    rng = ctx.rng
    low, high, _weight = rng.choices(AGES, weights=[a[2] for a in AGES])[0]
    lat, lon = scatter(rng, r.town)
    return Volunteer(
        user_id=user_id,
        region_id=r.town.region_id,
        settlement=r.town,
        gender=r.who.gender,
        birth_year=ctx.today.year - rng.randint(low, high),
        languages=_languages(ctx, r.town),
        travel_radius_km=rng.choice(RADII),
        weekly_task_cap=rng.randint(1, 5),
        is_veteran=rng.random() < 0.05,
        is_veteran_relative=rng.random() < 0.12,
        created_at=ctx.moment(r.joined, 9),
        lat=lat,
        lon=lon,
    )


def _languages(ctx: Context, town: Settlement) -> list[str]:
    spoken = ["ru"]
    regional = words.REGIONAL_LANGUAGES.get(town.region.code)
    if regional and ctx.rng.random() < 0.3:
        spoken.append(regional)
    if ctx.rng.random() < 0.15:
        spoken.append("en")
    return spoken


def _skills_and_interests(ctx: Context, volunteers: Sequence[Volunteer]) -> None:
    """Kinds of help each likes, mostly with the skills they need, and a few skills more
    (everyday ones common, professional ones rare)."""
    rng, skills, services = ctx.rng, ctx.ref.skills, ctx.ref.service_types
    shares = [SKILL_SHARES.get(ctx.ref.skill_codes[s], EVERYDAY_SHARE) for s in skills]
    skill_rows, interest_rows = [], []
    through_skills, through_interests = Volunteer.skills.through, Volunteer.interests.through
    for v in volunteers:
        liked = rng.sample(services, rng.randint(1, 4))
        held = {s for service in liked for s in ctx.ref.service_skills.get(service, [])}
        held = {s for s in sorted(held) if rng.random() < SKILLED_FOR_LIKED}
        held |= {s for s, share in zip(skills, shares, strict=True) if rng.random() < share}
        skill_rows += [through_skills(volunteer_id=v.pk, skill_id=s) for s in sorted(held)]
        interest_rows += [through_interests(volunteer_id=v.pk, servicetype_id=s) for s in liked]
    ctx.loader.insert(skill_rows)
    ctx.loader.insert(interest_rows)


def _availability(ctx: Context, volunteers: Sequence[Volunteer]) -> None:
    """One to four weekly windows, each on its own day so they never overlap; most people
    keep a weekend day, when every kind of institution admits visitors."""
    rows = []
    for v in volunteers:
        days = ctx.rng.sample(range(7), ctx.rng.choices((1, 2, 3, 4), weights=(15, 35, 35, 15))[0])
        if not any(day >= 5 for day in days) and ctx.rng.random() < 0.6:
            days[0] = ctx.rng.choice((5, 6))
        for day in sorted(days):
            starts, ends = ctx.rng.choice(WEEKEND_WINDOWS if day >= 5 else WEEKDAY_WINDOWS)
            rows.append(Availability(volunteer_id=v.pk, weekday=day, starts=starts, ends=ends))
    ctx.loader.insert(rows)


def _memberships(
    ctx: Context, volunteers: Sequence[Volunteer], recruits: Sequence[Recruit]
) -> None:
    """Most volunteers belong to an NGO serving their region, a few to two."""
    rng, rows = ctx.rng, []
    local: dict[int, set[int]] = {}  # town -> NGOs with an agreement with an institution there
    for inst in ctx.world.institutions:
        if inst.settlement_id is not None:
            partners = ctx.world.partners.get(inst.pk, [])
            local.setdefault(inst.settlement_id, set()).update(partners)
    for v, r in zip(volunteers, recruits, strict=True):
        nearby = ctx.world.serving.get(v.region_id, [])
        if not nearby or rng.random() >= 0.85:
            continue
        here = local.get(r.town.pk, set())
        weights = [LOCAL_NGO_WEIGHT if o in here else 1.0 for o in nearby]
        first = rng.choices(nearby, weights=weights)[0]
        others = [o for o in nearby if o != first]
        joined = [first, rng.choice(others)] if others and rng.random() < 0.25 else [first]
        for org_id in joined:
            rows.append(_membership(ctx, v.pk, org_id, r.joined))
    ctx.loader.insert(rows)
    by_id = {v.pk: v for v in volunteers}
    for m in rows:
        if m.status == MembershipStatus.APPROVED and m.decided_at is not None:
            v = by_id[m.volunteer_id]
            member = Member(v.pk, v.user_id, m.decided_at.date(), v.gender)
            ctx.world.members.setdefault(m.organisation_id, []).append(member)
    _checks(ctx, by_id, rows)


def _checks(ctx: Context, volunteers: dict[int, Volunteer], rows: Sequence[Membership]) -> None:
    """Each member's checks, recorded by the manager of their NGO through the service a
    manager uses (with its rules and audit rows), a batch at a time: most are cleared, some
    checks run out within a month, some members still miss a step. Volunteers outside any
    NGO have none: nobody may record them."""
    first: dict[int, Membership] = {}
    for m in rows:  # an approved membership before a pending one
        if m.status in (MembershipStatus.APPROVED, MembershipStatus.PENDING):
            held = first.get(m.volunteer_id)
            if held is None or (
                held.status == MembershipStatus.PENDING and m.status != held.status
            ):
                first[m.volunteer_id] = m
    batch: list[CheckStep] = []
    for volunteer_id, m in first.items():
        manager, volunteer = ctx.world.managers[m.organisation_id], volunteers[volunteer_id]
        steps = _check_steps(ctx, approved=m.status == MembershipStatus.APPROVED)
        batch += [CheckStep(manager, volunteer, *step) for step in steps]
        passed = {kind for kind, status, *_rest in steps if status == CheckStatus.PASSED}
        ctx.world.cleared[volunteer_id] = frozenset(passed)
    for start in range(0, len(batch), CHECKS_AT_ONCE):
        checks_record(batch[start : start + CHECKS_AT_ONCE])


Step = tuple[str, str, datetime.date | None, str]  # kind, status, valid until, detail


def _check_steps(ctx: Context, *, approved: bool) -> list[Step]:
    """What a manager records for one member, in the order it happens."""
    rng, K, S = ctx.rng, CheckKind, CheckStatus
    steps: list[Step] = [(K.IDENTITY, S.PASSED, None, "")]
    if not approved:
        return steps  # the passport is seen when one asks to join
    steps.append((K.AGREEMENT, S.PASSED, None, ""))
    stage = rng.random()
    if stage < 0.08:
        return steps  # just joined: training and the medical clearance are ahead
    course = rng.choice(words.TRAINING_COURSES)
    steps.append((K.TRAINING, S.PASSED, _until(ctx, 180, 900), course))
    if stage < 0.14:
        return [*steps, (K.MEDICAL, S.REQUESTED, None, "")]
    steps.append((K.MEDICAL, S.PASSED, _until(ctx, 31, 365), ""))
    screening = rng.random()
    if screening < 0.72:
        until = _until(ctx, 60, 720)
        steps += [(K.SCREENING, s, None, "") for s in (S.REQUESTED, S.IN_PROGRESS)]
        steps.append((K.SCREENING, S.PASSED, until, ""))
    elif screening < 0.84:
        steps += [(K.SCREENING, s, None, "") for s in (S.REQUESTED, S.IN_PROGRESS)]
    elif screening < 0.9:
        steps.append((K.SCREENING, S.REQUESTED, None, ""))
    return steps


def _until(ctx: Context, low: int, high: int) -> datetime.date:
    """An expiry `low` to `high` days ahead; one in ten runs out within 30 days instead."""
    if ctx.rng.random() < 0.1:
        return ctx.days_ago(-ctx.rng.randint(0, 30))
    return ctx.days_ago(-ctx.rng.randint(low, high))


def _membership(ctx: Context, volunteer_id: int, org_id: int, joined: datetime.date) -> Membership:
    rng = ctx.rng
    status = rng.choices(list(STATUSES), weights=list(STATUSES.values()))[0]
    if status == MembershipStatus.PENDING:
        # Waiting means asked recently (but not before joining Ryadom).
        asked, decided = max(joined, ctx.days_ago(rng.randint(0, 14))), None
    else:
        asked = min(ctx.today, joined + datetime.timedelta(days=rng.randint(0, 30)))
        day = min(ctx.today, asked + datetime.timedelta(days=rng.randint(1, 7)))
        decided = ctx.moment(day, rng.randint(11, 18))
    return Membership(
        volunteer_id=volunteer_id,
        organisation_id=org_id,
        status=status,
        requested_at=ctx.moment(asked, 10),  # after joining at 9:00
        decided_at=decided,
    )
