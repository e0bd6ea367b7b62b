from __future__ import annotations

import datetime
import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.utils import timezone
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from ryadom.accounts.models import Role, RoleAssignment, User
from ryadom.aftercare.models import FollowUpContact
from ryadom.care.lifecycle import ALLOWED_TRANSITIONS, DONE_STATES, Action
from ryadom.care.models import CareRequest, Complaint, Event, Feedback, Status, Visit
from ryadom.core.geo_fields import in_russia
from ryadom.demo.accounts import DEMO_PASSWORD, ensure_demo_accounts
from ryadom.geo.models import Region
from ryadom.institutions.models import Agency, Institution
from ryadom.organisations.models import Agreement, Organisation, OrganisationStatus
from ryadom.veterans.models import Proxy, Stay, Veteran
from ryadom.volunteers.models import Availability, Membership, Volunteer
from tests.demo.small import NOW, SMALL, TODAY, fingerprint

pytestmark = pytest.mark.django_db

DEMO_USERNAMES = [
    "federal", "observer", "coord-moscow", "coord-rostov", "coord-kursk", "liaison", "ngo",
    "volunteer", "veteran", "relative",
]  # fmt: skip


@pytest.mark.usefixtures("small_demo")
def test_small_scale_makes_four_regions_of_coherent_data() -> None:
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


@pytest.mark.usefixtures("small_demo")
def test_every_demo_account_exists_with_its_role_and_the_demo_password() -> None:
    ensure_demo_accounts(today=TODAY)

    def scope(username: str, role: str) -> int | None:
        return RoleAssignment.objects.get(user__username=username, role=role).scope_id

    federal = User.objects.get(username="federal")
    assert federal.is_staff and federal.is_superuser
    demo_users = User.objects.filter(username__in=DEMO_USERNAMES)
    assert len(demo_users) == 10
    assert all(u.check_password(DEMO_PASSWORD) for u in demo_users)
    assert scope("federal", Role.FEDERAL_COORDINATOR) is None
    assert scope("observer", Role.AGENCY_OBSERVER) == Agency.objects.get(code="mod").pk
    assert scope("coord-moscow", Role.REGIONAL_COORDINATOR) == Region.objects.get(code="77").pk
    assert scope("coord-rostov", Role.REGIONAL_COORDINATOR) == Region.objects.get(code="61").pk
    assert scope("coord-kursk", Role.REGIONAL_COORDINATOR) == Region.objects.get(code="46").pk

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


@pytest.mark.usefixtures("small_demo")
def test_demo_accounts_can_be_ensured_twice_without_duplicates() -> None:
    ensure_demo_accounts(today=TODAY)
    before = fingerprint()
    ensure_demo_accounts(today=TODAY)
    after = fingerprint()
    assert {k: len(v) for k, v in after.items()} == {k: len(v) for k, v in before.items()}


@pytest.mark.usefixtures("small_demo")
def test_every_inn_and_ogrn_has_valid_check_digits() -> None:
    for inn, ogrn in Organisation.objects.values_list("inn", "ogrn"):
        assert len(inn) == 10 and stdnum_inn.is_valid(inn), inn
        assert len(ogrn) == 13 and stdnum_ogrn.is_valid(ogrn), ogrn


@pytest.mark.usefixtures("small_demo")
def test_every_institution_and_volunteer_is_placed_inside_russia() -> None:
    points = [*Institution.objects.values_list("lat", "lon")]
    points += Volunteer.objects.values_list("lat", "lon")
    assert len(points) == 13 + SMALL.volunteers
    assert all(lat is not None and lon is not None and in_russia(lat, lon) for lat, lon in points)


@pytest.mark.usefixtures("small_demo")
def test_each_veteran_has_one_current_stay_and_no_stays_overlap() -> None:
    current = dict(
        Veteran.objects.annotate(
            n=Count("stays", filter=Q(stays__discharged_on__isnull=True))
        ).values_list("pk", "n")
    )
    # Everyone is in treatment but those the demo discharged (aftercare: with a plan or not).
    discharged = set(
        Stay.objects.filter(discharge_plan__isnull=False).values_list("veteran_id", flat=True)
    )
    assert discharged and set(current.values()) == {0, 1}
    assert discharged <= {pk for pk, n in current.items() if n == 0}
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


@pytest.mark.usefixtures("small_demo")
def test_demo_accounts_command_prints_every_account_with_the_password() -> None:
    out = io.StringIO()
    call_command("demo_accounts", stdout=out)
    text = out.getvalue()
    for username in DEMO_USERNAMES:
        assert f"\n{username} " in text
    assert DEMO_PASSWORD in text


TAKING = {"assign", "claim"}


@pytest.mark.usefixtures("small_demo")
def test_small_scale_has_13_weeks_of_requests_in_every_state() -> None:
    # Besides those asked at home after discharge (aftercare's follow-up contacts).
    at_home = FollowUpContact.objects.filter(care_request__isnull=False).values("care_request")
    requests = CareRequest.objects.exclude(pk__in=at_home)
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
    # Veterans the demo discharged (aftercare) have left the place their requests name.
    in_treatment = Stay.objects.filter(discharged_on__isnull=True).values("veteran_id")
    for request in requests.filter(veteran_id__in=in_treatment).select_related("veteran"):
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


@pytest.mark.usefixtures("small_demo")
def test_every_timeline_follows_the_transition_table_and_ends_in_the_status() -> None:
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


@pytest.mark.usefixtures("small_demo")
def test_the_volunteer_who_takes_a_request_belongs_to_an_ngo_with_an_agreement_there() -> None:
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


@pytest.mark.usefixtures("small_demo")
def test_demo_accounts_find_visits_and_a_new_request_in_moscow() -> None:
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


@pytest.mark.usefixtures("small_demo")
def test_demo_referrals_close_most_loops_through_the_rules() -> None:
    from ryadom.referrals.models import PartnerService, Referral, ReferralEvent
    from ryadom.referrals.models import Status as ReferralStatus
    from ryadom.referrals.selectors import loop_closure

    regions = {r.code for r in Region.objects.filter(code__in=SMALL.region_codes)}
    served = set(PartnerService.objects.values_list("region__code", flat=True))
    assert served == regions
    ensure_demo_accounts(today=TODAY)
    ensure_demo_accounts(today=TODAY)

    referrals = Referral.objects.all()
    by_status = dict(referrals.values_list("status").annotate(n=Count("pk")))
    assert set(by_status) >= {"sent", "accepted", "declined", "in_progress", "done", "cancelled"}
    assert {r.region.code for r in referrals} == regions
    for referral in referrals.prefetch_related("events"):
        moves = [e for e in referral.events.all() if e.to_status]
        assert moves[-1].to_status == referral.status  # the timeline ends in the status
        assert referral.events.first().action == "create"  # type: ignore[union-attr]
        assert referral.created_at <= timezone.now()  # nothing dated in the future
    overdue = referrals.filter(status=ReferralStatus.SENT, answer_due__lt=NOW)
    assert not overdue.filter(escalated_at__isnull=True).exists()
    assert ReferralEvent.objects.filter(action="escalate").count() == overdue.count()
    rows = loop_closure(actor=User.objects.get(username="federal"))
    shares = [row.share for row in rows]
    assert all(s is not None and 0.4 < s <= 1 for s in shares), shares
    assert sum(row.sent for row in rows) == referrals.count() >= 20


@pytest.mark.usefixtures("small_demo")
def test_the_demo_partner_account_answers_for_moscows_employment_centre() -> None:
    from ryadom.audit.models import AuditEvent
    from ryadom.referrals.models import PartnerMember
    from ryadom.referrals.selectors import partner_referral_list

    ensure_demo_accounts(today=TODAY)
    user = User.objects.get(username="partner-employment")
    assert user.check_password(DEMO_PASSWORD)
    member = PartnerMember.objects.get(user=user, is_active=True)
    assert (member.partner.region.code, member.partner.kind) == ("77", "employment")
    assert member.added_by == User.objects.get(username="coord-moscow")
    assert AuditEvent.objects.filter(action="partner_member.added", target_id=str(member.pk))
    # Something to see and answer on /partner/.
    assert partner_referral_list(actor=user).exists()
