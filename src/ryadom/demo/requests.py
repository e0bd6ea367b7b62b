"""Care requests of the last 13 weeks with their timelines, visits, feedback and complaints.

Each request is first drawn as a story of moments (asked, triaged, taken, scheduled,
checked in, done, confirmed, or cancelled on the way), then cut at the generation's "now":
what happened before it becomes events, a visit and feedback, and the last event is the
status. So status, timeline, visit and escalation agree the way the services leave them.
"""

from __future__ import annotations

import datetime
import functools
import itertools
import random
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ryadom.care.deadlines import FEDERAL_AFTER, deadline_for
from ryadom.care.eligibility import request_missing_steps
from ryadom.care.lifecycle import DONE_STATES, Action
from ryadom.care.models import (
    CareRequest,
    Channel,
    Complaint,
    Event,
    Feedback,
    Status,
    Urgency,
    Visit,
)

# The note the deadline check writes; called here so the demo's timeline reads the same.
from ryadom.care.services.coordination import escalation_note
from ryadom.care.timeline import ASKED_VIA, Coded, coded, event_fields
from ryadom.catalogue.models import Category, ServiceType
from ryadom.demo import words
from ryadom.demo.context import Context, Member
from ryadom.demo.institutions import VISITING_HOURS
from ryadom.demo.loader import Loader
from ryadom.institutions.models import Institution
from ryadom.veterans.models import HelperGender, Stay, Veteran
from ryadom.volunteers.eligibility import REQUIRED_CHECKS
from ryadom.volunteers.models import CheckKind, Volunteer

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
ON_TIME = 0.88  # share of visits planned within the standard's time
CANCELLED = 0.07
UNCONFIRMED = 0.06  # done, and nobody ever confirmed it
CLAIMED = 0.7  # taken by the volunteer; the rest assigned by the coordinator
RESPECTFUL = 0.9
RATINGS = {5: 62, 4: 27, 3: 7, 2: 3, 1: 1}
LOW_RATINGS = {3: 40, 2: 35, 1: 25}
TAKING = (Action.ASSIGN, Action.CLAIM)
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)


def now_of(ctx: Context) -> datetime.datetime:
    """The generation's "now": the midnight that began `today` in the national calendar, so
    that nothing generated lies ahead of whoever runs it that day, but visits still planned."""
    zone = timezone.get_default_timezone()
    return datetime.datetime.combine(ctx.today, datetime.time(0), tzinfo=zone)


@dataclass
class Story:
    """One request before any row exists: its parties and the moments of its life."""

    institution: Institution
    zone: zoneinfo.ZoneInfo
    department_id: int | None
    veteran_id: int | None
    service: ServiceType
    urgency: str
    channel: str
    asker_id: int | None  # requested_by
    requester_name: str
    answerer_id: int  # who confirms it and gives feedback
    created: datetime.datetime
    veteran: Veteran | None = None  # for the words about them and the rules of personal care
    details: str = ""
    triaged: datetime.datetime | None = None
    taken: datetime.datetime | None = None
    claimed: bool = True
    member: Member | None = None
    organisation_id: int | None = None
    scheduled: datetime.datetime | None = None
    visit: tuple[datetime.datetime, datetime.datetime] | None = None  # planned start, end
    checked_in: datetime.datetime | None = None
    completed: datetime.datetime | None = None
    confirmed: datetime.datetime | None = None
    cancelled: datetime.datetime | None = None
    cancel_note: str = ""
    outcome: str = ""
    respectful: bool = True
    rating: int | None = 5
    comment: str = ""
    answered: datetime.datetime | None = None  # a complaint's answer
    answer: str = ""
    upheld: bool = False

    @property
    def deadline(self) -> datetime.datetime:
        return deadline_for(service_type=self.service, urgency=self.urgency, start=self.created)


@dataclass
class Rows:
    """The rows of one chunk of requests, inserted in this order."""

    requests: list[CareRequest]
    events: list[Event]
    visits: list[Visit]
    feedback: list[Feedback]
    complaints: list[Complaint]


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
        story.details = _about(rng, words.REQUEST_DETAILS.get(service.category, ("",)), veteran)
    if stay is not None:
        _asked_by_veteran(ctx, story, stay.veteran_id)
    plot(rng, story, candidates=_candidates(ctx, story), may_take=_may_take(ctx, story))
    return story


def _about(
    rng: random.Random, phrases: Sequence[str | words.Gendered], veteran: Veteran | None
) -> str:
    """One of the phrases, in the veteran's gender; for a ward, one that names nobody."""
    fitting = [p for p in phrases if veteran is not None or isinstance(p, str)]
    return words.about(rng.choice(fitting), veteran.gender if veteran else None) or ""


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


Helper = tuple[int, Member]  # an NGO id and one of its members
MayTake = Callable[[Helper, datetime.date], bool]


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


def plot(
    rng: random.Random, story: Story, *, candidates: Sequence[Helper], may_take: MayTake
) -> None:
    """Draw the moments after the request was made (some of them may still lie ahead)."""
    span, on_time = story.deadline - story.created, rng.random() < ON_TIME
    share = rng.uniform(0.25, 0.9) if on_time else rng.uniform(1.02, 1.25)
    story.visit = visit_slot(rng, story, earliest=story.created + max(span * share, 3 * HOUR))
    if on_time and story.visit[1] > story.deadline:
        # Visiting hours came too late: the first possible visit, which may still be late.
        story.visit = visit_slot(rng, story, earliest=story.created + 2 * HOUR)
    starts = story.visit[0]
    story.triaged = _triage_time(rng, story, before=starts)
    story.taken = story.triaged + (starts - story.triaged) * rng.uniform(0.1, 0.5)
    day = timezone.localdate(story.taken)
    eligible = [h for h in candidates if may_take(h, day)]
    if not eligible:
        # Nobody could take it: the coordinator closed it a few days after the deadline.
        story.taken = story.visit = None
        story.cancelled = story.deadline + datetime.timedelta(hours=rng.randint(24, 96))
        story.cancel_note = _about(rng, words.CANCEL_REASONS, story.veteran)
        return
    story.organisation_id, story.member = rng.choice(eligible)
    story.claimed = rng.random() < CLAIMED
    story.scheduled = story.taken + (starts - story.taken) * rng.uniform(0.05, 0.5)
    story.checked_in = max(starts + rng.randint(-10, 10) * MINUTE, story.scheduled + MINUTE)
    length = story.visit[1] - starts + rng.randint(-15, 15) * MINUTE
    story.completed = story.checked_in + max(length, 15 * MINUTE)
    story.outcome = words.form(rng.choice(words.VISIT_OUTCOMES), story.member.gender)
    if rng.random() < CANCELLED:
        before = starts - 30 * MINUTE - story.created
        story.cancelled = story.created + before * rng.uniform(0.05, 0.9)
        story.cancel_note = _about(rng, words.CANCEL_REASONS, story.veteran)
    elif rng.random() >= UNCONFIRMED:
        story.confirmed = story.completed + datetime.timedelta(minutes=rng.randint(30, 36 * 60))
        _feedback(rng, story)


def _triage_time(
    rng: random.Random, story: Story, *, before: datetime.datetime
) -> datetime.datetime:
    """Within a few hours, or the next morning for what came in the evening (coordinators
    work days; the evening's requests wait in their queue as new)."""
    local = story.created.astimezone(story.zone)
    if local.hour >= 18 and story.urgency == Urgency.NORMAL:
        morning = datetime.datetime.combine(
            local.date() + datetime.timedelta(days=1),
            datetime.time(9, rng.randrange(0, 60)),
            tzinfo=story.zone,
        )
        if morning < before - HOUR:
            return morning.astimezone(datetime.UTC)
    return story.created + 5 * MINUTE + min(4 * HOUR, (before - story.created) * 0.2) * rng.random()


def _feedback(rng: random.Random, story: Story) -> None:
    gender = story.member.gender if story.member else "m"
    story.respectful = rng.random() < RESPECTFUL
    ratings = RATINGS if story.respectful else LOW_RATINGS
    story.rating = rng.choices(list(ratings), weights=list(ratings.values()))[0]
    if rng.random() < 0.08:
        story.rating = None  # answered only the two questions
    if not story.respectful:
        story.comment = words.form(rng.choice(words.FEEDBACK_BAD), gender)
        if rng.random() < 0.85 and story.confirmed is not None:
            story.answered = story.confirmed + datetime.timedelta(hours=rng.randint(3, 72))
            story.upheld = rng.random() < 0.6
            story.answer = rng.choice(words.COMPLAINT_ANSWERS)
    elif rng.random() < 0.4:
        story.comment = words.form(rng.choice(words.FEEDBACK_GOOD), gender)


def visit_slot(
    rng: random.Random, story: Story, *, earliest: datetime.datetime
) -> tuple[datetime.datetime, datetime.datetime]:
    """A visit of one to two hours within visiting hours, on the first visiting day from
    `earliest` (local time of the institution), starting after it."""
    hours = VISITING_HOURS[story.institution.kind]
    first = earliest.astimezone(story.zone).date()
    for offset in range(14):
        day = first + datetime.timedelta(days=offset)
        windows = [(s, e) for weekday, s, e in hours if weekday == day.weekday()]
        if not windows:
            continue
        opens, closes = rng.choice(windows)
        minutes = min(rng.choice((60, 90, 120)), (closes - opens) * 60)
        late = rng.randrange(0, (closes - opens) * 60 - minutes + 1, 30)
        opening = datetime.datetime.combine(day, datetime.time(opens), tzinfo=story.zone)
        starts = opening + late * MINUTE
        if starts >= earliest:
            ends = starts + minutes * MINUTE
            return starts.astimezone(datetime.UTC), ends.astimezone(datetime.UTC)
    raise LookupError(f"{story.institution.name} has no visiting hours.")


def insert(loader: Loader, stories: Sequence[Story], now: datetime.datetime) -> Rows:
    """Write the stories as they stand at `now`; returns the rows."""
    rows = Rows([], [], [], [], [])
    parts = [_cut(story, now) for story in stories]
    _takers_were_eligible(stories, [request for request, *_rest in parts])
    rows.requests = loader.insert([request for request, *_rest in parts])
    for _request, events, visit, feedback, complaint in parts:
        rows.events += events
        rows.visits += [visit] if visit else []
        rows.feedback += [feedback] if feedback else []
        rows.complaints += [complaint] if complaint else []
    loader.insert(rows.events)
    loader.insert(rows.visits)
    loader.insert(rows.feedback)
    loader.insert(rows.complaints)
    _watch_deadlines(rows.requests)
    return rows


Part = tuple[CareRequest, list[Event], Visit | None, Feedback | None, Complaint | None]


def _takers_were_eligible(stories: Sequence[Story], requests: Sequence[CareRequest]) -> None:
    """Every volunteer who took a request could, on that day, by the function the claim and
    the assignment ask (`care.eligibility.request_missing_steps`): a generator that writes
    around the rules stops here instead."""
    taken = [(s, r) for s, r in zip(stories, requests, strict=True) if r.volunteer_id]
    ids = {r.volunteer_id for _s, r in taken}
    volunteers = Volunteer.objects.prefetch_related("checks").in_bulk(ids)
    for story, request in taken:
        assert story.taken is not None  # noqa: S101 - a request with a volunteer was taken
        day = timezone.localdate(story.taken)
        volunteer = volunteers[request.volunteer_id]
        missing = request_missing_steps(volunteer=volunteer, request=request, on=day)
        if missing:
            raise RuntimeError(
                f"The demo gave a request in {story.institution.name} on {day} to a volunteer "
                f"who could not take it: {[step.code for step in missing]}"
            )


def _cut(story: Story, now: datetime.datetime) -> Part:
    """The rows of a story as they stand at `now`."""
    events = [e for e in _events(story) if e.at <= now]
    status = events[-1].to_status
    request = CareRequest(
        region_id=story.institution.region_id,
        institution=story.institution,
        department_id=story.department_id,
        veteran_id=story.veteran_id,
        service_type=story.service,
        details=story.details,
        urgency=story.urgency,
        channel=story.channel,
        requested_by_id=story.asker_id,
        requester_name=story.requester_name,
        status=status,
        deadline=story.deadline,
        created_at=story.created,
    )
    if story.veteran is not None:
        request.veteran = story.veteran  # its gender and wishes, without a query
    if story.member is not None and any(e.action in TAKING for e in events):
        request.volunteer_id = story.member.volunteer_id
        request.organisation_id = story.organisation_id
    events = _escalations(story, events, now)
    request.escalation_level = sum(e.action == "escalate" for e in events)
    request.updated_at = events[-1].at
    for event in events:
        event.request = request
    return request, events, _visit(story, request, now), *_feedback_rows(story, request, now)


def _events(story: Story) -> list[Event]:
    """Every moment of the story as the services record it, in order, the future included."""
    volunteer = story.member.user_id if story.member else None
    steps: list[tuple[datetime.datetime | None, str, int | None, str, str | Coded]] = [
        (
            story.created,
            "create",
            story.asker_id,
            Status.NEW,
            coded(ASKED_VIA, channel=story.channel),
        ),
        (story.triaged, Action.TRIAGE, None, Status.TRIAGED, ""),
    ]
    if story.member is not None and story.visit is not None:
        taken = (Action.CLAIM, volunteer) if story.claimed else (Action.ASSIGN, None)
        local = story.visit[0].astimezone(story.zone)
        steps += [
            (story.taken, taken[0], taken[1], Status.ASSIGNED, ""),
            (
                story.scheduled,
                Action.SCHEDULE,
                volunteer,
                Status.SCHEDULED,
                f"{local:%Y-%m-%d %H:%M}",
            ),
            (story.checked_in, Action.CHECK_IN, volunteer, Status.IN_PROGRESS, ""),
            (story.completed, Action.COMPLETE, volunteer, Status.COMPLETED, story.outcome),
            (story.confirmed, Action.CONFIRM, story.answerer_id, Status.CONFIRMED, ""),
        ]
    if story.cancelled is not None:
        steps = [s for s in steps if s[0] is not None and s[0] < story.cancelled]
        steps.append((story.cancelled, Action.CANCEL, story.asker_id, Status.CANCELLED, ""))
    events, previous = [], ""
    for at, action, actor, to_status, note in steps:
        if at is None:
            break
        note = story.cancel_note if action == Action.CANCEL else note
        events.append(
            Event(
                at=at,
                actor_id=actor,
                action=str(action),
                from_status=previous,
                to_status=to_status,
                **event_fields(note),
            )
        )
        previous = to_status
    return events


def _escalations(story: Story, events: list[Event], now: datetime.datetime) -> list[Event]:
    """The deadline check's events: at the deadline, then a day later, if not done by then."""
    escalated = []
    for level in (1, 2):
        due = story.deadline + FEDERAL_AFTER * (level - 1) + 2 * MINUTE
        before = [e for e in events if e.at <= due]
        status = before[-1].to_status
        if due > now or status in DONE_STATES:
            break
        note = escalation_note(level)
        escalated.append(
            Event(
                at=due,
                action="escalate",
                from_status=status,
                to_status=status,
                **event_fields(note),
            )
        )
    return sorted(events + escalated, key=lambda e: e.at)


def _visit(story: Story, request: CareRequest, now: datetime.datetime) -> Visit | None:
    """The planned visit from scheduling on; a cancellation drops it."""
    if story.visit is None or story.scheduled is None or story.scheduled > now:
        return None
    if request.status == Status.CANCELLED:
        return None
    checked_in = story.checked_in if story.checked_in and story.checked_in <= now else None
    done = checked_in is not None and story.completed is not None and story.completed <= now
    return Visit(
        request=request,
        volunteer_id=request.volunteer_id,
        starts=story.visit[0],
        ends=story.visit[1],
        checked_in_at=checked_in,
        checked_out_at=story.completed if done else None,
        outcome=story.outcome if done else "",
    )


def _feedback_rows(
    story: Story, request: CareRequest, now: datetime.datetime
) -> tuple[Feedback | None, Complaint | None]:
    if request.status != Status.CONFIRMED or story.confirmed is None:
        return None, None
    feedback = Feedback(
        request=request,
        given_by_id=story.answerer_id,
        at=story.confirmed,
        done=True,
        rating=story.rating,
        respectful=story.respectful,
        comment=story.comment,
    )
    if story.respectful:
        return feedback, None
    answered = story.answered if story.answered and story.answered <= now else None
    complaint = Complaint(
        request=request,
        feedback=feedback,
        opened_at=story.confirmed,
        answer=story.answer if answered else "",
        answered_at=answered,
        upheld=story.upheld if answered else None,
    )
    return feedback, complaint


def _watch_deadlines(requests: Sequence[CareRequest]) -> None:
    """Open requests get their deadline check queued, as `deadlines.watch` does on create."""
    for r in requests:
        if r.status not in DONE_STATES and r.escalation_level < 2:
            due = r.deadline + FEDERAL_AFTER * r.escalation_level
            transaction.on_commit(functools.partial(_enqueue_check, r.pk, due))


def _enqueue_check(request_id: int, due: datetime.datetime) -> None:
    from ryadom.care.tasks import check_deadline

    check_deadline.using(run_after=due).enqueue(request_id=request_id)
