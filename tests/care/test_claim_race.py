"""Two claims or assignments of one request at the same moment: exactly one wins.

Real threads, each with its own database connection, race against the real database (a file
for SQLite, so the threads queue on its write lock the way production does). The tests are
transactional so the threads see the committed rows; serialized_rollback restores the
reference data of the data migrations (regions, service types) that the flush removes.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

import pytest
from django.db import connection
from django.test import Client
from django.utils import timezone, translation

from ryadom.accounts.models import Role, User
from ryadom.accounts.services import role_assign
from ryadom.care.models import CareRequest, Channel, Event, Status
from ryadom.care.services.coordination import request_assign, request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.volunteer_work import request_claim
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ConflictError
from ryadom.volunteers.eligibility import REQUIRED_CHECKS
from ryadom.volunteers.models import Check, CheckStatus, Volunteer
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

ROUNDS = 5
THREADS = 8
ALREADY_TAKEN = "already taken"

R = TypeVar("R")
# A contender runs in its own thread: it prepares (reads what it needs on its own
# connection), then returns the call to make once every thread is at the barrier.
Contender = Callable[[], Callable[[], R]]


def _race(contenders: Sequence[Contender[R]]) -> list[R | BaseException]:
    """Run every contender in its own thread, all released at the same moment."""
    barrier = threading.Barrier(len(contenders))
    results: list[R | BaseException | None] = [None] * len(contenders)

    def run(index: int, contender: Contender[R]) -> None:
        try:
            # Translations are per thread: service messages in English, as in the other tests.
            with translation.override("en"):
                try:
                    go = contender()
                except BaseException:
                    barrier.abort()  # a thread failing before the barrier must not hang the rest
                    raise
                barrier.wait(timeout=30)
                results[index] = go()
        except BaseException as exc:  # handed to the main thread to assert on
            results[index] = exc
        finally:
            connection.close()  # this thread's own connection; Django opened it on first use

    threads = [
        threading.Thread(target=run, args=(i, c), name=f"contender-{i}")
        for i, c in enumerate(contenders)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a contender is still running"
    done: list[R | BaseException] = []
    for result in results:
        assert result is not None
        done.append(result)
    return done


def _eligible_volunteer(cast: Cast, n: int) -> Volunteer:
    """One more volunteer cleared to work in institution_a, as make_ready_for_care does."""
    user = f.UserFactory.create(username=f"racer{n}")
    role_assign(actor=None, user=user, role=Role.VOLUNTEER)
    volunteer = f.VolunteerFactory.create(user=user, region=cast.institution_a.region)
    f.MembershipFactory.create(volunteer=volunteer, organisation=cast.ngo_a)
    for kind in REQUIRED_CHECKS[cast.institution_a.access_level]:
        Check.objects.create(
            volunteer=volunteer,
            kind=kind,
            status=CheckStatus.PASSED,
            verified_by=cast.ngo_manager,
            verified_at=timezone.now(),
        )
    return volunteer


@pytest.fixture
def volunteers(care_cast: Cast) -> list[Volunteer]:
    """THREADS volunteers eligible for requests in institution_a: volunteer_a and more."""
    return [care_cast.volunteer_a] + [_eligible_volunteer(care_cast, n) for n in range(1, THREADS)]


def _triaged_request(cast: Cast) -> CareRequest:
    """A request asked by the ward liaison and triaged by the region's coordinator."""
    request = request_create(
        actor=cast.liaison,
        service_type=ServiceType.objects.get(code="leisure.reading"),
        institution=cast.institution_a,
        veteran=cast.veteran_a2,
        channel=Channel.WARD,
    )
    return request_triage(actor=cast.coord_a, request=request)


def _assert_taken_once(request: CareRequest, volunteer: Volunteer) -> None:
    request.refresh_from_db()
    assert request.status == Status.ASSIGNED
    assert request.volunteer_id == volunteer.pk
    takes = Event.objects.filter(request=request, action__in=["claim", "assign"])
    assert takes.count() == 1
    event = takes.get()
    assert (event.from_status, event.to_status) == (Status.TRIAGED, Status.ASSIGNED)


def _only_winner(results: Sequence[object], is_win: Callable[[object], bool]) -> int:
    """The index of the one winner; fails unless there is exactly one."""
    winners = [i for i, r in enumerate(results) if is_win(r)]
    assert len(winners) == 1, results
    return winners[0]


def _service_claim(request_id: int, user_id: int) -> Contender[CareRequest]:
    def prepare() -> Callable[[], CareRequest]:
        # Both read before the barrier: every contender saw the request open for claims.
        actor = User.objects.get(pk=user_id)
        request = CareRequest.objects.get(pk=request_id)
        assert request.status == Status.TRIAGED
        return lambda: request_claim(actor=actor, request=request)

    return prepare


def _service_assign(request_id: int, user_id: int, volunteer_id: int) -> Contender[CareRequest]:
    def prepare() -> Callable[[], CareRequest]:
        actor = User.objects.get(pk=user_id)
        request = CareRequest.objects.get(pk=request_id)
        volunteer = Volunteer.objects.get(pk=volunteer_id)
        assert request.status == Status.TRIAGED
        return lambda: request_assign(actor=actor, request=request, volunteer=volunteer)

    return prepare


Response = tuple[int, dict[str, Any]]


def _api_post(client: Client, path: str, body: dict[str, Any] | None = None) -> Contender[Response]:
    def prepare() -> Callable[[], Response]:
        def go() -> Response:
            response = client.post(
                path,
                body or {},
                content_type="application/json",
                headers={"Accept-Language": "en"},
            )
            return response.status_code, response.json()

        return go

    return prepare


def _logged_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _assert_already_taken_conflict(result: object) -> None:
    assert isinstance(result, tuple), result
    status, body = result
    assert status == 409, body
    assert ALREADY_TAKEN in str(body["detail"]).lower(), body


def test_of_eight_volunteers_claiming_at_once_through_the_service_exactly_one_wins(
    care_cast: Cast, volunteers: list[Volunteer]
) -> None:
    for _round in range(ROUNDS):
        request = _triaged_request(care_cast)
        results = _race([_service_claim(request.pk, v.user_id) for v in volunteers])

        winner = _only_winner(results, lambda r: isinstance(r, CareRequest))
        for i, result in enumerate(results):
            if i != winner:
                assert isinstance(result, ConflictError), result
                assert ALREADY_TAKEN in result.message.lower()
        _assert_taken_once(request, volunteers[winner])


def test_of_eight_volunteers_claiming_at_once_over_the_api_one_gets_200_the_rest_409(
    care_cast: Cast, volunteers: list[Volunteer]
) -> None:
    clients = [_logged_in(v.user) for v in volunteers]
    for _round in range(ROUNDS):
        request = _triaged_request(care_cast)
        path = f"/api/v1/requests/{request.pk}/claim"
        results = _race([_api_post(client, path) for client in clients])

        statuses = sorted(r[0] if isinstance(r, tuple) else repr(r) for r in results)
        assert statuses == [200] + [409] * (THREADS - 1), results
        winner = _only_winner(results, lambda r: isinstance(r, tuple) and r[0] == 200)
        won = results[winner]
        assert isinstance(won, tuple)
        assert won[1]["status"] == Status.ASSIGNED
        for i, result in enumerate(results):
            if i != winner:
                _assert_already_taken_conflict(result)
        _assert_taken_once(request, volunteers[winner])


def test_two_coordinators_assigning_different_volunteers_at_once_exactly_one_wins(
    care_cast: Cast, volunteers: list[Volunteer]
) -> None:
    # The regional and the federal coordinator, each in two browser tabs, each tab assigning
    # another volunteer.
    coordinators = [care_cast.coord_a, care_cast.federal] * 2
    chosen = volunteers[: len(coordinators)]
    clients = [_logged_in(user) for user in coordinators]
    for _round in range(ROUNDS):
        request = _triaged_request(care_cast)
        path = f"/api/v1/requests/{request.pk}/assign"
        results = _race(
            [
                _api_post(client, path, {"volunteer": volunteer.pk})
                for client, volunteer in zip(clients, chosen, strict=True)
            ]
        )

        winner = _only_winner(results, lambda r: isinstance(r, tuple) and r[0] == 200)
        for i, result in enumerate(results):
            if i != winner:
                _assert_already_taken_conflict(result)
        _assert_taken_once(request, chosen[winner])
        event = Event.objects.get(request=request, action="assign")
        assert event.actor_id == coordinators[winner].pk


def test_two_coordinators_assigning_at_once_through_the_service_exactly_one_wins(
    care_cast: Cast, volunteers: list[Volunteer]
) -> None:
    coordinators = [care_cast.coord_a, care_cast.federal]
    chosen = volunteers[:2]
    for _round in range(ROUNDS):
        request = _triaged_request(care_cast)
        results = _race(
            [
                _service_assign(request.pk, user.pk, volunteer.pk)
                for user, volunteer in zip(coordinators, chosen, strict=True)
            ]
        )

        winner = _only_winner(results, lambda r: isinstance(r, CareRequest))
        loser = results[1 - winner]
        assert isinstance(loser, ConflictError), loser
        assert ALREADY_TAKEN in loser.message.lower()
        _assert_taken_once(request, chosen[winner])


def test_a_claim_and_an_assignment_at_the_same_moment_leave_one_volunteer(
    care_cast: Cast, volunteers: list[Volunteer]
) -> None:
    # Three volunteers claim while the coordinator assigns a fourth.
    claimers, assigned = volunteers[:3], volunteers[3]
    for _round in range(ROUNDS):
        request = _triaged_request(care_cast)
        contenders: list[Contender[CareRequest]] = [
            _service_claim(request.pk, v.user_id) for v in claimers
        ]
        contenders.append(_service_assign(request.pk, care_cast.coord_a.pk, assigned.pk))
        results = _race(contenders)

        winner = _only_winner(results, lambda r: isinstance(r, CareRequest))
        for i, result in enumerate(results):
            if i != winner:
                assert isinstance(result, ConflictError), result
                assert ALREADY_TAKEN in result.message.lower()
        _assert_taken_once(request, (claimers + [assigned])[winner])


def test_a_volunteer_claiming_a_moment_after_another_gets_409_already_taken(
    care_cast: Cast, volunteers: list[Volunteer], client: Client
) -> None:
    """The slow end of every race: the winner has committed before the loser's request is read."""
    request = _triaged_request(care_cast)
    first, second = volunteers[:2]
    client.force_login(first.user)
    assert (
        client.post(
            f"/api/v1/requests/{request.pk}/claim", content_type="application/json"
        ).status_code
        == 200
    )

    client.force_login(second.user)
    response = client.post(
        f"/api/v1/requests/{request.pk}/claim",
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )

    _assert_already_taken_conflict((response.status_code, response.json()))
    _assert_taken_once(request, first)


def test_a_volunteer_claiming_a_request_not_yet_open_gets_the_same_404_as_for_any_unseen_one(
    care_cast: Cast, volunteers: list[Volunteer], client: Client
) -> None:
    """Before triage a request is not shown to volunteers: claiming it must not reveal it."""
    request = request_create(
        actor=care_cast.liaison,
        service_type=ServiceType.objects.get(code="leisure.reading"),
        institution=care_cast.institution_a,
        veteran=care_cast.veteran_a2,
        channel=Channel.WARD,
    )
    client.force_login(volunteers[1].user)
    assert client.get(f"/api/v1/requests/{request.pk}").status_code == 404

    response = client.post(
        f"/api/v1/requests/{request.pk}/claim",
        content_type="application/json",
        headers={"Accept-Language": "en"},
    )

    assert (response.status_code, response.json()["detail"]) == (404, "Not found.")
    request.refresh_from_db()
    assert (request.status, request.volunteer_id) == (Status.NEW, None)
