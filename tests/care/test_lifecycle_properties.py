"""Random sequences of actions by random actors keep the lifecycle's invariants.

A hypothesis state machine drives the real services with actors from the fixed cast and
checks, after every step, that only allowed transitions happened, the timeline replays to
the current state, no request is ever held by two volunteers, only the parties the table
names ever succeed, and each volunteer's hours are the sum of their visits. Expected refusals
(ApplicationError and its subclasses) are fine; any other exception fails the test.

Each example runs inside a savepoint that is rolled back at its end, so every example starts
from the same cast; time is frozen and moves forward only when a step says "wait".
"""

from __future__ import annotations

import datetime
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pytest
import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from ryadom.accounts.models import Role, User
from ryadom.accounts.services import role_assign
from ryadom.care.lifecycle import ALLOWED_TRANSITIONS, Action, actions_from
from ryadom.care.models import CareRequest, Channel, Complaint, Event, Feedback, Status, Visit
from ryadom.care.parties import ACTION_PARTIES, Party
from ryadom.care.selectors import volunteer_hours
from ryadom.care.services.coordination import (
    request_assign,
    request_cancel,
    request_reopen,
    request_triage,
)
from ryadom.care.services.intake import request_create
from ryadom.care.services.requester import request_confirm, request_feedback
from ryadom.care.services.volunteer_work import (
    request_check_in,
    request_claim,
    request_complete,
    request_decline,
    request_schedule,
)
from ryadom.care.tasks import check_deadline
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ApplicationError, PermissionDeniedError
from ryadom.institutions.models import Institution
from ryadom.organisations.models import Organisation
from ryadom.veterans.models import Veteran
from ryadom.volunteers.eligibility import REQUIRED_CHECKS
from ryadom.volunteers.models import Check, CheckStatus, Volunteer
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

# The number of examples comes from the profile (tests/conftest.py).
SETTINGS = settings(stateful_step_count=20)

VOLUNTEER_USERS = ("volunteer_user", "volunteer2")
ACTORS = (
    "coord_a",
    "coord_b",
    "federal",
    "observer",
    "liaison",
    "ngo_manager",
    *VOLUNTEER_USERS,
    "veteran_user",
    "relative",
    "stranger",
)
WAITS = [1, 20, 45, 90, 6 * 60, 26 * 60, 73 * 60]  # minutes
HOLDING = frozenset({Status.ASSIGNED, Status.SCHEDULED, Status.IN_PROGRESS})
MOSCOW = datetime.timezone(datetime.timedelta(hours=3))
Call = Callable[[User, CareRequest], object]  # a service, given the actor and the request


@dataclass(frozen=True)
class Intake:
    """Who asks for what, for whom, where."""

    requester: str
    institution: str  # "a" or "b"
    veteran: str | None  # a Cast attribute, or None for a need of the whole ward
    service: str


# (requester, institution "a" or "b", veteran as a Cast attribute or None for a ward need)
ASKERS: list[tuple[str, str, str | None]] = [
    ("relative", "a", "veteran_a"),
    ("veteran_user", "a", "veteran_a"),
    ("liaison", "a", "veteran_a2"),
    ("liaison", "a", None),
    ("coord_a", "a", "veteran_a2"),
    ("coord_b", "b", "veteran_b"),
]
# hygiene.personal needs a helper of the veteran's gender: the volunteers are women and the
# veterans men, so nobody is eligible for it except on a need of the whole ward.
SERVICES = ["leisure.reading", "leisure.reading", "purchases.groceries", "hygiene.personal"]
INTAKES = st.builds(
    lambda who, service: Intake(
        requester=who[0], institution=who[1], veteran=who[2], service=service
    ),
    st.sampled_from(ASKERS),
    st.sampled_from(SERVICES),
)

# What a coordinator may assign: a volunteer (two of them are eligible in institution_a,
# volunteer_b in institution_b; volunteer_other_ngo nowhere), or an NGO alone.
ASSIGNEES = st.sampled_from(
    [
        ("volunteer", "volunteer_a"),
        ("volunteer", "volunteer_a"),
        ("volunteer", "volunteer2"),
        ("volunteer", "volunteer2"),
        ("volunteer", "volunteer_b"),
        ("volunteer", "volunteer_other_ngo"),
        ("organisation", "ngo_a"),
        ("organisation", "ngo_b"),
    ]
)

# The actions the machine takes, by the services named after them.
DRIVEN = (
    Action.TRIAGE,
    Action.ASSIGN,
    Action.CLAIM,
    Action.DECLINE,
    Action.SCHEDULE,
    Action.CHECK_IN,
    Action.COMPLETE,
    Action.CONFIRM,
    Action.CANCEL,
    Action.REOPEN,
)
FEEDBACK = "feedback"  # confirms or reopens, by what the veteran says
WAIT = "wait"  # time passes; the deadline checks run
VERBS = [str(a) for a in DRIVEN] + [FEEDBACK, WAIT]
# What moves each state on towards "confirmed" (and from there back round again): drawn
# more often, so that requests get far along their lives within an example.
FORWARD: dict[str, list[str]] = {
    Status.NEW: [Action.TRIAGE, Action.ASSIGN],
    Status.TRIAGED: [Action.CLAIM, Action.ASSIGN],
    Status.ASSIGNED: [Action.SCHEDULE],
    Status.SCHEDULED: [Action.CHECK_IN],
    Status.IN_PROGRESS: [Action.COMPLETE, WAIT],
    Status.COMPLETED: [Action.CONFIRM, FEEDBACK],
    Status.CONFIRMED: [FEEDBACK, Action.REOPEN],
    Status.CANCELLED: [],
}
# Events that record something without moving the status.
KEEPS_STATUS = frozenset({"escalate", "move"})


def _visit_slots(now: datetime.datetime) -> st.SearchStrategy[tuple[datetime.datetime, ...]]:
    """A visit today or in the next two days. Most are within visiting hours (08:00–22:00
    Moscow); some start too early, end too late or are in the past, and are refused."""

    def slot(days: int, hour: int, minutes: int) -> tuple[datetime.datetime, ...]:
        day = (now + datetime.timedelta(days=days)).astimezone(MOSCOW).date()
        starts = datetime.datetime.combine(day, datetime.time(hour), tzinfo=MOSCOW)
        return starts, starts + datetime.timedelta(minutes=minutes)

    return st.builds(
        slot,
        st.sampled_from([1, 2, 0]),
        st.sampled_from([10, 14, 18, 21, 7, 23]),
        st.sampled_from([60, 30, 120, 240]),
    )


@dataclass
class World:
    """The cast and one more volunteer cleared for institution_a, shared by every example."""

    cast: Cast
    users: dict[str, User]
    volunteers: dict[str, Volunteer]
    organisations: dict[str, Organisation]
    start: datetime.datetime
    # Across the whole run: the states reached and the steps that succeeded, to show the
    # run was not vacuous.
    successes: Counter[str] = field(default_factory=Counter)
    reached: set[str] = field(default_factory=set)

    @classmethod
    def build(cls, cast: Cast) -> World:
        user = f.UserFactory.create(username="volunteer2")
        role_assign(actor=None, user=user, role=Role.VOLUNTEER)
        volunteer2 = f.VolunteerFactory.create(user=user, region=cast.institution_a.region)
        f.MembershipFactory.create(volunteer=volunteer2, organisation=cast.ngo_a)
        for kind in REQUIRED_CHECKS[cast.institution_a.access_level]:
            Check.objects.create(
                volunteer=volunteer2,
                kind=kind,
                status=CheckStatus.PASSED,
                verified_by=cast.ngo_manager,
                verified_at=timezone.now(),
            )
        users = {name: getattr(cast, name) for name in ACTORS if name != "volunteer2"}
        users["volunteer2"] = user
        return cls(
            cast=cast,
            users=users,
            volunteers={
                "volunteer_a": cast.volunteer_a,
                "volunteer2": volunteer2,
                "volunteer_b": cast.volunteer_b,
                "volunteer_other_ngo": cast.volunteer_other_ngo,
            },
            organisations={"ngo_a": cast.ngo_a, "ngo_b": cast.ngo_b},
            start=timezone.now(),
        )

    def volunteer_of(self, actor: str) -> Volunteer | None:
        """The volunteer record of a volunteer user of the cast (None for anyone else)."""
        names = {"volunteer_user": "volunteer_a", "volunteer2": "volunteer2"}
        return self.volunteers[names[actor]] if actor in names else None

    def parties(self, actor: str, request: CareRequest) -> set[Party]:
        """How the actor stands to the request, read off the cast (not from parties_of)."""
        c, user = self.cast, self.users[actor]
        in_a = request.institution_id == c.institution_a.pk
        found: set[Party] = set()
        if actor == "federal" or (actor == "coord_a" and in_a) or (actor == "coord_b" and not in_a):
            found.add(Party.COORDINATOR)
        volunteer = self.volunteer_of(actor) if actor in VOLUNTEER_USERS else None
        if volunteer is not None:
            found.add(Party.VOLUNTEER)
            if request.volunteer_id == volunteer.pk:
                found.add(Party.ASSIGNEE)
        if actor == "ngo_manager" and request.organisation_id == c.ngo_a.pk:
            found.add(Party.ASSIGNEE)
        if (
            request.requested_by_id == user.pk
            or (actor == "liaison" and in_a)
            or (request.veteran_id == c.veteran_a.pk and actor in ("veteran_user", "relative"))
        ):
            found.add(Party.REQUESTER)
        return found


@dataclass
class Tracked:
    """What the test itself expects of one request, kept apart from the database."""

    volunteer_id: int | None = None
    visit_volunteer_id: int | None = None  # who the planned or running visit is for
    checked_in_at: datetime.datetime | None = None
    events: int = 1  # "create"


class LifecycleMachine(RuleBasedStateMachine):
    world: ClassVar[World]
    requests: Bundle[int] = Bundle("requests")

    def __init__(self) -> None:
        super().__init__()
        # A savepoint per example, rolled back in teardown: every example starts afresh.
        self._atomic = transaction.atomic()
        self._atomic.__enter__()
        self._travel = time_machine.travel(self.world.start, tick=False)
        self._clock = self._travel.start()
        self.tracked: dict[int, Tracked] = {}
        self.expected_hours: Counter[int] = Counter()
        # Whether the last step changed anything: a refused step is rolled back by the
        # service's own transaction (`_act` checks the status and the timeline stayed put),
        # so the hours, a query per volunteer, are re-added only after a step that moved.
        self.moved = True

    def teardown(self) -> None:
        self._travel.stop()
        transaction.set_rollback(True)
        self._atomic.__exit__(None, None, None)

    # Requests -------------------------------------------------------------------------

    def _create(self, intake: Intake) -> int:
        c = self.world.cast
        institution: Institution = c.institution_a if intake.institution == "a" else c.institution_b
        veteran: Veteran | None = getattr(c, intake.veteran) if intake.veteran else None
        request = request_create(
            actor=self.world.users[intake.requester],
            service_type=ServiceType.objects.get(code=intake.service),
            institution=institution,
            veteran=veteran,
            channel=Channel.WARD,
        )
        self.tracked[request.pk] = Tracked()
        return request.pk

    @initialize(target=requests, intake=INTAKES)
    def first_request(self, intake: Intake) -> int:
        return self._create(intake)

    @precondition(lambda self: len(self.tracked) < 2)
    @rule(target=requests, intake=INTAKES)
    def another_request(self, intake: Intake) -> int:
        return self._create(intake)

    # Acting -----------------------------------------------------------------------------

    @rule(pk=requests, data=st.data())
    def act(self, pk: int, data: st.DataObject) -> None:
        """Someone takes some action on the request (or time passes).

        Drawn more often: the step that moves the request on, one the table allows now, and
        an actor who, by the cast, may take it; but any action by anyone is drawn too, so
        every refusal gets tried.
        """
        request = CareRequest.objects.get(pk=pk)
        # Cancelling ends the story: it is left to the "any action" share.
        fitting = [
            str(a) for a in actions_from(request.status) if a in DRIVEN and a != Action.CANCEL
        ]
        if request.status in (Status.COMPLETED, Status.CONFIRMED):
            fitting.append(FEEDBACK)
        verb = data.draw(st.sampled_from(FORWARD[request.status] * 3 + fitting + VERBS))
        if verb == WAIT:
            self._wait(data.draw(st.sampled_from(WAITS), label="minutes"))
            return
        action = Action.CONFIRM if verb == FEEDBACK else Action(verb)
        may = [n for n in ACTORS if self.world.parties(n, request) & ACTION_PARTIES[action]]
        actor = data.draw(st.sampled_from(may * 2 + list(ACTORS)), label="actor")
        if verb == FEEDBACK:
            self._feedback(request, actor, data)
        else:
            call, taker = self._call(action, actor, data)
            self._follow(request.pk, self._act(request, actor, action, call), taker)

    def _call(self, action: Action, actor: str, data: st.DataObject) -> tuple[Call, int | None]:
        """The service call for an action, with its arguments drawn; and for a claim or an
        assignment, the volunteer who should hold the request if it succeeds."""
        if action == Action.ASSIGN:
            kind, name = data.draw(ASSIGNEES, label="assignee")
            volunteer = self.world.volunteers[name] if kind == "volunteer" else None
            organisation = self.world.organisations[name] if kind == "organisation" else None
            return lambda a, r: request_assign(
                actor=a, request=r, volunteer=volunteer, organisation=organisation
            ), volunteer.pk if volunteer else None
        if action == Action.CLAIM:
            claimer = self.world.volunteer_of(actor)
            return lambda a, r: request_claim(actor=a, request=r), (claimer.pk if claimer else None)
        if action == Action.DECLINE:
            reason = data.draw(st.sampled_from(["Заболела", "Не успеваю", "  "]), label="reason")
            return lambda a, r: request_decline(actor=a, request=r, reason=reason), None
        if action == Action.SCHEDULE:
            starts, ends = data.draw(_visit_slots(timezone.now()), label="visit")
            return lambda a, r: request_schedule(actor=a, request=r, starts=starts, ends=ends), None
        calls: dict[Action, Call] = {
            Action.TRIAGE: lambda a, r: request_triage(actor=a, request=r),
            Action.CHECK_IN: lambda a, r: request_check_in(actor=a, request=r),
            Action.COMPLETE: lambda a, r: request_complete(actor=a, request=r, outcome="Сделано"),
            Action.CONFIRM: lambda a, r: request_confirm(actor=a, request=r),
            Action.CANCEL: lambda a, r: request_cancel(actor=a, request=r, reason="Выписан"),
            Action.REOPEN: lambda a, r: request_reopen(actor=a, request=r, reason="Не сделано"),
        }
        return calls[action], None

    def _act(
        self,
        request: CareRequest,
        actor: str,
        action: Action | None,
        call: Call,
    ) -> Event | None:
        """Call the service and check what it did: at most one allowed step, by a party.

        Returns the timeline event it added, or None when it was refused (or, for feedback on
        a confirmed request, when it moved nothing). `action` None: not known in advance.
        """
        pk, before = request.pk, request.status
        tracked = self.tracked[pk]
        # As the actor stood before the step (the service updates `request` in place).
        parties = self.world.parties(actor, request)
        try:
            call(self.world.users[actor], request)
        except ApplicationError as exc:  # anything else is a bug and fails the test
            assert CareRequest.objects.get(pk=pk).status == before
            assert Event.objects.filter(request_id=pk).count() == tracked.events
            if isinstance(exc, PermissionDeniedError) and action is not None:
                assert not parties & ACTION_PARTIES[action], (actor, action, exc)
            return None
        new = list(Event.objects.filter(request_id=pk).order_by("at", "pk")[tracked.events :])
        assert len(new) <= 1, new
        if not new:
            return None
        event = new[0]
        tracked.events += 1
        took = Action(event.action)
        assert action is None or took == action, (took, action)
        # Only the parties the table names ever succeed.
        assert event.actor_id == self.world.users[actor].pk
        assert parties & ACTION_PARTIES[took], (actor, took, before, parties)
        assert event.from_status == before
        self.world.successes[str(took)] += 1
        self.world.reached.add(event.to_status)
        return event

    def _feedback(self, request: CareRequest, actor: str, data: st.DataObject) -> None:
        done, respectful = data.draw(st.booleans(), "done"), data.draw(st.booleans(), "respectful")
        rating = data.draw(st.sampled_from([5, None, 3, 1, 0, 6]), label="rating")
        feedbacks, complaints = Feedback.objects.count(), Complaint.objects.count()
        before, parties = request.status, self.world.parties(actor, request)
        action = None
        if before in (Status.COMPLETED, Status.CONFIRMED):
            action = Action.CONFIRM if done else Action.REOPEN
        event = self._act(
            request,
            actor,
            action,
            lambda a, r: request_feedback(
                actor=a, request=r, done=done, respectful=respectful, rating=rating
            ),
        )
        self._follow(request.pk, event, taker=None)
        if Feedback.objects.count() == feedbacks:
            assert event is None and Complaint.objects.count() == complaints
            return
        # Accepted: "done" confirms a completed request (a confirmed one stays so), "not done"
        # reopens it; either "no" opens a complaint.
        assert action is not None and parties & ACTION_PARTIES[action], (actor, parties)
        if before == Status.COMPLETED or not done:
            assert event is not None and event.action == action
        else:
            assert event is None
        self.world.successes[FEEDBACK] += 1
        assert Complaint.objects.count() == complaints + int(not done or not respectful)

    def _follow(self, pk: int, event: Event | None, taker: int | None) -> None:
        """Track the volunteer and the visit through a step, apart from the database (the
        invariants compare the two)."""
        self.moved = event is not None
        if event is None:
            return
        tracked = self.tracked[pk]
        if event.action in (Action.CLAIM, Action.ASSIGN):
            # Taken only when nobody held it: a decline or a reopen released the last one.
            assert tracked.volunteer_id is None, (event, tracked)
            tracked.volunteer_id = taker
        elif event.action in (Action.DECLINE, Action.REOPEN):
            tracked.volunteer_id = None
        if event.action in (Action.DECLINE, Action.CANCEL):
            tracked.visit_volunteer_id = None  # the planned visit is dropped
        elif event.action == Action.SCHEDULE:
            tracked.visit_volunteer_id = tracked.volunteer_id
        elif event.action == Action.CHECK_IN:
            tracked.checked_in_at = timezone.now()
        elif event.action == Action.COMPLETE:
            assert tracked.checked_in_at is not None
            if tracked.visit_volunteer_id is not None:
                worked = timezone.now() - tracked.checked_in_at
                self.expected_hours[tracked.visit_volunteer_id] += int(worked.total_seconds())
            tracked.checked_in_at = None
            tracked.visit_volunteer_id = None

    def _wait(self, minutes: int) -> None:
        """Time passes, and the deferred deadline checks run as the worker would run them."""
        self._clock.shift(datetime.timedelta(minutes=minutes))
        self.moved = True
        for pk, tracked in self.tracked.items():
            before = CareRequest.objects.get(pk=pk).status
            check_deadline.call(request_id=pk)
            # An escalation is recorded on the timeline but never moves the request.
            assert CareRequest.objects.get(pk=pk).status == before
            assert Event.objects.filter(request_id=pk, action="escalate").count() <= 2
            tracked.events = Event.objects.filter(request_id=pk).count()

    # Invariants -------------------------------------------------------------------------

    @invariant()
    def the_lifecycle_holds(self) -> None:
        requests = {r.pk: r for r in CareRequest.objects.filter(pk__in=self.tracked)}
        events: dict[int, list[Event]] = {pk: [] for pk in self.tracked}
        for event in Event.objects.filter(request_id__in=self.tracked).order_by("at", "pk"):
            events[event.request_id].append(event)
        visits: dict[int, list[Visit]] = {pk: [] for pk in self.tracked}
        for visit in Visit.objects.all():  # the cast has none: all belong to this example
            visits[visit.request_id].append(visit)
        for pk, tracked in self.tracked.items():
            request = requests[pk]
            self._timeline_replays_to(request.status, events[pk])
            self._one_holder(request, tracked, visits[pk])
        if self.moved:
            self._hours_are_the_sum_of_visits([v for vs in visits.values() for v in vs])

    def _timeline_replays_to(self, status: str, events: list[Event]) -> None:
        """Every step is allowed by the table and starts where the one before it ended."""
        assert [(e.action, e.from_status, e.to_status) for e in events[:1]] == [
            ("create", "", Status.NEW)
        ]
        state: str = Status.NEW
        for event in events[1:]:
            assert event.from_status == state, events
            if event.action in KEEPS_STATUS:
                assert event.to_status == event.from_status, event
            else:
                sources, target = ALLOWED_TRANSITIONS[Action(event.action)]
                assert event.from_status in sources, event
                assert event.to_status == target, event
            state = event.to_status
        assert state == status, (events, status)

    def _one_holder(self, request: CareRequest, tracked: Tracked, visits: list[Visit]) -> None:
        """Someone holds what is taken, the volunteer we followed; one visit at a time."""
        if request.status in HOLDING:
            assert request.volunteer_id is not None or request.organisation_id is not None
        assert request.volunteer_id == tracked.volunteer_id, (request.status, tracked)
        running = [v for v in visits if v.checked_out_at is None]
        if request.status in (Status.SCHEDULED, Status.IN_PROGRESS):
            assert len(running) == 1, (request.status, running)
            assert running[0].volunteer_id == request.volunteer_id
            assert (running[0].checked_in_at is not None) == (request.status == Status.IN_PROGRESS)
        else:
            assert not running, (request.status, running)

    def _hours_are_the_sum_of_visits(self, visits: list[Visit]) -> None:
        volunteers = self.world.volunteers.values()
        hours = {v.pk: int(volunteer_hours(volunteer=v).total_seconds()) for v in volunteers}
        # Each volunteer's hours are what the test clocked between check-in and completion...
        assert hours == {v.pk: self.expected_hours[v.pk] for v in volunteers}
        # ...and all of them together are the sum of the visits done by a volunteer.
        total = datetime.timedelta()
        for visit in visits:
            if visit.volunteer_id is not None and visit.checked_out_at is not None:
                assert visit.checked_in_at is not None
                total += visit.checked_out_at - visit.checked_in_at
        assert sum(hours.values()) == int(total.total_seconds())


def test_random_actions_by_random_actors_keep_the_lifecycle_invariants(care_cast: Cast) -> None:
    world = World.build(care_cast)
    machine: Any = type("Lifecycle", (LifecycleMachine,), {"world": world})
    run_state_machine_as_test(machine, settings=SETTINGS)

    # Not vacuous: requests went through every state (every step of the way to "confirmed",
    # and "cancelled"). Which of the side steps (decline, reopen) succeeded varies by run.
    assert world.reached == set(Status.values) - {Status.NEW}, (world.reached, world.successes)
