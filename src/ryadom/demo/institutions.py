"""Hospitals, rehabilitation centres, sanatoria and hospices with wards, hours and a liaison."""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass

from django.db import transaction

from ryadom.accounts.models import Role
from ryadom.demo import words
from ryadom.demo.context import Context
from ryadom.demo.people import Person, mobile_phone, person
from ryadom.demo.places import pick, scatter, spread
from ryadom.demo.users import EMAIL_DOMAIN, grant, new_user
from ryadom.geo.models import Region, Settlement
from ryadom.institutions.models import (
    AccessLevel,
    Department,
    Institution,
    InstitutionKind,
    VisitingHours,
)

K = InstitutionKind


@dataclass(frozen=True)
class Spec:
    """One institution before it has a row: the choices that define it."""

    settlement: Settlement
    kind: str
    agency: str
    access: str
    name: str


# The small scale is written by hand so that the demo tells a coherent story.
MIL, CIV, REH, SAN, HOS = (
    K.MILITARY_HOSPITAL,
    K.CIVILIAN_HOSPITAL,
    K.REHABILITATION,
    K.SANATORIUM,
    K.HOSPICE,
)
RH = "regional_health"
SMALL = (
    ("Москва", MIL, "mod", "Военный клинический госпиталь №7"),
    ("Москва", CIV, RH, "ГБУЗ «Городская клиническая больница №17»"),
    ("Москва", CIV, RH, "ГБУЗ «Госпиталь для ветеранов войн №4»"),
    ("Зеленоград", REH, "minzdrav", "Центр медицинской реабилитации «Преодоление»"),
    ("Москва", HOS, RH, "Хоспис «Тёплый дом»"),
    ("Красногорск", MIL, "mod", "Военный госпиталь №12"),
    ("Одинцово", SAN, "mod", "Военный санаторий «Сосновый бор»"),
    ("Подольск", CIV, RH, "ГБУЗ МО «Подольская городская больница №3»"),
    ("Ростов-на-Дону", MIL, "mod", "Окружной военный госпиталь №5"),
    ("Ростов-на-Дону", CIV, RH, "ГБУ РО «Областная клиническая больница №2»"),
    ("Таганрог", CIV, "minzdrav", "ФГБУ «Федеральный центр травматологии и ортопедии»"),
    ("Курск", CIV, RH, "ОБУЗ «Курская областная клиническая больница»"),
    ("Курск", REH, RH, "ОБУЗ «Курский центр медицинской реабилитации»"),
)

# Shares of each kind at the national scale (military hospitals are placed separately).
NATIONAL_SHARES: dict[str, float] = {K.REHABILITATION: 0.10, K.SANATORIUM: 0.07, K.HOSPICE: 0.04}
MILITARY_SHARE = 0.09
# Regions where military hospitals cluster: the capitals and the regions near the front.
MILITARY_HUBS = ("77", "50", "78", "61", "23", "31", "46", "32", "91", "92", "34", "26")
RESORTS = ("23", "26", "91", "92", "50", "47", "39", "02")

AGENCY_WEIGHTS: dict[str, dict[str, int]] = {
    K.REHABILITATION: {"regional_health": 50, "minzdrav": 20, "mod": 15, "private": 15},
    K.SANATORIUM: {"mod": 40, "private": 30, "regional_health": 20, "mvd": 5, "mchs": 5},
    K.HOSPICE: {"regional_health": 70, "private": 30},
    K.CIVILIAN_HOSPITAL: {"regional_health": 85, "minzdrav": 15},
}
MILITARY_NAMES = ("{}-й военный клинический госпиталь", "{}-й военный госпиталь")
SPECIAL_NAMES: dict[str, tuple[str, tuple[str, ...]]] = {
    K.REHABILITATION: ("Центр медицинской реабилитации «{}»", words.REHABILITATION_NAMES),
    K.SANATORIUM: ("Санаторий «{}»", words.SANATORIUM_NAMES),
    K.HOSPICE: ("Хоспис «{}»", words.HOSPICE_NAMES),
}
WARDS: dict[str, tuple[str, ...]] = {
    K.MILITARY_HOSPITAL: words.WARDS_HOSPITAL,
    K.CIVILIAN_HOSPITAL: words.WARDS_HOSPITAL,
    K.REHABILITATION: words.WARDS_REHABILITATION,
    K.SANATORIUM: words.WARDS_SANATORIUM,
    K.HOSPICE: words.WARDS_HOSPICE,
}


def _hours(days: range | tuple[int, ...], *spans: tuple[int, int]) -> list[tuple[int, int, int]]:
    return [(day, start, end) for day in days for start, end in spans]


WEEKDAYS, WEEKEND, EVERY_DAY = range(0, 5), range(5, 7), range(0, 7)
# (weekday, from hour, to hour); hours are local time of the institution's region.
VISITING_HOURS: dict[str, list[tuple[int, int, int]]] = {
    K.MILITARY_HOSPITAL: _hours((1, 3), (17, 19)) + _hours(WEEKEND, (11, 14)),
    K.CIVILIAN_HOSPITAL: _hours(WEEKDAYS, (16, 19)) + _hours(WEEKEND, (11, 13), (16, 19)),
    K.REHABILITATION: _hours(WEEKDAYS, (15, 20)) + _hours(WEEKEND, (10, 20)),
    K.SANATORIUM: _hours(EVERY_DAY, (9, 21)),
    K.HOSPICE: _hours(EVERY_DAY, (8, 22)),
}


def access_for(kind: str, agency: str) -> str:
    """How hard it is for a volunteer to get in, which follows from kind and owner."""
    if kind == K.MILITARY_HOSPITAL:
        return AccessLevel.SCREENING
    if kind == K.CIVILIAN_HOSPITAL or agency in ("mod", "mvd", "mchs"):
        return AccessLevel.PASS
    return AccessLevel.OPEN


def small_specs(ctx: Context) -> list[Spec]:
    by_name = {s.name_ru: s for s in ctx.ref.all_settlements()}
    return [
        Spec(by_name[town], kind, agency, access_for(kind, agency), name)
        for town, kind, agency, name in SMALL
    ]


def national_specs(ctx: Context) -> list[Spec]:
    """About `plan.institutions` institutions over every region of the plan."""
    total = ctx.plan.institutions
    specs = _military(ctx, round(total * MILITARY_SHARE))
    for kind, share in NATIONAL_SHARES.items():
        specs += _by_population(ctx, kind, round(total * share))
    specs += _civilian(ctx, total - len(specs))
    return specs


def _military(ctx: Context, count: int) -> list[Spec]:
    """Military hospitals in `plan.military_regions` regions, most of them in the hubs."""
    rng, regions = ctx.rng, ctx.ref.regions
    hubs = [r for r in regions if r.code in MILITARY_HUBS]
    others = [r for r in regions if r.code not in MILITARY_HUBS]
    weights = [ctx.ref.region_population(r) for r in others]
    chosen = hubs[:]
    while len(chosen) < min(ctx.plan.military_regions, len(regions)):
        extra = rng.choices(others, weights=weights)[0]
        if extra not in chosen:
            chosen.append(extra)
    # The capitals and the regions near the front hold most: weight by hub and by size.
    shares = [
        (4.0 if r in hubs else 1.0) * math.sqrt(ctx.ref.region_population(r) / 1e6) for r in chosen
    ]
    counts = spread(rng, count, shares, minimum=1)
    numbers = iter(rng.sample(range(101, 2300), count))
    specs = []
    for region, n in zip(chosen, counts, strict=True):
        towns = ctx.ref.settlements[region.pk][:2]
        for i in range(n):
            # Most in the regional centre, every third in the second town when there is one.
            town = towns[1] if i % 3 == 2 and len(towns) > 1 else towns[0]
            name = rng.choice(MILITARY_NAMES).format(next(numbers))
            specs.append(Spec(town, K.MILITARY_HOSPITAL, "mod", AccessLevel.SCREENING, name))
    return specs


def _by_population(ctx: Context, kind: str, count: int) -> list[Spec]:
    """Rehabilitation centres, sanatoria or hospices in towns drawn by population."""
    rng, towns = ctx.rng, ctx.ref.all_settlements()
    weights = [
        float(t.population or 1_000)
        * (4 if kind == K.SANATORIUM and t.region.code in RESORTS else 1)
        for t in towns
    ]
    agencies = AGENCY_WEIGHTS[kind]
    specs = []
    for town in rng.choices(towns, weights=weights, k=count):
        agency = rng.choices(list(agencies), weights=list(agencies.values()))[0]
        template, names = SPECIAL_NAMES[kind]
        name = template.format(rng.choice(names))
        specs.append(Spec(town, kind, agency, access_for(kind, agency), name))
    return specs


def _civilian(ctx: Context, count: int) -> list[Spec]:
    """Civilian hospitals: two in every regional centre, the rest where people live."""
    rng, specs = ctx.rng, []
    numbers: dict[int, int] = {}
    for region in ctx.ref.regions:
        centre = ctx.ref.settlements[region.pk][0]
        for name in (
            f"ГБУЗ «{_regional(region)} клиническая больница»",
            "ГБУЗ «Госпиталь для ветеранов войн»",
        ):
            specs.append(
                Spec(centre, K.CIVILIAN_HOSPITAL, "regional_health", AccessLevel.PASS, name)
            )
    for town in pick(rng, ctx.ref.all_settlements(), max(count - len(specs), 0)):
        if rng.random() < 0.15:
            agency, name = "minzdrav", f"ФГБУ «{rng.choice(words.FEDERAL_CENTRES)}»"
        else:
            numbers[town.pk] = numbers.get(town.pk, 0) + 1
            agency = "regional_health"
            name = f"ГБУЗ «Городская клиническая больница №{numbers[town.pk]}»"
        specs.append(Spec(town, K.CIVILIAN_HOSPITAL, agency, AccessLevel.PASS, name))
    return specs


def _regional(region: Region) -> str:
    """The adjective a region's own hospital is named with (Областная, Краевая...)."""
    name = region.name_ru
    if region.code in ("77", "78", "92"):
        return "Городская"
    if "Республик" in name:
        return "Республиканская"
    if "край" in name:
        return "Краевая"
    if "автономный округ" in name:
        return "Окружная"
    return "Областная"


def create(ctx: Context) -> None:
    """Institutions of the plan with their wards, visiting hours and a liaison each."""
    small = ctx.plan.name == "small"
    specs = small_specs(ctx) if small else national_specs(ctx)
    # The contact person on the institution's card is the liaison who signs in for it.
    contacts = [person(ctx.names, "f" if ctx.rng.random() < 0.75 else "m") for _ in specs]
    with transaction.atomic():
        institutions = ctx.loader.insert(
            [
                _institution(ctx, i, spec, contact)
                for i, (spec, contact) in enumerate(zip(specs, contacts, strict=True), 1)
            ]
        )
        ctx.world.institutions = institutions
    with transaction.atomic():
        _departments(ctx, institutions)
        _visiting_hours(ctx, institutions)
    with transaction.atomic():
        _liaisons(ctx, institutions, contacts)
    ctx.loader.say(f"institutions: {len(institutions):,} with wards, visiting hours and liaisons")


def _institution(ctx: Context, index: int, spec: Spec, contact: Person) -> Institution:
    rng, fake = ctx.rng, ctx.fake
    lat, lon = scatter(rng, spec.settlement)
    return Institution(
        name=spec.name,
        code=f"{spec.settlement.region.code}-{index:04d}",
        kind=spec.kind,
        agency_id=ctx.ref.agencies[spec.agency],
        region_id=spec.settlement.region_id,
        settlement=spec.settlement,
        address=f"г. {spec.settlement.name_ru}, {fake.street_address()}",
        access_level=spec.access,
        volunteer_rules=words.RULES["hospice" if spec.kind == K.HOSPICE else spec.access],
        contact_name=f"{contact.full}, {rng.choice(words.CONTACT_ROLES)}",
        contact_phone=mobile_phone(rng),
        contact_email=f"volunteers@institution-{index:04d}.{EMAIL_DOMAIN}",
        lat=lat,
        lon=lon,
    )


def _departments(ctx: Context, institutions: list[Institution]) -> None:
    rows = []
    for inst in institutions:
        wards = WARDS[inst.kind]
        for name in ctx.rng.sample(wards, min(len(wards), ctx.rng.randint(3, 6))):
            rows.append(Department(institution_id=inst.pk, name=name))
    for dept in ctx.loader.insert(rows):
        ctx.world.departments.setdefault(dept.institution_id, []).append(dept.pk)


def _visiting_hours(ctx: Context, institutions: list[Institution]) -> None:
    ctx.loader.insert(
        [
            VisitingHours(
                institution_id=inst.pk,
                weekday=day,
                starts=datetime.time(start),
                ends=datetime.time(end),
            )
            for inst in institutions
            for day, start, end in VISITING_HOURS[inst.kind]
        ]
    )


def _liaisons(ctx: Context, institutions: list[Institution], contacts: list[Person]) -> None:
    """The institution's contact person signs in as its liaison (and records consents)."""
    users = [
        new_user(
            ctx,
            f"liaison-{i:04d}",
            who,
            joined=ctx.days_ago(ctx.rng.randint(200, 700)),
            phone=inst.contact_phone,
        )
        for i, (inst, who) in enumerate(zip(institutions, contacts, strict=True), 1)
    ]
    ctx.loader.insert(users)
    grant(ctx, users, Role.INSTITUTION_LIAISON, [inst.pk for inst in institutions])
    ctx.world.liaisons = {inst.pk: user.pk for inst, user in zip(institutions, users, strict=True)}
