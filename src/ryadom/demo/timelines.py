"""A request's story written as rows: cut at the generation's "now", what happened before
it becomes events, a visit and feedback, and the last event is the status. So status,
timeline, visit and escalation agree the way the services leave them.
"""

from __future__ import annotations

import datetime
import functools
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from ryadom.care.deadlines import FEDERAL_AFTER
from ryadom.care.eligibility import request_missing_steps
from ryadom.care.lifecycle import DONE_STATES, Action
from ryadom.care.models import CareRequest, Complaint, Event, Feedback, Status, Visit

# The note the deadline check writes; called here so the demo's timeline reads the same.
from ryadom.care.services.coordination import escalation_note
from ryadom.care.timeline import ASKED_VIA, Coded, coded, event_fields
from ryadom.demo.loader import Loader
from ryadom.demo.stories import MINUTE, Story
from ryadom.volunteers.models import Volunteer

TAKING = (Action.ASSIGN, Action.CLAIM)


@dataclass
class Rows:
    """The rows of one chunk of requests, inserted in this order."""

    requests: list[CareRequest]
    events: list[Event]
    visits: list[Visit]
    feedback: list[Feedback]
    complaints: list[Complaint]


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
