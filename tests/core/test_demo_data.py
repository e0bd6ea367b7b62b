from __future__ import annotations

import datetime
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction
from django.db.models import Count, Model, Q
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from ryadom.accounts.models import Role, RoleAssignment, User
from ryadom.core.demo import DEMO_PASSWORD, SCALES, ensure_demo_accounts, generate
from ryadom.core.geo_fields import in_russia
from ryadom.geo.models import Region
from ryadom.institutions.models import Agency, Institution, VisitingHours
from ryadom.organisations.models import Agreement, Organisation, OrganisationStatus
from ryadom.veterans.models import Consent, Proxy, Stay, Veteran
from ryadom.volunteers.models import Availability, Membership, Volunteer

pytestmark = pytest.mark.django_db

TODAY = datetime.date(2026, 11, 22)
SMALL = SCALES["small"]
DEMO_USERNAMES = [
    "federal", "observer", "coord-moscow", "coord-rostov", "liaison", "ngo",
    "volunteer", "veteran", "relative",
]  # fmt: skip


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: Any) -> None:
    # The demo accounts hash their password once per run; PBKDF2 would make that 0.5 s.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def make_small(seed: int = 20261122) -> str:
    out = io.StringIO()
    generate(plan=SMALL, seed=seed, today=TODAY, out=out)
    return out.getvalue()


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
    assert Volunteer.objects.count() == 150
    pending = Membership.objects.filter(status="pending").count()
    assert Membership.objects.filter(status="approved").count() > pending > 0
    assert Availability.objects.count() >= 150
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
    assert len(points) == 13 + 150
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
