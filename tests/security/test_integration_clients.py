"""Integration clients: a hospital's or a region's system with its own token kind and rate limit."""

from __future__ import annotations

import os
import subprocess
import sys
from io import StringIO

import pytest
import time_machine
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import ApiToken, Role, TokenKind, User
from ryadom.accounts.services import api_token_issue, role_assign
from ryadom.care.models import CareRequest
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _one_window() -> object:
    """The clock stands still: the counts must not start again at the top of the hour."""
    with time_machine.travel(timezone.now(), tick=False) as clock:
        yield clock


INTAKE_LIMIT, _ = settings.RATE_LIMITS["intake"]


def _service_account(cast: Cast, username: str = "ward-system") -> User:
    """The account a hospital's system posts as: no password, the liaison's role only."""
    account = f.UserFactory(username=username)
    account.set_unusable_password()
    account.save(update_fields=["password"])
    role_assign(
        actor=cast.federal,
        user=account,
        role=Role.INSTITUTION_LIAISON,
        scope_id=cast.institution_a.pk,
    )
    return account


def _post(client: Client, key: str, body: dict[str, object]) -> int:
    auth = {"Authorization": f"Bearer {key}"}
    response = client.post("/api/v1/requests", body, content_type="application/json", headers=auth)
    return response.status_code


def test_a_hospital_system_posts_more_requests_an_hour_than_a_person_may(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    _token, system = api_token_issue(
        actor=c.federal, user=_service_account(c), name="HIS", kind=TokenKind.INTEGRATION
    )
    _token, person = api_token_issue(actor=c.liaison, user=c.liaison, name="my script")
    body = {"service": "laundry.wash", "institution": c.institution_a.pk, "details": "Постирать"}

    for _ in range(INTAKE_LIMIT + 5):
        assert _post(client, system, body) == 201
    assert CareRequest.objects.count() == INTAKE_LIMIT + 5

    # A person's token from the same address still has the person's limit: the intake
    # bucket counts their POSTs (a bad body counts as an attempt too).
    for _ in range(INTAKE_LIMIT):
        assert _post(client, person, {}) == 422
    assert _post(client, person, body) == 429
    assert CareRequest.objects.count() == INTAKE_LIMIT + 5


def test_an_integration_client_is_stopped_at_its_own_limit_and_not_by_a_persons(
    care_cast: Cast, client: Client, settings: object
) -> None:
    c = care_cast
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "integration": (3, 3600)}  # type: ignore[attr-defined]
    _token, system = api_token_issue(
        actor=c.federal, user=_service_account(c), name="HIS", kind=TokenKind.INTEGRATION
    )
    for _ in range(3):
        assert _post(client, system, {}) == 422
    assert _post(client, system, {}) == 429

    # Another hospital's system, and a person signed in, are not slowed down by it.
    _token, other = api_token_issue(
        actor=c.federal,
        user=_service_account(c, "other-system"),
        name="HIS 2",
        kind=TokenKind.INTEGRATION,
    )
    assert _post(client, other, {}) == 422
    client.force_login(c.relative)
    response = client.post("/ask/", {"to": "2"})
    assert response.status_code != 429


def test_rate_limits_are_read_from_the_environment() -> None:
    script = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.RATE_LIMITS['intake'], settings.RATE_LIMITS['integration'])"
    )
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "ryadom.config.settings",
        "RYADOM_RATE_INTAKE": "20/10m",
        "RYADOM_RATE_INTEGRATION": "5000/h",
    }
    run = subprocess.run(  # noqa: S603 - this interpreter, our settings
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == "(20, 600) (5000, 3600)"

    env["RYADOM_RATE_INTAKE"] = "lots"
    bad = subprocess.run(  # noqa: S603 - this interpreter, our settings
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, check=False
    )
    assert bad.returncode != 0
    assert "RYADOM_RATE_INTAKE='lots': write attempts per period, e.g. 60/h" in bad.stderr


def test_ryadom_token_issues_an_integration_clients_token_for_a_service_account(
    care_cast: Cast, client: Client
) -> None:
    account = _service_account(care_cast)
    out = StringIO()
    call_command("token", "ward-system", "--integration", "--name", "HIS", stdout=out)
    token = ApiToken.objects.get(user=account)
    assert token.kind == TokenKind.INTEGRATION
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {out.getvalue().strip()}")
    assert me.json()["username"] == "ward-system"


def test_a_person_with_a_password_gets_no_integration_clients_token(cast: Cast) -> None:
    with pytest.raises(CommandError, match="issued to a service account"):
        call_command("token", "liaison", "--integration")
    account = f.UserFactory(username="odd-system")
    account.set_unusable_password()
    account.save(update_fields=["password"])
    role_assign(actor=None, user=account, role=Role.VOLUNTEER)
    with pytest.raises(CommandError, match="institution liaison or a regional coordinator"):
        call_command("token", "odd-system", "--integration")
    assert not ApiToken.objects.exists()


def test_the_back_office_issues_an_integration_clients_token_and_shows_the_key_once(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    c.federal.is_staff = c.federal.is_superuser = True
    c.federal.save(update_fields=["is_staff", "is_superuser"])
    client.force_login(c.federal)
    account = _service_account(c)
    add = "/admin/accounts/apitoken/add/"

    refused = client.post(
        add, {"user": c.liaison.pk, "kind": "integration", "name": "HIS"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert refused.status_code == 200
    assert "issued to a service account" in refused.content.decode()
    assert not ApiToken.objects.exists()

    issued = client.post(
        add, {"user": account.pk, "kind": "integration", "name": "HIS"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert issued.status_code == 200
    page = issued.content.decode()
    assert "Copy the key now" in page
    key = page.split('<code id="issued-key">')[1].split("</code>")[0]
    token = ApiToken.objects.get()
    assert (token.user, token.kind, token.name) == (account, TokenKind.INTEGRATION, "HIS")
    me = Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert me.json()["username"] == "ward-system"
    # The key is never shown again.
    assert key not in client.get(f"/admin/accounts/apitoken/{token.pk}/change/").content.decode()
