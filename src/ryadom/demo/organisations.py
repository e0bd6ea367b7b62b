"""NGOs with valid INN/OGRN, statuses, regions and services, agreements and a manager."""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction

from ryadom.accounts.models import Role
from ryadom.demo import words
from ryadom.demo.context import Context
from ryadom.demo.identifiers import company_inn, company_ogrn
from ryadom.demo.people import mobile_phone, person
from ryadom.demo.places import spread
from ryadom.demo.users import EMAIL_DOMAIN, grant, new_user
from ryadom.geo.models import Region
from ryadom.institutions.models import Institution
from ryadom.organisations.models import Agreement, Organisation, OrganisationStatus, StatusKind

# Share of agreements that ended already at the national scale (the small one has exactly one).
EXPIRED_SHARE = 0.03


def create(ctx: Context) -> None:
    """The plan's NGOs, spread over regions by population, each with a manager."""
    homes = _home_regions(ctx)
    with transaction.atomic():
        orgs = ctx.loader.insert([_organisation(ctx, i, r) for i, r in enumerate(homes, 1)])
        ctx.world.organisations = orgs
        _regions_and_services(ctx, orgs, homes)
        _statuses(ctx, orgs)
    with transaction.atomic():
        _agreements(ctx, orgs)
    with transaction.atomic():
        _managers(ctx, orgs)
    ctx.loader.say(f"organisations: {len(orgs):,} with statuses, agreements and managers")


def _home_regions(ctx: Context) -> list[Region]:
    """Where each NGO is registered: a few in every region, most where people live."""
    regions = ctx.ref.regions
    minimum = max(1, ctx.plan.organisations // (len(regions) * 5))
    weights = [ctx.ref.region_population(r) for r in regions]
    counts = spread(ctx.rng, ctx.plan.organisations, weights, minimum=minimum)
    return [r for r, n in zip(regions, counts, strict=True) for _ in range(n)]


def _organisation(ctx: Context, index: int, home: Region) -> Organisation:
    rng = ctx.rng
    kinds = words.ORGANISATION_KIND_WEIGHTS
    kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
    registered = rng.randint(2003, ctx.today.year - 1)
    capacity = rng.randint(20, 200) if kind == "foundation" else rng.randint(5, 60)
    site = f"ngo-{index:05d}.{EMAIL_DOMAIN}"
    return Organisation(
        name=_name(ctx, kind, home),
        inn=company_inn(rng, home.code, ctx.taken),
        ogrn=company_ogrn(rng, home.code, registered, ctx.taken),
        kind=kind,
        home_region=home,
        weekly_capacity=capacity,
        phone=mobile_phone(rng),
        email=f"info@{site}",
        website=f"https://{site}/",
    )


def _name(ctx: Context, kind: str, home: Region) -> str:
    """A name in the usual pattern, made unique with the home town when it is taken."""
    rng = ctx.rng
    prefix = rng.choice(words.ORGANISATION_PREFIXES[kind])
    if rng.random() < 0.5:
        title = rng.choice(words.ORGANISATION_NAMES)
    else:
        title = f"{rng.choice(words.NAME_ADJECTIVES)} {rng.choice(words.NAME_NOUNS)}"
    name = f"{prefix} «{title}»"
    candidate, n = name, 1
    while candidate in ctx.taken:
        n += 1
        candidate = f"{name} ({home.centre_ru})" if n == 2 else f"{name} ({home.centre_ru}, {n})"
    ctx.taken.add(candidate)
    return candidate


def _served(ctx: Context, home: Region) -> list[Region]:
    """The home region, and for some NGOs neighbours in the same federal district."""
    served = [home]
    if ctx.rng.random() < 0.2:
        district = [
            r for r in ctx.ref.regions if r.federal_district == home.federal_district and r != home
        ]
        served += ctx.rng.sample(district, min(len(district), ctx.rng.randint(1, 3)))
    return served


def _regions_and_services(ctx: Context, orgs: Sequence[Organisation], homes: list[Region]) -> None:
    region_rows, service_rows = [], []
    through_regions = Organisation.regions.through
    through_services = Organisation.service_types.through
    for org, home in zip(orgs, homes, strict=True):
        for region in _served(ctx, home):
            region_rows.append(through_regions(organisation_id=org.pk, region_id=region.pk))
            ctx.world.serving.setdefault(region.pk, []).append(org.pk)
        offered = ctx.rng.sample(ctx.ref.service_types, ctx.rng.randint(3, 8))
        ctx.world.offers[org.pk] = set(offered)
        service_rows += [
            through_services(organisation_id=org.pk, servicetype_id=s) for s in offered
        ]
    ctx.loader.insert(region_rows)
    ctx.loader.insert(service_rows)


def _statuses(ctx: Context, orgs: Sequence[Organisation]) -> None:
    """Most NGOs are in the SONKO register; every third provides socially useful services."""
    rows = []
    for i, org in enumerate(orgs):
        if ctx.rng.random() < 0.85:
            since = ctx.days_ago(ctx.rng.randint(60, 3000))
            rows.append(_status(org, StatusKind.SONKO_REGISTER, since, None))
        if i % 3 == 0:
            # The provider status is granted for two years; every ninth NGO's has run out.
            since = ctx.days_ago(
                ctx.rng.randint(800, 1000) if i % 9 == 0 else ctx.rng.randint(30, 700)
            )
            until = since + datetime.timedelta(days=730)
            rows.append(_status(org, StatusKind.USEFUL_SERVICES, since, until))
    ctx.loader.insert(rows)


def _status(
    org: Organisation, kind: str, since: datetime.date, until: datetime.date | None
) -> OrganisationStatus:
    return OrganisationStatus(organisation=org, kind=kind, valid_from=since, valid_to=until)


def _agreements(ctx: Context, orgs: Sequence[Organisation]) -> None:
    """Two to four institutions per NGO in the regions it serves; none left without one."""
    by_region: dict[int, list[Institution]] = {}
    for inst in ctx.world.institutions:
        by_region.setdefault(inst.region_id, []).append(inst)
    by_org: dict[int, list[int]] = {}
    for region_id, org_ids in ctx.world.serving.items():
        for org_id in org_ids:
            by_org.setdefault(org_id, []).append(region_id)
    pairs: dict[tuple[int, int], None] = {}  # ordered and without repeats
    for org in orgs:
        nearby = [i for region_id in by_org[org.pk] for i in by_region.get(region_id, [])]
        for inst in ctx.rng.sample(nearby, min(len(nearby), ctx.rng.randint(2, 4))):
            pairs[(org.pk, inst.pk)] = None
    covered = {inst_id for _org, inst_id in pairs}
    for inst in ctx.world.institutions:
        serving = ctx.world.serving.get(inst.region_id)
        if inst.pk not in covered and serving:
            pairs[(ctx.rng.choice(serving), inst.pk)] = None
    last = len(pairs) - 1
    rows = [
        _agreement(ctx, n, org_id, inst_id, expired=_is_expired(ctx, n, last))
        for n, (org_id, inst_id) in enumerate(pairs)
    ]
    ctx.loader.insert(rows)
    for row in rows:
        if row.valid_to is None or row.valid_to >= ctx.today:
            ctx.world.partners.setdefault(row.institution_id, []).append(row.organisation_id)
            key = (row.organisation_id, row.institution_id)
            ctx.world.agreements[key] = (row.valid_from, row.valid_to)


def _is_expired(ctx: Context, n: int, last: int) -> bool:
    if ctx.plan.name == "small":
        return n == last
    return ctx.rng.random() < EXPIRED_SHARE


def _agreement(ctx: Context, n: int, org_id: int, inst_id: int, *, expired: bool) -> Agreement:
    rng = ctx.rng
    valid_to: datetime.date | None
    if expired:
        ended = ctx.days_ago(rng.randint(5, 200))
        valid_from, valid_to = ended - datetime.timedelta(days=365 * rng.randint(1, 3)), ended
    else:
        valid_from = ctx.days_ago(rng.randint(30, 1000))
        # Half are open-ended; the rest run at least another month from today.
        valid_to = None if rng.random() < 0.5 else ctx.days_ago(-rng.randint(30, 700))
    return Agreement(
        organisation_id=org_id,
        institution_id=inst_id,
        valid_from=valid_from,
        valid_to=valid_to,
        number=f"{n + 1}/{valid_from.year}-Д",
    )


def _managers(ctx: Context, orgs: Sequence[Organisation]) -> None:
    users = []
    for i, org in enumerate(orgs, 1):
        who = person(ctx.names, "f" if ctx.rng.random() < 0.6 else "m")
        joined = ctx.days_ago(ctx.rng.randint(100, 900))
        users.append(new_user(ctx, f"manager-{i:05d}", who, joined=joined, phone=org.phone))
    ctx.loader.insert(users)
    grant(ctx, users, Role.NGO_MANAGER, [org.pk for org in orgs])
    ctx.world.managers = {org.pk: user for org, user in zip(orgs, users, strict=True)}
