from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Model, Q, Sum
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from ryadom.accounts.models import Role, RoleAssignment, User
from ryadom.analytics.models import RegionWeekTotal
from ryadom.care.lifecycle import ALLOWED_TRANSITIONS, DONE_STATES, Action
from ryadom.care.models import CareRequest, Complaint, Event, Feedback, Status, Visit
from ryadom.core.geo_fields import in_russia
from ryadom.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from ryadom.geo.models import Region
from ryadom.institutions.models import Agency, Institution, VisitingHours
from ryadom.openings.models import Application, Opening
from ryadom.organisations.models import Agreement, Organisation, OrganisationStatus
from ryadom.veterans.models import Consent, Proxy, Stay, Veteran
from ryadom.volunteers.models import Availability, Check, Membership, Volunteer
from tests.demo.small import NOW, SMALL, TODAY, make_small

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = [
    "federal", "observer", "coord-moscow", "coord-rostov", "liaison", "ngo",
    "volunteer", "veteran", "relative",
]  # fmt: skip


# What is compared between runs: every generated table by natural keys, since ids and
# "now" timestamps (audit rows, auto_now_add on hand-made rows) differ from run to run.
FINGERPRINT: dict[str, tuple[type[Model], str]] = {
    "institutions": (
        Institution,
        "name kind agency__code region__code settlement__name_ru address access_level "
        "volunteer_rules contact_name contact_phone contact_email lat lon",
    ),
    "departments": (Institution, "address departments__name"),
    "hours": (VisitingHours, "institution__address weekday starts ends"),
    "organisations": (
        Organisation,
        "inn ogrn name kind home_region__code weekly_capacity phone email website",
    ),
    "served": (Organisation, "inn regions__code service_types__code"),
    "statuses": (OrganisationStatus, "organisation__inn kind valid_from valid_to"),
    "agreements": (
        Agreement,
        "organisation__inn institution__address valid_from valid_to number",
    ),
    "users": (User, "username first_name last_name email phone date_joined"),
    "roles": (RoleAssignment, "user__username role scope_kind"),
    "volunteers": (
        Volunteer,
        "user__username region__code settlement__name_ru gender birth_year languages "
        "travel_radius_km weekly_task_cap is_veteran is_veteran_relative lat lon created_at",
    ),
    "skills": (Volunteer, "user__username skills__code interests__code"),
    "availability": (Availability, "volunteer__user__username weekday starts ends"),
    "memberships": (
        Membership,
        "volunteer__user__username organisation__inn status requested_at decided_at",
    ),
    "veterans": (
        Veteran,
        "addressed_as user__username gender home_region__code contact_route phone "
        "what_matters communication_needs mobility_needs preferred_helper_gender created_at",
    ),
    "stays": (
        Stay,
        "veteran__addressed_as institution__address department__name admitted_on "
        "discharged_on transferred_from__admitted_on",
    ),
    "proxies": (Proxy, "veteran__addressed_as user__username relation may_act created_at"),
    "consents": (
        Consent,
        "veteran__addressed_as purpose given_by__username recorded_by__username given_at "
        "withdrawn_at",
    ),
    "requests": (
        CareRequest,
        "created_at institution__address department__name veteran__addressed_as "
        "service_type__code details urgency channel requested_by__username requester_name "
        "status organisation__inn volunteer__user__username deadline escalation_level "
        "updated_at",
    ),
    "events": (
        Event,
        "request__created_at request__institution__address at actor__username action "
        "from_status to_status note",
    ),
    "visits": (
        Visit,
        "request__created_at volunteer__user__username starts ends checked_in_at "
        "checked_out_at outcome",
    ),
    "feedback": (
        Feedback,
        "request__created_at given_by__username at done rating respectful comment",
    ),
    "complaints": (Complaint, "request__created_at opened_at answer answered_at upheld"),
    "checks": (
        Check,
        "volunteer__user__username kind status valid_until detail verified_by__username",
    ),
    "openings": (
        Opening,
        "title institution__address organisation__inn posted_by__username recurrence starts_on "
        "ends_on start_time end_time needed",
    ),
    "applications": (
        Application,
        "opening__title opening__institution__address volunteer__user__username status",
    ),
}


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    return {
        key: sorted(model._default_manager.values_list(*fields.split()), key=repr)
        for key, (model, fields) in FINGERPRINT.items()
    }


def test_small_scale_makes_four_regions_of_coherent_data() -> None:
    make_small()

    institutions = Institution.objects.all()
    assert set(institutions.values_list("region__code", flat=True)) == {"77", "50", "61", "46"}
    assert institutions.count() == 13
    assert institutions.filter(
        kind="military_hospital", agency__code="mod", access_level="screening"
    ).exists()
    civilian = institutions.filter(kind="civilian_hospital")
    assert set(civilian.values_list("agency__code", flat=True)) <= {"regional_health", "minzdrav"}
    assert set(civilian.values_list("access_level", flat=True)) == {"pass"}
    assert institutions.filter(kind="rehabilitation", access_level="open").exists()
    assert institutions.filter(kind="sanatorium").exists()
    assert institutions.filter(kind="hospice").exists()
    wards = institutions.annotate(n=Count("departments")).values_list("n", flat=True)
    assert all(3 <= n <= 6 for n in wards)
    assert not institutions.filter(visiting_hours__isnull=True).exists()
    assert not institutions.filter(agreements__isnull=True).exists()

    assert Organisation.objects.count() == 10
    assert OrganisationStatus.objects.filter(kind="useful_services").exists()
    assert Agreement.objects.filter(valid_to__lt=TODAY).count() == 1
    assert Volunteer.objects.count() == SMALL.volunteers
    pending = Membership.objects.filter(status="pending").count()
    assert Membership.objects.filter(status="approved").count() > pending > 0
    assert Availability.objects.count() >= SMALL.volunteers
    assert Veteran.objects.count() == 60
    assert Proxy.objects.exists()
    assert not Veteran.objects.filter(consents__isnull=True).exists()


def test_every_demo_account_exists_with_its_role_and_the_demo_password() -> None:
    make_small()
    ensure_demo_accounts(today=TODAY)

    def scope(username: str, role: str) -> int | None:
        return RoleAssignment.objects.get(user__username=username, role=role).scope_id

    federal = User.objects.get(username="federal")
    assert federal.is_staff and federal.is_superuser
    demo_users = User.objects.filter(username__in=DEMO_USERNAMES)
    assert len(demo_users) == 9
    assert all(u.check_password(DEMO_PASSWORD) for u in demo_users)
    assert scope("federal", Role.FEDERAL_COORDINATOR) is None
    assert scope("observer", Role.AGENCY_OBSERVER) == Agency.objects.get(code="mod").pk
    assert scope("coord-moscow", Role.REGIONAL_COORDINATOR) == Region.objects.get(code="77").pk
    assert scope("coord-rostov", Role.REGIONAL_COORDINATOR) == Region.objects.get(code="61").pk

    hospital = Institution.objects.get(pk=scope("liaison", Role.INSTITUTION_LIAISON))
    assert hospital.region.code == "77"
    ngo = Organisation.objects.get(pk=scope("ngo", Role.NGO_MANAGER))
    assert ngo.regions.filter(code="77").exists()
    valid_now = Q(valid_to__isnull=True) | Q(valid_to__gte=TODAY)
    assert ngo.agreements.filter(valid_now, institution=hospital, valid_from__lte=TODAY).exists()

    volunteer = Volunteer.objects.get(user__username="volunteer")
    assert volunteer.region.code == "77"
    assert volunteer.memberships.get(organisation=ngo).status == "approved"
    veteran = Veteran.objects.get(user__username="veteran")
    assert veteran.stays.get(discharged_on__isnull=True).institution == hospital
    proxy = Proxy.objects.get(user__username="relative")
    assert proxy.veteran == veteran and proxy.may_act
    assert veteran.consents.filter(purpose="proxy", withdrawn_at__isnull=True).exists()
    for role in ["volunteer", "veteran", "relative"]:
        assert scope(role, role) is None  # the username is the role's name


def test_demo_accounts_can_be_ensured_twice_without_duplicates() -> None:
    make_small()
    ensure_demo_accounts(today=TODAY)
    before = fingerprint()
    ensure_demo_accounts(today=TODAY)
    after = fingerprint()
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}


def test_demo_accounts_on_an_empty_database_create_the_minimum_they_need() -> None:
    accounts = ensure_demo_accounts(today=TODAY)

    assert len(accounts) == 9
    assert Institution.objects.filter(region__code="77").count() == 1
    assert Veteran.objects.get(user__username="veteran").stays.count() == 1


def test_the_same_seed_gives_the_same_data() -> None:
    with transaction.atomic():
        make_small()
        first = fingerprint()
        transaction.set_rollback(True)  # back to the empty database, as after a flush
    assert not Institution.objects.exists()

    make_small()

    assert sum(len(v) for v in first.values()) > 2000
    assert fingerprint() == first


def test_another_seed_gives_other_people() -> None:
    with transaction.atomic():
        make_small(seed=1)
        one = fingerprint()
        transaction.set_rollback(True)
    make_small(seed=2)
    two = fingerprint()
    assert one["users"] != two["users"]
    assert one["organisations"] != two["organisations"]


def test_every_inn_and_ogrn_has_valid_check_digits() -> None:
    make_small()
    for inn, ogrn in Organisation.objects.values_list("inn", "ogrn"):
        assert len(inn) == 10 and stdnum_inn.is_valid(inn), inn
        assert len(ogrn) == 13 and stdnum_ogrn.is_valid(ogrn), ogrn


def test_every_institution_and_volunteer_is_placed_inside_russia() -> None:
    make_small()
    points = [*Institution.objects.values_list("lat", "lon")]
    points += Volunteer.objects.values_list("lat", "lon")
    assert len(points) == 13 + SMALL.volunteers
    assert all(lat is not None and lon is not None and in_russia(lat, lon) for lat, lon in points)


def test_each_veteran_has_one_current_stay_and_no_stays_overlap() -> None:
    make_small()
    current = Veteran.objects.annotate(
        n=Count("stays", filter=Q(stays__discharged_on__isnull=True))
    ).values_list("n", flat=True)
    assert set(current) == {1}
    for stay in Stay.objects.all():
        assert not stay.overlapping_stays().exists(), stay
        if stay.department_id:
            assert stay.department.institution_id == stay.institution_id
    transfers = Stay.objects.filter(transferred_from__isnull=False).select_related(
        "transferred_from"
    )
    assert transfers.exists()
    for stay in transfers:
        assert stay.transferred_from.discharged_on == stay.admitted_on


def test_command_reports_counts_and_if_empty_leaves_existing_data_alone() -> None:
    out = io.StringIO()
    call_command("demo_data", "--scale", "small", stdout=out)
    assert "volunteers_volunteer" in out.getvalue() and "total" in out.getvalue()
    before = fingerprint()

    again = io.StringIO()
    call_command("demo_data", "--scale", "small", "--if-empty", stdout=again)

    assert "nothing generated" in again.getvalue()
    assert fingerprint() == before
    with pytest.raises(CommandError, match="institutions already"):
        call_command("demo_data", "--scale", "small", stdout=io.StringIO())


def test_demo_accounts_command_prints_every_account_with_the_password() -> None:
    make_small()
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    for username in DEMO_USERNAMES:
        assert f"\n{username} " in text
    assert DEMO_PASSWORD in text


TAKING = {"assign", "claim"}


def test_small_scale_has_13_weeks_of_requests_in_every_state() -> None:
    make_small()

    requests = CareRequest.objects.all()
    assert requests.count() == SMALL.requests
    oldest = requests.order_by("created_at").first()
    assert oldest is not None and oldest.created_at.date() < TODAY - datetime.timedelta(weeks=11)
    assert not requests.filter(created_at__gte=NOW).exists()
    statuses = set(requests.values_list("status", flat=True))
    assert {"new", "triaged", "scheduled", "completed", "confirmed", "cancelled"} <= statuses
    confirmed = requests.filter(status=Status.CONFIRMED).count()
    assert confirmed > requests.count() / 2
    assert 0.05 < requests.filter(veteran__isnull=True).count() / requests.count() < 0.4
    assert set(requests.values_list("channel", flat=True)) == {"web", "ward", "phone", "telegram"}
    overdue = requests.exclude(status__in=DONE_STATES).filter(escalation_level__gte=1)
    assert overdue.exists() and not overdue.filter(deadline__gte=NOW).exists()
    assert (
        not requests.exclude(status__in=DONE_STATES)
        .filter(escalation_level=0, deadline__lt=NOW)
        .exists()
    )
    for request in requests.filter(veteran__isnull=False).select_related("veteran"):
        stay = request.veteran.stays.get(discharged_on__isnull=True)
        assert (stay.institution_id, stay.department_id) == (
            request.institution_id,
            request.department_id,
        )
        assert request.created_at.date() >= stay.admitted_on
        assert request.region_id == request.institution.region_id
    feedback = Feedback.objects.all()
    assert feedback.count() == confirmed
    assert 0.8 < feedback.filter(respectful=True).count() / confirmed < 0.97
    assert Complaint.objects.count() == feedback.filter(respectful=False).count()
    assert Complaint.objects.filter(answered_at__isnull=False, upheld__isnull=False).exists()


def test_every_timeline_follows_the_transition_table_and_ends_in_the_status() -> None:
    make_small()
    transitions = {str(a): sources for a, (sources, _target) in ALLOWED_TRANSITIONS.items()}
    events: dict[int, list[Event]] = {}
    for event in Event.objects.order_by("at", "id"):
        events.setdefault(event.request_id, []).append(event)
    visits = {v.request_id: v for v in Visit.objects.all()}
    for request in CareRequest.objects.all():
        timeline = events[request.pk]
        assert timeline[0].action == "create" and timeline[0].at == request.created_at
        for before, after in zip(timeline, timeline[1:], strict=False):
            assert after.from_status == before.to_status, (request.pk, after.action)
            assert after.action == "escalate" or after.from_status in transitions[after.action]
            assert before.at <= after.at <= NOW
        assert timeline[-1].to_status == request.status
        assert request.escalation_level == sum(e.action == "escalate" for e in timeline)
        taken = any(e.action in TAKING for e in timeline)
        assert taken == (request.volunteer_id is not None) == (request.organisation_id is not None)
        visit = visits.get(request.pk)
        if request.status in (Status.COMPLETED, Status.CONFIRMED):
            complete = next(e for e in timeline if e.action == Action.COMPLETE)
            assert visit is not None and visit.checked_out_at == complete.at
            assert visit.volunteer_id == request.volunteer_id
            assert visit.checked_in_at is not None and visit.checked_in_at <= visit.checked_out_at
        elif request.status == Status.SCHEDULED:
            assert visit is not None and visit.checked_in_at is None
        else:
            assert visit is None or request.status == Status.IN_PROGRESS
        if visit is not None:
            assert visit.ends > visit.starts


def test_the_volunteer_who_takes_a_request_belongs_to_an_ngo_with_an_agreement_there() -> None:
    make_small()
    taken = CareRequest.objects.filter(volunteer__isnull=False).select_related("institution")
    assert taken.exists()
    for request in taken:
        assert Membership.objects.filter(
            volunteer_id=request.volunteer_id,
            organisation_id=request.organisation_id,
            status="approved",
        ).exists()
        assert Agreement.objects.filter(
            organisation_id=request.organisation_id, institution_id=request.institution_id
        ).exists()


def test_demo_accounts_find_visits_and_a_new_request_in_moscow() -> None:
    make_small()
    ensure_demo_accounts(today=TODAY)
    ensure_demo_accounts(today=TODAY)

    mine = CareRequest.objects.filter(volunteer__user__username="volunteer")
    assert mine.filter(status=Status.CONFIRMED).count() == 3
    assert mine.filter(status=Status.SCHEDULED).count() == 1
    done = Visit.objects.filter(volunteer__user__username="volunteer", checked_out_at__isnull=False)
    assert done.count() == 3
    assert Feedback.objects.filter(given_by__username="veteran").count() == 3
    moscow = CareRequest.objects.filter(region__code="77")
    assert moscow.filter(status=Status.NEW, veteran__user__username="veteran").exists()
    coordinator = User.objects.get(username="coord-moscow")
    assert not moscow.exclude(coordinator=coordinator).exists()


def test_demo_data_command_builds_the_dashboards_figures() -> None:
    out = io.StringIO()
    call_command("demo_data", "--scale", "small", stdout=out)

    assert "Dashboards built" in out.getvalue()
    total = RegionWeekTotal.objects.aggregate(created=Sum("created"), confirmed=Sum("confirmed"))
    assert total["created"] == CareRequest.objects.count() == SMALL.requests
    assert total["confirmed"] == CareRequest.objects.filter(status=Status.CONFIRMED).count()


def test_schedules_start_queues_each_chain_once_however_often_it_runs(
    django_capture_on_commit_callbacks: Any,
) -> None:
    paths = [
        "ryadom.volunteers.tasks.warn_expiring_checks",
        "ryadom.analytics.tasks.rebuild_rollups",
        "ryadom.notifications.tasks.digests_plan",
    ]

    def queued() -> dict[str, int]:
        ready = DBTaskResult.objects.filter(status=TaskResultStatus.READY, task_path__in=paths)
        return dict(ready.values_list("task_path").annotate(n=Count("id")))

    first = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("schedules_start", stdout=first)
    # The digests are planned two days ahead: tomorrow's and the next day's.
    assert queued() == {path: 1 for path in paths[:2]} | {paths[2]: 2}
    again = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("schedules_start", stdout=again)

    assert queued() == {path: 1 for path in paths[:2]} | {paths[2]: 2}
    assert again.getvalue().count("already queued") == 3
