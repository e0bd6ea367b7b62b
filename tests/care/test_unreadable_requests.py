"""Acting on a request one may not read answers exactly as reading it: the same 404.

Each role's readable set is derived here from the rows themselves (its rules written out plainly
over requests, role assignments, proxies and volunteers), and reads, lists and every action, over
the API and on the pages, must agree with it, whatever the request's status or history. The one
way in is a claim: a volunteer who saw a request open near them and finds another volunteer took
it since hears "already taken" (409); that is derived here from the timeline, too.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

import pytest
from django.db import transaction
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import Role, RoleAssignment, User
from ryadom.accounts.services import role_assign
from ryadom.care.lifecycle import Action
from ryadom.care.models import CareRequest, Channel, Event, Status
from ryadom.care.services.coordination import request_assign, request_cancel, request_triage
from ryadom.care.services.intake import request_create
from ryadom.care.services.volunteer_work import (
    request_check_in,
    request_claim,
    request_complete,
    request_schedule,
)
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ConflictError
from ryadom.institutions.models import Institution
from ryadom.organisations.models import Organisation
from ryadom.veterans.models import Consent, ConsentPurpose, Proxy, Veteran
from ryadom.veterans.stays import stay_transfer
from ryadom.volunteers.eligibility import REQUIRED_CHECKS
from ryadom.volunteers.models import Check, CheckStatus, Volunteer
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

ACTORS = [
    "federal",
    "observer",
    "coord_a",
    "coord_b",
    "liaison",
    "ngo_manager",
    "volunteer_user",
    "veteran_user",
    "relative",
    "stranger",
]
TAKEN = {Status.ASSIGNED, Status.SCHEDULED, Status.IN_PROGRESS}
MISSING_ID = 10**9


# --- the world: requests with every history that matters, made through the services --------


def _create(actor: User, institution: Institution, veteran: Veteran | None) -> CareRequest:
    return request_create(
        actor=actor,
        service_type=ServiceType.objects.get(code="leisure.reading"),
        institution=institution,
        veteran=veteran,
        channel=Channel.WARD,
    )


def _patient(c: Cast, institution: Institution) -> Veteran:
    """A veteran of their own, so a transfer moves only the request made for it."""
    veteran = f.VeteranFactory(home_region=institution.region)
    f.StayFactory(veteran=veteran, institution=institution)
    Consent.objects.create(
        veteran=veteran,
        purpose=ConsentPurpose.CARE,
        recorded_by=c.federal,
        given_at=timezone.now(),
    )
    return veteran


def _cleared_volunteer(c: Cast) -> Volunteer:
    """Another volunteer of region A, cleared to work in institution A with NGO A."""
    user = f.UserFactory(username="other_volunteer")
    role_assign(actor=None, user=user, role=Role.VOLUNTEER)
    volunteer = f.VolunteerFactory(user=user, region=c.institution_a.region)
    f.MembershipFactory(volunteer=volunteer, organisation=c.ngo_a)
    for kind in REQUIRED_CHECKS[c.institution_a.access_level]:
        Check.objects.create(
            volunteer=volunteer,
            kind=kind,
            status=CheckStatus.PASSED,
            verified_by=c.ngo_manager,
            verified_at=timezone.now(),
        )
    return volunteer


def _world(c: Cast) -> dict[str, CareRequest]:
    other = _cleared_volunteer(c)
    user = other.user

    def triaged(veteran: Veteran | None = c.veteran_a2) -> CareRequest:
        return request_triage(actor=c.coord_a, request=_create(c.liaison, c.institution_a, veteran))

    w: dict[str, CareRequest] = {}
    w["new"] = _create(c.liaison, c.institution_a, c.veteran_a)
    w["cancelled_while_new"] = request_cancel(
        actor=c.coord_a, request=_create(c.veteran_user, c.institution_a, c.veteran_a)
    )
    w["ngo_straight_from_new"] = request_assign(
        actor=c.coord_a,
        request=_create(c.liaison, c.institution_a, c.veteran_a),
        organisation=c.ngo_a,
    )
    w["volunteer_straight_from_new"] = request_assign(
        actor=c.coord_a, request=_create(c.liaison, c.institution_a, None), volunteer=other
    )
    w["triaged"] = triaged()
    w["taken_by_another"] = request_claim(actor=user, request=triaged())
    w["taken_by_me"] = request_claim(actor=c.volunteer_user, request=triaged())
    w["ngo_from_queue"] = request_assign(actor=c.coord_a, request=triaged(), organisation=c.ngo_a)
    w["cancelled_while_open"] = request_cancel(actor=c.coord_a, request=triaged())
    done = request_claim(actor=user, request=triaged())
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    starts = datetime.datetime.combine(
        tomorrow, datetime.time(15), tzinfo=c.institution_a.region.zone
    )
    request_schedule(
        actor=user, request=done, starts=starts, ends=starts + datetime.timedelta(hours=1)
    )
    request_check_in(actor=user, request=done)
    w["done_by_another"] = request_complete(actor=user, request=done)
    # Transfers: a request taken in A whose veteran moves to B goes back to B's queue; one
    # still new in B whose veteran moves to A stays new (never triaged) in A.
    leaving = _patient(c, c.institution_a)
    w["moved_out_after_taken"] = request_claim(actor=user, request=triaged(leaving))
    arriving = _patient(c, c.institution_b)
    w["moved_in_while_new"] = _create(c.coord_b, c.institution_b, arriving)
    w["b_triaged"] = request_triage(
        actor=c.coord_b, request=_create(c.coord_b, c.institution_b, c.veteran_b)
    )
    w["b_new"] = _create(c.coord_b, c.institution_b, None)
    stay_transfer(
        actor=c.coord_a, veteran=leaving, institution=c.institution_b, on=timezone.localdate()
    )
    stay_transfer(
        actor=c.coord_b, veteran=arriving, institution=c.institution_a, on=timezone.localdate()
    )
    for request in w.values():
        request.refresh_from_db()
    assert w["moved_out_after_taken"].status == Status.TRIAGED
    assert w["moved_out_after_taken"].region_id == c.institution_b.region_id
    assert w["moved_in_while_new"].status == Status.NEW
    assert w["moved_in_while_new"].region_id == c.institution_a.region_id
    return w


# --- the oracle: each role's rules, written out over the rows --------------------------------


@dataclass
class Reach:
    readable: set[int]
    claimable: set[int]  # readable, plus what a volunteer saw open and another volunteer took


def _taken_from_the_queue(request: CareRequest) -> bool:
    """The newest move into "assigned" came from "triaged": it was open when it was taken."""
    into_assigned = [
        e for e in request.events.order_by("at", "pk") if e.to_status == Status.ASSIGNED
    ]
    return bool(into_assigned) and into_assigned[-1].from_status == Status.TRIAGED


def _reach(user: User) -> Reach:
    assignments = list(RoleAssignment.objects.filter(user=user))
    roles = {a.role for a in assignments}

    def scoped(role: str) -> set[int | None]:
        return {a.scope_id for a in assignments if a.role == role}

    organisations = scoped(Role.NGO_MANAGER)
    served = set(
        Organisation.regions.through.objects.filter(organisation_id__in=organisations).values_list(
            "region_id", flat=True
        )
    )
    volunteer = Volunteer.objects.filter(user=user).first() if Role.VOLUNTEER in roles else None
    acts_for = set(
        Proxy.objects.filter(user=user, may_act=True).values_list("veteran_id", flat=True)
    )
    readable, claimable = set(), set()
    for r in CareRequest.objects.select_related("veteran"):
        in_volunteers_region = volunteer is not None and r.region_id == volunteer.region_id
        if (
            Role.FEDERAL_COORDINATOR in roles
            or r.requested_by_id == user.pk
            or r.region_id in scoped(Role.REGIONAL_COORDINATOR)
            or r.institution_id in scoped(Role.INSTITUTION_LIAISON)
            or r.organisation_id in organisations
            or (r.status == Status.TRIAGED and r.region_id in served)
            or (volunteer is not None and r.volunteer_id == volunteer.pk)
            or (in_volunteers_region and r.status == Status.TRIAGED)
            or (Role.VETERAN in roles and r.veteran is not None and r.veteran.user_id == user.pk)
            or (Role.RELATIVE in roles and r.veteran_id in acts_for)
        ):
            readable.add(r.pk)
        elif (
            in_volunteers_region
            and r.status in TAKEN
            and r.volunteer_id is not None
            and _taken_from_the_queue(r)
        ):
            claimable.add(r.pk)
    return Reach(readable=readable, claimable=readable | claimable)


# --- the calls ----------------------------------------------------------------------------


def _undone(call: Any) -> HttpResponse:
    """Make the call, then roll back whatever it changed: every call meets the same world."""
    with transaction.atomic():
        response: HttpResponse = call()
        transaction.set_rollback(True)
    return response


def _api_actions(client: Client, pk: int) -> dict[str, HttpResponse]:
    calls = {
        str(action): lambda a=action: client.post(
            f"/api/v1/requests/{pk}/{a}", {}, content_type="application/json"
        )
        # A transfer is the system's own: the API does not offer it (its enum refuses it).
        for action in Action
        if action != Action.TRANSFER
    }
    calls["feedback"] = lambda: client.post(
        f"/api/v1/requests/{pk}/feedback",
        {"done": True, "respectful": True},
        content_type="application/json",
    )
    return {name: _undone(call) for name, call in calls.items()}


def _page_actions(
    client: Client, pk: int, names: list[str] | None = None
) -> dict[str, HttpResponse]:
    names = names or [str(a) for a in Action] + ["feedback"]
    return {
        name: _undone(lambda n=name: client.post(f"/requests/{pk}/{n}/", {"reason": "-"}))
        for name in names
    }


def _detail(response: HttpResponse) -> str:
    return str(response.json().get("detail", ""))


@pytest.mark.parametrize("actor", ACTORS)
def test_reads_lists_and_every_action_agree_with_what_the_role_may_read(
    actor: str, care_cast: Cast, client: Client
) -> None:
    world = _world(care_cast)
    user: User = getattr(care_cast, actor)
    reach = _reach(user)
    client.force_login(user)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"  # messages are asserted in English
    name_of = {r.pk: name for name, r in world.items()}

    listed = {item["id"] for item in client.get("/api/v1/requests?limit=200").json()["items"]}
    assert {name_of[pk] for pk in listed} == {name_of[pk] for pk in reach.readable}

    api_missing = client.get(f"/api/v1/requests/{MISSING_ID}")
    page_missing = client.get(f"/requests/{MISSING_ID}/")
    assert (api_missing.status_code, page_missing.status_code) == (404, 404)
    # A request that does not exist is the yardstick: the same answer to every action on it.
    for response in [*_api_actions(client, MISSING_ID).values()]:
        assert (response.status_code, response.json()) == (404, api_missing.json())
    for response in _page_actions(client, MISSING_ID).values():
        assert (response.status_code, response.content) == (404, page_missing.content)

    for name, request in world.items():
        pk = request.pk
        read = client.get(f"/api/v1/requests/{pk}")
        page = client.get(f"/requests/{pk}/")
        api = _api_actions(client, pk)
        if pk not in reach.readable:
            pages = _page_actions(client, pk)
            assert (read.status_code, read.json()) == (404, api_missing.json()), name
            assert (page.status_code, page.content) == (404, page_missing.content), name
            for action, response in api.items():
                if action == Action.CLAIM and pk in reach.claimable:
                    assert response.status_code == 409, (name, response.content)
                    assert "already taken" in _detail(response).lower(), name
                    continue
                assert (response.status_code, response.json()) == (404, api_missing.json()), (
                    name,
                    action,
                )
            for action, response in pages.items():
                if action == Action.CLAIM and pk in reach.claimable:
                    # "Already taken" goes to the list of requests near them.
                    assert response.status_code == 302, (name, response.content)
                    assert response["Location"] == "/volunteer/", name
                    continue
                assert (response.status_code, response.content) == (404, page_missing.content), (
                    name,
                    action,
                )
        else:
            assert (read.status_code, page.status_code) == (200, 200), name
            # Page actions share the API's lookup; the claim is the one that reaches further.
            pages = _page_actions(client, pk, [Action.CLAIM, Action.CANCEL, "feedback"])
            for action, response in [*api.items(), *pages.items()]:
                assert response.status_code != 404, (name, action, response.content)
        # "Already taken" is said only of a request a volunteer has.
        for action, response in api.items():
            if response.status_code == 409 and "already taken" in _detail(response).lower():
                assert request.status in TAKEN and request.volunteer_id is not None, (name, action)


def test_the_world_holds_the_histories_of_the_issue(care_cast: Cast) -> None:
    """Cancelled while new, given straight to an NGO, moved while new: never triaged."""
    world = _world(care_cast)
    events = {
        name: list(
            Event.objects.filter(request=r).order_by("at", "pk").values_list("action", flat=True)
        )
        for name, r in world.items()
    }
    assert events["cancelled_while_new"] == ["create", "cancel"]
    assert events["ngo_straight_from_new"] == ["create", "assign"]
    assert events["moved_in_while_new"] == ["create", "move"]
    reach = _reach(care_cast.volunteer_user)
    assert reach.claimable - reach.readable == {world["taken_by_another"].pk}


# --- what a refusal says -------------------------------------------------------------------


def _triaged(c: Cast) -> CareRequest:
    return request_triage(
        actor=c.coord_a, request=_create(c.liaison, c.institution_a, c.veteran_a2)
    )


def test_claiming_a_request_given_to_an_ngo_does_not_say_a_volunteer_took_it(
    care_cast: Cast,
) -> None:
    c = care_cast
    request = request_assign(actor=c.coord_a, request=_triaged(c), organisation=c.ngo_a)
    # The liaison, who may read it, is also a volunteer here.
    role_assign(actor=None, user=c.liaison, role=Role.VOLUNTEER)
    f.VolunteerFactory(user=c.liaison, region=c.institution_a.region)
    liaison = User.objects.get(pk=c.liaison.pk)  # its roles are read afresh, as per request
    with pytest.raises(ConflictError) as refused:
        request_claim(actor=liaison, request=request)
    assert refused.value.message == "This request has already been given to an NGO."


def test_claiming_ones_own_request_again_says_so(care_cast: Cast) -> None:
    c = care_cast
    request = request_claim(actor=c.volunteer_user, request=_triaged(c))
    with pytest.raises(ConflictError) as refused:
        request_claim(actor=c.volunteer_user, request=request)
    assert refused.value.message == "You have already taken this request."


def test_a_claim_losing_to_a_cancellation_is_not_told_it_was_taken(care_cast: Cast) -> None:
    c = care_cast
    request = _triaged(c)
    seen = CareRequest.objects.get(pk=request.pk)  # what the volunteer read a moment before
    request_cancel(actor=c.coord_a, request=request)
    with pytest.raises(ConflictError) as refused:
        request_claim(actor=c.volunteer_user, request=seen)
    assert refused.value.message == (
        "Someone else changed this request a moment ago. Reload and try again."
    )


def test_a_claim_losing_to_an_ngo_assignment_is_told_only_that_it_changed(
    care_cast: Cast,
) -> None:
    """The volunteer may no longer see it; what became of it is not theirs to hear."""
    c = care_cast
    request = _triaged(c)
    seen = CareRequest.objects.get(pk=request.pk)
    request_assign(actor=c.coord_a, request=request, organisation=c.ngo_a)
    with pytest.raises(ConflictError) as refused:
        request_claim(actor=c.volunteer_user, request=seen)
    assert refused.value.message == (
        "Someone else changed this request a moment ago. Reload and try again."
    )


def test_a_claim_losing_to_another_volunteer_hears_already_taken(care_cast: Cast) -> None:
    c = care_cast
    request = _triaged(c)
    seen = CareRequest.objects.get(pk=request.pk)
    request_claim(actor=_cleared_volunteer(c).user, request=request)
    with pytest.raises(ConflictError) as refused:
        request_claim(actor=c.volunteer_user, request=seen)
    assert refused.value.message == "Already taken: another volunteer has just taken this request."


def test_who_may_only_read_a_request_cannot_assign_or_schedule_it_and_learns_nothing_more(
    care_cast: Cast, client: Client
) -> None:
    """The liaison sees the ward's requests: assigning an uncleared volunteer, or planning
    beyond a volunteer's hour limit, is refused as not theirs to do (403), before any check
    that would tell them about the volunteer."""
    c = care_cast
    open_request = _triaged(c)
    taken = request_claim(actor=c.volunteer_user, request=_triaged(c))
    client.force_login(c.liaison)
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    expected = (403, "You may not do this with this request.")

    assign = client.post(
        f"/api/v1/requests/{open_request.pk}/assign",
        {"volunteer": c.volunteer_b.pk},  # of Rostov, not cleared for Moscow's hospital
        content_type="application/json",
    )
    assert (assign.status_code, assign.json()["detail"]) == expected
    schedule = client.post(
        f"/api/v1/requests/{taken.pk}/schedule",
        {"starts": "2020-01-01T10:00:00+03:00", "ends": "2020-01-01T11:00:00+03:00"},
        content_type="application/json",
    )
    assert (schedule.status_code, schedule.json()["detail"]) == expected


def test_a_volunteer_claiming_from_the_page_after_another_took_it_hears_it_on_their_list(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    request = _triaged(c)
    request_claim(actor=_cleared_volunteer(c).user, request=request)
    client.force_login(c.volunteer_user)
    client.cookies["django_language"] = "en"

    response = client.post(f"/requests/{request.pk}/claim/", follow=True)

    assert response.redirect_chain == [("/volunteer/", 302)]
    assert "Already taken: another volunteer has just taken this request." in (
        response.content.decode()
    )
