"""Care requests of the last 13 weeks with their timelines, visits, feedback and complaints.

Each request is first drawn as a story of moments (`demo.stories`), then written as the rows
it stands as at the generation's "now" (`demo.timelines`).
"""

from __future__ import annotations

import datetime
import itertools
import zoneinfo
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ryadom.care.models import Channel, Urgency
from ryadom.catalogue.models import Category, ServiceType
from ryadom.demo import words
from ryadom.demo.context import Context
from ryadom.demo.stories import HOUR, Helper, MayTake, Story, about, plot
from ryadom.demo.timelines import insert
from ryadom.institutions.models import Institution
from ryadom.veterans.models import HelperGender, Stay
from ryadom.volunteers.eligibility import REQUIRED_CHECKS
from ryadom.volunteers.models import CheckKind

# The demo's veterans were admitted within the last 90 days; ward requests cover the same
# weeks, so the weekly trend is not a ramp made by the generator.
WEEKS = 13
WARD_SHARE = 0.2  # requests for a whole ward, with no veteran
# Purchases and leisure are asked for most, lawyers and psychologists least.
CATEGORY_WEIGHTS = {
    "purchases": 3.0,
    "leisure": 2.5,
    "family": 1.5,
    "tech": 1.5,
    "escort": 1.2,
    "laundry": 1.0,
    "hygiene": 1.0,
    "paperwork": 0.8,
    "psychological": 0.5,
    "after_discharge": 0.5,
    "legal": 0.4,
}
URGENCIES = {Urgency.NORMAL: 85, Urgency.URGENT: 12, Urgency.CRITICAL: 3}
# Who asks: people with an account on the site or in Telegram, or through the ward or a call.
SELF_CHANNELS = {Channel.WEB: 35, Channel.TELEGRAM: 25, Channel.WARD: 25, Channel.PHONE: 15}


def now_of(ctx: Context) -> datetime.datetime:
    """The generation's "now": the midnight that began `today` in the national calendar, so
    that nothing generated lies ahead of whoever runs it that day, but visits still planned."""
    zone = timezone.get_default_timezone()
    return datetime.datetime.combine(ctx.today, datetime.time(0), tzinfo=zone)


def create(ctx: Context) -> None:
    """The plan's requests: most for veterans in their current stay, some for whole wards."""
    if not ctx.world.stays or not ctx.plan.requests:
        ctx.loader.say("requests: none (the plan has no veterans or no requests)")
        return
    draw = Draw.of(ctx)
    slots = sorted(_veteran_slots(ctx, draw) + _ward_slots(ctx, draw), key=lambda s: s[0])
    now, total, done = now_of(ctx), len(slots), 0
    for start in range(0, total, ctx.plan.chunk):
        stories = [_story(ctx, draw, *slot) for slot in slots[start : start + ctx.plan.chunk]]
        with transaction.atomic():
            rows = insert(ctx.loader, stories, now)
        done += len(rows.requests)
        ctx.loader.say(f"requests: {done:,} of {total:,} with timelines, visits and feedback")


@dataclass(frozen=True)
class Draw:
    """What each request draws from, prepared once."""

    services: list[ServiceType]
    service_weights: list[float]
    zones: dict[int, zoneinfo.ZoneInfo]  # region id -> time zone
    institutions: dict[int, Institution]
    stay_weights: list[float]

    @classmethod
    def of(cls, ctx: Context) -> Draw:
        by_id = ServiceType.objects.in_bulk(ctx.ref.service_types)
        services = [by_id[pk] for pk in ctx.ref.service_types if by_id[pk].is_active]
        weights = [CATEGORY_WEIGHTS.get(s.category, 1.0) for s in services]
        # A request of a stay falls on any day of it: longer stays have more.
        days = [max(1, (ctx.today - stay.admitted_on).days) for stay in ctx.world.stays]
        return cls(
            services=services,
            service_weights=list(itertools.accumulate(weights)),
            zones={r.pk: r.zone for r in ctx.ref.regions},
            institutions={i.pk: i for i in ctx.world.institutions},
            stay_weights=list(itertools.accumulate(float(d) for d in days)),
        )


Slot = tuple[datetime.datetime, Institution, Stay | None]


def _daytime(ctx: Context, day: datetime.date, zone: zoneinfo.ZoneInfo) -> datetime.datetime:
    """A moment of the waking day (08:00-22:00) there, in UTC."""
    local = datetime.time(ctx.rng.randint(8, 21), ctx.rng.randrange(0, 60))
    return datetime.datetime.combine(day, local, tzinfo=zone).astimezone(datetime.UTC)


def _veteran_slots(ctx: Context, draw: Draw) -> list[Slot]:
    count = round(ctx.plan.requests * (1 - WARD_SHARE))
    stays = ctx.rng.choices(ctx.world.stays, cum_weights=draw.stay_weights, k=count)
    slots: list[Slot] = []
    for stay in stays:
        institution = draw.institutions[stay.institution_id]
        days = max(0, (ctx.today - stay.admitted_on).days - 1)
        day = stay.admitted_on + datetime.timedelta(days=ctx.rng.randint(0, days))
        # Not before the consent to care, given at 11:00 UTC on the day of admission.
        created = max(_daytime(ctx, day, draw.zones[institution.region_id]), ctx.moment(day, 12))
        slots.append((min(created, now_of(ctx) - HOUR), institution, stay))
    return slots


def _ward_slots(ctx: Context, draw: Draw) -> list[Slot]:
    count = ctx.plan.requests - round(ctx.plan.requests * (1 - WARD_SHARE))
    slots: list[Slot] = []
    for institution in ctx.rng.choices(ctx.world.institutions, k=count):
        day = ctx.days_ago(ctx.rng.randint(1, WEEKS * 7))
        slots.append((_daytime(ctx, day, draw.zones[institution.region_id]), institution, None))
    return slots


def _story(
    ctx: Context,
    draw: Draw,
    created: datetime.datetime,
    institution: Institution,
    stay: Stay | None,
) -> Story:
    rng = ctx.rng
    service = rng.choices(draw.services, cum_weights=draw.service_weights)[0]
    liaison = ctx.world.liaisons[institution.pk]
    veteran = stay.veteran if stay else None
    story = Story(
        institution=institution,
        zone=draw.zones[institution.region_id],
        department_id=stay.department_id if stay else _ward(ctx, institution),
        veteran_id=stay.veteran_id if stay else None,
        service=service,
        urgency=rng.choices(list(URGENCIES), weights=list(URGENCIES.values()))[0],
        channel=Channel.WARD,
        asker_id=liaison,
        requester_name="",
        answerer_id=liaison,
        created=created,
        veteran=veteran,
    )
    if rng.random() < 0.7:
        story.details = about(rng, words.REQUEST_DETAILS.get(service.category, ("",)), veteran)
    if stay is not None:
        _asked_by_veteran(ctx, story, stay.veteran_id)
    plot(rng, story, candidates=_candidates(ctx, story), may_take=_may_take(ctx, story))
    return story


def _ward(ctx: Context, institution: Institution) -> int | None:
    wards = ctx.world.departments.get(institution.pk)
    return ctx.rng.choice(wards) if wards else None


def _asked_by_veteran(ctx: Context, story: Story, veteran_id: int) -> None:
    """The veteran or their relative asks on the site or in Telegram, else the ward or a call."""
    rng, asker = ctx.rng, ctx.world.askers[veteran_id]
    accounts = [u for u in (asker.user_id, asker.relative_id) if u is not None]
    if accounts:
        story.channel = rng.choices(list(SELF_CHANNELS), weights=list(SELF_CHANNELS.values()))[0]
        story.answerer_id = accounts[0]
    else:
        story.channel = Channel.WARD if rng.random() < 0.6 else Channel.PHONE
    if story.channel in (Channel.WEB, Channel.TELEGRAM):
        story.asker_id = rng.choice(accounts)
    elif story.channel == Channel.PHONE:
        # The coordinator took the call and entered it for the veteran.
        story.asker_id, story.requester_name = None, asker.name


def _candidates(ctx: Context, story: Story) -> list[Helper]:
    """Approved members of the NGOs with an agreement there, offering the service first."""
    partners = ctx.world.partners.get(story.institution.pk, [])
    offering = [o for o in partners if story.service.pk in ctx.world.offers.get(o, ())]
    return [(o, m) for o in offering or partners for m in ctx.world.members.get(o, [])]


def _may_take(ctx: Context, story: Story) -> MayTake:
    """Whether a helper could take the request on a day, by the rules of
    `care.eligibility.request_missing_steps` on what the generator made (the chosen ones
    are checked by that function itself in `insert`)."""
    needed = set(REQUIRED_CHECKS[story.institution.access_level])
    if story.service.needs_security_screening:
        needed.add(CheckKind.SCREENING)
    genders = _genders_allowed(story)

    def may(helper: Helper, day: datetime.date) -> bool:
        org_id, member = helper
        runs = ctx.world.agreements.get((org_id, story.institution.pk))
        return (
            runs is not None
            and runs[0] <= day
            and (runs[1] is None or day <= runs[1])
            and member.since <= day
            and needed <= ctx.world.cleared.get(member.volunteer_id, frozenset())
            and member.gender in genders
        )

    return may


def _genders_allowed(story: Story) -> frozenset[str]:
    """The helper's genders personal care allows: the veteran's own where the service asks
    for it, and the veteran's wish where they made one."""
    service, veteran = story.service, story.veteran
    allowed = frozenset({"m", "f"})
    if veteran is None or not (service.same_gender_helper or service.category == Category.HYGIENE):
        return allowed
    if service.same_gender_helper:
        allowed &= {veteran.gender}
    if veteran.preferred_helper_gender != HelperGender.ANY:
        allowed &= {veteran.preferred_helper_gender}
    return allowed
