"""What every generation step shares: randomness, reference data, the loader, the results."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

from faker import Faker

from ryadom.accounts.models import User
from ryadom.catalogue.models import ServiceType, Skill
from ryadom.demo.loader import Loader
from ryadom.demo.people import NameBook
from ryadom.demo.plan import Plan
from ryadom.geo.models import Region, Settlement
from ryadom.institutions.models import Agency, Institution
from ryadom.organisations.models import Organisation
from ryadom.veterans.models import Stay


@dataclass
class Reference:
    """Rows the data migrations loaded, in a fixed order so that choices are repeatable."""

    regions: list[Region]
    settlements: dict[int, list[Settlement]]  # region id -> settlements, largest first
    skills: list[int]
    service_types: list[int]
    agencies: dict[str, int]
    skill_codes: dict[int, str]  # skill id -> code
    service_skills: dict[int, list[int]]  # service type id -> the skills it needs

    def all_settlements(self) -> list[Settlement]:
        return [s for region in self.regions for s in self.settlements[region.pk]]

    def region_population(self, region: Region) -> float:
        return float(sum(s.population or 1_000 for s in self.settlements[region.pk]))


# Services no helper delivers: a payment question goes to a region's named person, and the
# navigator's demo asks its own through the service (demo/entitlements.py). Left out of what
# NGOs offer, volunteers like and requests draw.
NOT_DRAWN = frozenset({"benefits.payment_issue"})


def load_reference(plan: Plan) -> Reference:
    """Regions of the plan (every region when it names none) with their settlements."""
    # Sorted in Python, not by the database: collations differ between SQLite and PostgreSQL
    # and the same seed must give the same data on both.
    regions = Region.objects.all()
    if plan.region_codes:
        regions = regions.filter(code__in=plan.region_codes)
    region_list = sorted(regions, key=lambda r: r.code)
    settlements: dict[int, list[Settlement]] = {r.pk: [] for r in region_list}
    towns = Settlement.objects.filter(region__in=region_list).select_related("region")
    for s in sorted(towns, key=lambda s: (-(s.population or 0), s.name_ru)):
        settlements[s.region_id].append(s)
    missing = [r.code for r in region_list if not settlements[r.pk]]
    if len(region_list) < len(plan.region_codes) or missing:
        raise LookupError(
            "Reference data is missing (regions or settlements); run `ryadom migrate` first."
        )
    return Reference(
        regions=region_list,
        settlements=settlements,
        skills=[pk for _code, pk in sorted(Skill.objects.values_list("code", "pk"))],
        service_types=[
            pk
            for code, pk in sorted(ServiceType.objects.values_list("code", "pk"))
            if code not in NOT_DRAWN
        ],
        agencies=dict(Agency.objects.values_list("code", "pk")),
        skill_codes=dict(Skill.objects.values_list("pk", "code")),
        service_skills=_service_skills(),
    )


def _service_skills() -> dict[int, list[int]]:
    needs: dict[int, list[int]] = {}
    through = ServiceType.required_skills.through.objects.order_by("servicetype_id", "skill_id")
    for service_id, skill_id in through.values_list("servicetype_id", "skill_id"):
        needs.setdefault(service_id, []).append(skill_id)
    return needs


@dataclass(frozen=True)
class Member:
    volunteer_id: int
    user_id: int
    since: datetime.date
    gender: str = "m"  # the volunteer's, for what is said by or about them


@dataclass(frozen=True)
class Asker:
    """Who asks for a veteran and answers for them: their name, own account, a relative's."""

    name: str
    user_id: int | None
    relative_id: int | None  # a relative who may act for them


@dataclass
class World:
    """What earlier steps made and later steps point at."""

    institutions: list[Institution] = field(default_factory=list)
    departments: dict[int, list[int]] = field(default_factory=dict)  # institution -> ids
    liaisons: dict[int, int] = field(default_factory=dict)  # institution -> user id
    organisations: list[Organisation] = field(default_factory=list)
    serving: dict[int, list[int]] = field(default_factory=dict)  # region -> NGO ids
    offers: dict[int, set[int]] = field(default_factory=dict)  # NGO -> service type ids
    partners: dict[int, list[int]] = field(default_factory=dict)  # institution -> NGO ids
    # NGO -> its approved members: (volunteer id, user id, the day they were approved)
    members: dict[int, list[Member]] = field(default_factory=dict)
    stays: list[Stay] = field(default_factory=list)  # the veterans' current stays
    askers: dict[int, Asker] = field(default_factory=dict)  # veteran id -> who asks for them
    managers: dict[int, User] = field(default_factory=dict)  # NGO id -> its manager
    # (NGO id, institution id) -> the days its agreement runs (valid_to None: open-ended)
    agreements: dict[tuple[int, int], tuple[datetime.date, datetime.date | None]] = field(
        default_factory=dict
    )
    # volunteer id -> the checks they passed, as the managers recorded them; none expires
    # before today (the service refuses past expiry dates), so they held all along
    cleared: dict[int, frozenset[str]] = field(default_factory=dict)


@dataclass
class Context:
    plan: Plan
    rng: random.Random
    fake: Faker  # addresses
    names: NameBook  # people
    today: datetime.date
    ref: Reference
    loader: Loader
    password: str  # one unusable password hash shared by every generated user
    world: World = field(default_factory=World)
    taken: set[str] = field(default_factory=set)  # INNs, OGRNs and NGO names given out

    def days_ago(self, days: int) -> datetime.date:
        return self.today - datetime.timedelta(days=days)

    def moment(self, day: datetime.date, hour: int = 12, minute: int = 0) -> datetime.datetime:
        """An aware instant on a generated day (UTC keeps it the same on every machine)."""
        return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=datetime.UTC)
