"""The fixed cast across the permission boundary, shared by every test that needs it."""

from __future__ import annotations

import datetime
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from hypothesis import HealthCheck
from hypothesis import settings as hypothesis_settings

from ryadom.accounts.models import Role, User
from ryadom.accounts.services import role_assign
from ryadom.institutions.models import Agency, Institution, VisitingHours
from ryadom.organisations.models import Organisation
from ryadom.veterans.models import Consent, ConsentPurpose, Veteran
from ryadom.volunteers.models import Check, CheckKind, CheckStatus, Volunteer
from tests import factories as f

# How many examples a property test over the database tries comes from a profile, not from
# each test: "ci" (what CI runs, CI=1) keeps the suite, run twice there, within its time;
# "dev" (the default) tries more; HYPOTHESIS_PROFILE=thorough searches far wider, for a
# change to the rules the properties are about. Each run draws new examples (no saved
# database), so every CI run searches afresh.
hypothesis_settings.register_profile(
    "ci",
    max_examples=20,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
hypothesis_settings.register_profile("dev", hypothesis_settings.get_profile("ci"), max_examples=40)
hypothesis_settings.register_profile(
    "thorough", hypothesis_settings.get_profile("ci"), max_examples=300
)
hypothesis_settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev")
)


@pytest.fixture(autouse=True)
def _test_settings(settings: Any) -> None:
    """Fast password hashing; pages rendered without running collectstatic first."""
    # Real hashing costs ~0.3 s a password by design; tests sign in dozens of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    """Rate-limit counters live in the cache; each test starts with none used."""
    cache.clear()


def _force_login_past_second_factor(
    self: Client, user: AbstractBaseUser, backend: str | None = None
) -> None:
    """`force_login` stands for a finished sign-in: password and, for staff, the second factor.

    The enforcement itself is tested through the real sign-in pages in tests/security/.
    """
    _force_login(self, user, backend)
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    session = self.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()


_force_login = Client.force_login


@pytest.fixture(autouse=True)
def _signed_in_past_second_factor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Client, "force_login", _force_login_past_second_factor)


@pytest.fixture(autouse=True)
def _english_outside_requests() -> Iterator[None]:
    """Service-level messages are asserted in English; pages pick their language per request."""
    with translation.override("en"):
        yield


# The fixtures through which a test reaches the database.
DATABASE_FIXTURES = {"db", "transactional_db", "django_db_setup"}
BROWSER_TESTS = Path(__file__).parent / "browser"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """CI runs the suite on SQLite, then on PostgreSQL. The PostgreSQL pass runs what reaches
    the database: a test that touches none gives the same answer twice. Nor does it run the
    browser journeys: they check layout, wording and accessibility, which the database does
    not touch, and a real server on PostgreSQL is what the fault drills run (tests/faults)."""
    if django_settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        return
    drop = [
        item
        for item in items
        if BROWSER_TESTS in item.path.parents
        or (
            item.get_closest_marker("django_db") is None
            and not DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
        )
    ]
    if drop:
        config.hook.pytest_deselected(items=drop)
        dropped = set(drop)
        items[:] = [item for item in items if item not in dropped]


@dataclass
class Cast:
    """Region A (Moscow, 77) is "ours"; region B (Rostov, 61) belongs to the outsider."""

    federal: User
    observer: User
    coord_a: User
    coord_b: User
    liaison: User
    ngo_manager: User
    volunteer_user: User
    veteran_user: User
    relative: User
    stranger: User
    institution_a: Institution
    institution_b: Institution
    ngo_a: Organisation
    ngo_b: Organisation
    volunteer_a: Volunteer
    volunteer_b: Volunteer
    volunteer_other_ngo: Volunteer
    veteran_a: Veteran
    veteran_b: Veteran
    veteran_a2: Veteran


@pytest.fixture
def cast(db: None) -> Cast:
    a, b = f.region("77"), f.region("61")
    inst_a = f.InstitutionFactory(region=a, name="Госпиталь А")
    inst_b = f.InstitutionFactory(region=b, name="Больница Б")
    ngo_a = f.OrganisationFactory(home_region=a, name="АНО «Рядом А»")
    ngo_b = f.OrganisationFactory(home_region=b, name="АНО «Рядом Б»")
    f.AgreementFactory(organisation=ngo_a, institution=inst_a)
    f.AgreementFactory(organisation=ngo_b, institution=inst_b)

    users = {
        name: f.UserFactory(username=name)
        for name in [
            "federal",
            "observer",
            "coord_a",
            "coord_b",
            "liaison",
            "ngo_manager",
            "volunteer",
            "veteran",
            "relative",
            "stranger",
        ]
    }
    role_assign(actor=None, user=users["federal"], role=Role.FEDERAL_COORDINATOR)
    role_assign(
        actor=None,
        user=users["observer"],
        role=Role.AGENCY_OBSERVER,
        scope_id=Agency.objects.get(code="mod").pk,
    )
    role_assign(actor=None, user=users["coord_a"], role=Role.REGIONAL_COORDINATOR, scope_id=a.pk)
    role_assign(actor=None, user=users["coord_b"], role=Role.REGIONAL_COORDINATOR, scope_id=b.pk)
    role_assign(
        actor=None, user=users["liaison"], role=Role.INSTITUTION_LIAISON, scope_id=inst_a.pk
    )
    role_assign(actor=None, user=users["ngo_manager"], role=Role.NGO_MANAGER, scope_id=ngo_a.pk)
    role_assign(actor=None, user=users["volunteer"], role=Role.VOLUNTEER)
    role_assign(actor=None, user=users["veteran"], role=Role.VETERAN)
    role_assign(actor=None, user=users["relative"], role=Role.RELATIVE)

    volunteer_a = f.VolunteerFactory(user=users["volunteer"], region=a)
    f.MembershipFactory(volunteer=volunteer_a, organisation=ngo_a)
    volunteer_b = f.VolunteerFactory(region=b)
    f.MembershipFactory(volunteer=volunteer_b, organisation=ngo_b)
    # Lives in Moscow but works with the Rostov NGO: the Moscow coordinator sees them,
    # the Moscow NGO manager and liaison do not.
    volunteer_other_ngo = f.VolunteerFactory(region=a)
    f.MembershipFactory(volunteer=volunteer_other_ngo, organisation=ngo_b)

    veteran_a = f.VeteranFactory(user=users["veteran"], home_region=a)
    f.StayFactory(veteran=veteran_a, institution=inst_a)
    f.ProxyFactory(veteran=veteran_a, user=users["relative"])
    veteran_a2 = f.VeteranFactory(home_region=b)  # from Rostov, treated in Moscow
    f.StayFactory(veteran=veteran_a2, institution=inst_a)
    veteran_b = f.VeteranFactory(home_region=b)
    f.StayFactory(veteran=veteran_b, institution=inst_b)

    return Cast(
        federal=users["federal"],
        observer=users["observer"],
        coord_a=users["coord_a"],
        coord_b=users["coord_b"],
        liaison=users["liaison"],
        ngo_manager=users["ngo_manager"],
        volunteer_user=users["volunteer"],
        veteran_user=users["veteran"],
        relative=users["relative"],
        stranger=users["stranger"],
        institution_a=inst_a,
        institution_b=inst_b,
        ngo_a=ngo_a,
        ngo_b=ngo_b,
        volunteer_a=volunteer_a,
        volunteer_b=volunteer_b,
        volunteer_other_ngo=volunteer_other_ngo,
        veteran_a=veteran_a,
        veteran_b=veteran_b,
        veteran_a2=veteran_a2,
    )


def make_ready_for_care(cast: Cast) -> None:
    """Consents, visiting hours every day 08:00–22:00, and volunteer_a cleared to work."""
    for veteran in (cast.veteran_a, cast.veteran_a2, cast.veteran_b):
        Consent.objects.create(
            veteran=veteran,
            purpose=ConsentPurpose.CARE,
            recorded_by=cast.federal,
            given_at=timezone.now(),
        )
    Consent.objects.create(
        veteran=cast.veteran_a,
        purpose=ConsentPurpose.PROXY,
        given_by=cast.relative,
        recorded_by=cast.federal,
        given_at=timezone.now(),
    )
    for institution in (cast.institution_a, cast.institution_b):
        for weekday in range(7):
            VisitingHours.objects.create(
                institution=institution,
                weekday=weekday,
                starts=datetime.time(8),
                ends=datetime.time(22),
            )
    for volunteer in (cast.volunteer_a, cast.volunteer_b, cast.volunteer_other_ngo):
        for kind in (
            CheckKind.IDENTITY,
            CheckKind.AGREEMENT,
            CheckKind.TRAINING,
            CheckKind.MEDICAL,
        ):
            Check.objects.create(
                volunteer=volunteer,
                kind=kind,
                status=CheckStatus.PASSED,
                verified_by=cast.ngo_manager,
                verified_at=timezone.now(),
            )


@pytest.fixture
def care_cast(cast: Cast) -> Cast:
    """The cast, with consents given, visiting hours set and volunteers cleared."""
    make_ready_for_care(cast)
    return cast
