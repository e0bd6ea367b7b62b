"""Veterans in treatment: current stays (some after a transfer), relatives and consents."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction

from ryadom.accounts.models import Role, User
from ryadom.demo import words
from ryadom.demo.context import Asker, Context
from ryadom.demo.people import Person, mobile_phone, person
from ryadom.demo.users import grant, new_user
from ryadom.institutions.models import Institution, InstitutionKind
from ryadom.veterans.models import (
    Consent,
    ConsentPurpose,
    ContactRoute,
    HelperGender,
    Proxy,
    Stay,
    Veteran,
)

# Where veterans are treated: mostly military hospitals, then rehabilitation.
KIND_WEIGHTS = {
    InstitutionKind.MILITARY_HOSPITAL: 12.0,
    InstitutionKind.CIVILIAN_HOSPITAL: 1.0,
    InstitutionKind.REHABILITATION: 2.0,
    InstitutionKind.SANATORIUM: 1.5,
    InstitutionKind.HOSPICE: 0.5,
}
ROUTES = {ContactRoute.OWN_PHONE: 45, ContactRoute.RELATIVE: 35, ContactRoute.WARD: 20}
HELPER_GENDERS = {HelperGender.ANY: 70, HelperGender.MALE: 25, HelperGender.FEMALE: 5}
TRANSFER_EVERY = 12  # one veteran in twelve came by transfer from another institution


@dataclass
class Patient:
    """A veteran before any row exists, and the rows made for them as steps go."""

    who: Person
    institution: Institution
    home_region_id: int
    admitted: datetime.date
    route: str
    previous: tuple[Institution, datetime.date] | None = None  # transferred from, since
    earlier: tuple[datetime.date, datetime.date] | None = None  # a stay months ago
    relative: tuple[Person, str] | None = None  # and the relation
    may_act: bool = False  # whether the relative may act for the veteran
    user: User | None = None
    relative_user: User | None = None

    @property
    def registered(self) -> datetime.date:
        """The first admission Ryadom knows of."""
        if self.earlier:
            return self.earlier[0]
        return self.previous[1] if self.previous else self.admitted


def create(ctx: Context) -> None:
    """The plan's veterans, each with exactly one current stay."""
    pools = Pools.of(ctx)
    patients = [_patient(ctx, pools, i) for i in range(ctx.plan.veterans)]
    with transaction.atomic():
        _own_accounts(ctx, patients)
        veterans = [_veteran(ctx, p) for p in patients]
        ctx.loader.insert(veterans)
    with transaction.atomic():
        current = _stays(ctx, patients, veterans)
    ctx.world.stays = current
    with transaction.atomic():
        _relatives(ctx, patients, veterans)
        _consents(ctx, patients, veterans, current)
    ctx.loader.say(f"veterans: {len(patients):,} with stays, relatives and consents")


@dataclass(frozen=True)
class Pools:
    """Weighted choices made once per veteran: their cumulative weights are summed once."""

    institutions: list[Institution]
    institution_weights: list[float]
    military: list[Institution]
    regions: list[int]
    region_weights: list[float]

    @classmethod
    def of(cls, ctx: Context) -> Pools:
        institutions = ctx.world.institutions
        kinds = [KIND_WEIGHTS[InstitutionKind(i.kind)] for i in institutions]
        populations = [ctx.ref.region_population(r) for r in ctx.ref.regions]
        return cls(
            institutions=institutions,
            institution_weights=list(itertools.accumulate(kinds)),
            military=[i for i in institutions if i.kind == InstitutionKind.MILITARY_HOSPITAL],
            regions=[r.pk for r in ctx.ref.regions],
            region_weights=list(itertools.accumulate(populations)),
        )


def _patient(ctx: Context, pools: Pools, index: int) -> Patient:
    rng = ctx.rng
    institution = rng.choices(pools.institutions, cum_weights=pools.institution_weights)[0]
    family = ctx.names.draw("last")
    gender = "m" if rng.random() < 0.96 else "f"
    who = person(ctx.names, gender, last=family)
    route = rng.choices(list(ROUTES), weights=list(ROUTES.values()))[0]
    # Most are treated in their own region; the rest come from elsewhere.
    home = institution.region_id
    if rng.random() >= 0.6:
        home = rng.choices(pools.regions, cum_weights=pools.region_weights)[0]
    p = Patient(who, institution, home, ctx.days_ago(rng.randint(1, 90)), route)
    if index % TRANSFER_EVERY == 5:
        since = p.admitted - datetime.timedelta(days=rng.randint(7, 40))
        p.previous = (_transferred_from(ctx, pools, institution), since)
    if rng.random() < 0.1:
        start = ctx.days_ago(rng.randint(250, 600))
        p.earlier = (start, start + datetime.timedelta(days=rng.randint(10, 40)))
    if route == ContactRoute.RELATIVE or rng.random() < 0.3:
        p.relative = _relative_of(ctx, who, family)
        # The relative who is the contact route always may act; of the others, most.
        p.may_act = route == ContactRoute.RELATIVE or rng.random() < 0.8
    return p


def _relative_of(ctx: Context, veteran: Person, family: str) -> tuple[Person, str]:
    """A relative whose names fit the veteran's: the father's first name is the one the
    veteran's patronymic is made from, siblings share it, children take theirs from a
    father (the veteran, when a man), a spouse has their own father."""
    relation, gender = ctx.rng.choice(words.RELATIONS)
    if relation == "spouse":
        relation, gender = words.SPOUSE[veteran.gender]
    if relation == "отец":
        relative = person(ctx.names, gender, last=family, first=veteran.father)
    elif relation in ("брат", "сестра"):
        relative = person(ctx.names, gender, last=family, father=veteran.father)
    elif relation in ("сын", "дочь") and veteran.gender == "m":
        relative = person(ctx.names, gender, last=family, father=veteran.first)
    else:
        # A married woman usually bears her husband's surname (the family's).
        relative = person(ctx.names, gender, last=family)
    return relative, relation


def _transferred_from(ctx: Context, pools: Pools, current: Institution) -> Institution:
    """Usually a military hospital, from which people move on to rehabilitation."""
    for candidates in (pools.military, pools.institutions):
        others = [i for i in candidates if i.pk != current.pk]
        if others:
            return ctx.rng.choice(others)
    raise LookupError("A transfer needs at least two institutions.")


def _own_accounts(ctx: Context, patients: Sequence[Patient]) -> None:
    """Veterans who keep their own phone sign in themselves."""
    own = [p for p in patients if p.route == ContactRoute.OWN_PHONE]
    for n, p in enumerate(own, 1):
        p.user = new_user(
            ctx, f"veteran-{n:05d}", p.who, joined=p.registered, phone=mobile_phone(ctx.rng)
        )
    users = ctx.loader.insert([p.user for p in own if p.user])
    grant(ctx, users, Role.VETERAN)


def _veteran(ctx: Context, p: Patient) -> Veteran:
    rng = ctx.rng
    addressed_as = f"{p.who.first} {p.who.middle}" if rng.random() < 0.7 else p.who.first
    matters = rng.sample(words.WHAT_MATTERS, rng.randint(1, 2)) if rng.random() < 0.8 else []
    gender = p.who.gender
    helper = rng.choices(list(HELPER_GENDERS), weights=list(HELPER_GENDERS.values()))[0]
    return Veteran(
        user=p.user,
        addressed_as=addressed_as,
        gender=gender,
        home_region_id=p.home_region_id,
        contact_route=p.route,
        phone=p.user.phone if p.user else "",
        what_matters=" ".join(words.form(m, gender) for m in matters),
        communication_needs=_maybe(
            ctx, [words.form(c, gender) for c in words.COMMUNICATION_NEEDS], 0.15
        ),
        mobility_needs=_maybe(ctx, words.MOBILITY_NEEDS, 0.4),
        preferred_helper_gender=helper,
        created_at=ctx.moment(p.registered, 10),
    )


def _maybe(ctx: Context, choices: Sequence[str], share: float) -> str:
    return ctx.rng.choice(choices) if ctx.rng.random() < share else ""


def _stays(ctx: Context, patients: Sequence[Patient], veterans: Sequence[Veteran]) -> list[Stay]:
    """Closed stays first, then current ones, so a transfer can point at its previous stay.

    No overlaps by construction: a stay months ago ended weeks before the next began, and a
    transfer ends one stay the day the next begins (touching ends are allowed).
    """
    closed: list[Stay] = []
    previous: dict[int, Stay] = {}  # veteran id -> the stay they were transferred from
    for p, v in zip(patients, veterans, strict=True):
        if p.earlier:
            where = ctx.rng.choice(ctx.world.institutions)
            closed.append(_stay(ctx, v, where, *p.earlier))
        if p.previous:
            where, since = p.previous
            previous[v.pk] = _stay(ctx, v, where, since, p.admitted)
    ctx.loader.insert(closed + list(previous.values()))
    current = [
        _stay(ctx, v, p.institution, p.admitted, None, previous.get(v.pk))
        for p, v in zip(patients, veterans, strict=True)
    ]
    return ctx.loader.insert(current)


def _stay(
    ctx: Context,
    veteran: Veteran,
    institution: Institution,
    admitted: datetime.date,
    discharged: datetime.date | None,
    transferred_from: Stay | None = None,
) -> Stay:
    wards: list[int | None] = [*ctx.world.departments.get(institution.pk, [])] or [None]
    return Stay(
        veteran=veteran,
        institution=institution,
        department_id=ctx.rng.choice(wards),
        admitted_on=admitted,
        discharged_on=discharged,
        transferred_from=transferred_from,
    )


def _relatives(ctx: Context, patients: Sequence[Patient], veterans: Sequence[Veteran]) -> None:
    """Relatives with their own accounts; most may act for the veteran."""
    kin = [(p, v) for p, v in zip(patients, veterans, strict=True) if p.relative]
    for n, (p, _v) in enumerate(kin, 1):
        who = p.relative[0] if p.relative else p.who
        p.relative_user = new_user(
            ctx, f"relative-{n:05d}", who, joined=p.admitted, phone=mobile_phone(ctx.rng)
        )
    users = ctx.loader.insert([p.relative_user for p, _v in kin if p.relative_user])
    grant(ctx, users, Role.RELATIVE)
    proxies = [
        Proxy(
            veteran=v,
            user=p.relative_user,
            relation=p.relative[1] if p.relative else "",
            may_act=p.may_act,
            created_at=ctx.moment(p.admitted, 10),
        )
        for p, v in kin
    ]
    ctx.loader.insert(proxies)
    for p, v in zip(patients, veterans, strict=True):
        relative = p.relative_user.pk if p.relative_user and p.may_act else None
        ctx.world.askers[v.pk] = Asker(v.addressed_as, v.user_id, relative)


def _consents(
    ctx: Context, patients: Sequence[Patient], veterans: Sequence[Veteran], current: Sequence[Stay]
) -> None:
    """Consent to care for everyone, to contact for own phones, to a relative acting."""
    rows = []
    for p, v, stay in zip(patients, veterans, current, strict=True):
        recorder = ctx.world.liaisons[stay.institution_id]
        on = ctx.moment(p.admitted, 11)
        by_relative = p.relative_user if p.route == ContactRoute.RELATIVE else None
        rows.append(_consent(v, ConsentPurpose.CARE, p.user or by_relative, recorder, on))
        if p.user is not None:
            withdrawn = ctx.moment(ctx.today, 9) if ctx.rng.random() < 0.05 else None
            rows.append(_consent(v, ConsentPurpose.CONTACT, p.user, recorder, on, withdrawn))
        if p.relative_user is not None and p.may_act:
            rows.append(_consent(v, ConsentPurpose.PROXY, p.user, recorder, on))
    ctx.loader.insert(rows)


def _consent(
    veteran: Veteran,
    purpose: str,
    given_by: User | None,
    recorded_by: int,
    given_at: datetime.datetime,
    withdrawn_at: datetime.datetime | None = None,
) -> Consent:
    return Consent(
        veteran=veteran,
        purpose=purpose,
        given_by=given_by,
        recorded_by_id=recorded_by,
        given_at=given_at,
        withdrawn_at=withdrawn_at,
    )
