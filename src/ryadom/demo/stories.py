"""One request's story: the moments of its life, drawn before any row exists.

`plot` draws when it was triaged, taken, scheduled, visited, done, confirmed (with its
feedback), or cancelled on the way; some of the moments may still lie ahead.
"""

from __future__ import annotations

import datetime
import random
import zoneinfo
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.utils import timezone

from ryadom.care.deadlines import deadline_for
from ryadom.care.models import Urgency
from ryadom.catalogue.models import ServiceType
from ryadom.demo import words
from ryadom.demo.context import Member
from ryadom.demo.institutions import VISITING_HOURS
from ryadom.institutions.models import Institution
from ryadom.veterans.models import Veteran

ON_TIME = 0.88  # share of visits planned within the standard's time
CANCELLED = 0.07
UNCONFIRMED = 0.06  # done, and nobody ever confirmed it
CLAIMED = 0.7  # taken by the volunteer; the rest assigned by the coordinator
RESPECTFUL = 0.9
RATINGS = {5: 62, 4: 27, 3: 7, 2: 3, 1: 1}
LOW_RATINGS = {3: 40, 2: 35, 1: 25}
MINUTE = datetime.timedelta(minutes=1)
HOUR = datetime.timedelta(hours=1)


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


Helper = tuple[int, Member]  # an NGO id and one of its members
MayTake = Callable[[Helper, datetime.date], bool]


def about(
    rng: random.Random, phrases: Sequence[str | words.Gendered], veteran: Veteran | None
) -> str:
    """One of the phrases, in the veteran's gender; for a ward, one that names nobody."""
    fitting = [p for p in phrases if veteran is not None or isinstance(p, str)]
    return words.about(rng.choice(fitting), veteran.gender if veteran else None) or ""


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
        story.cancel_note = about(rng, words.CANCEL_REASONS, story.veteran)
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
        story.cancel_note = about(rng, words.CANCEL_REASONS, story.veteran)
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
