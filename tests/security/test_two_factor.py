"""Staff pass a second factor (TOTP or a backup code) before any page or session API call."""

from __future__ import annotations

import datetime
import re

import pytest
import time_machine
from django.test import Client
from django.utils import timezone
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from ryadom.accounts.models import User
from ryadom.accounts.services import api_token_issue
from tests import factories as f
from tests.conftest import Cast

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _english(client: Client) -> None:
    """Messages are asserted in English; Russian is the default language of pages."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


PASSWORD = "correct-horse-battery"  # the factories' password


def _sign_in(client: Client, user: User) -> None:
    """The real sign-in page, as a person uses it (not force_login)."""
    response = client.post("/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302, response.content[:500]


def _code(device: TOTPDevice) -> str:
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def _authenticator(user: User) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)


@pytest.mark.parametrize("who", ["coord_a", "federal", "liaison", "ngo_manager", "observer"])
def test_staff_signed_in_with_a_password_only_are_sent_to_set_up_a_second_factor(
    cast: Cast, client: Client, who: str
) -> None:
    _sign_in(client, getattr(cast, who))
    response = client.get("/queue/")
    assert response.status_code == 302
    assert response["Location"] == "/account/2fa/setup/?next=%2Fqueue%2F"
    # Their session is no key to the API either; the public directory still answers.
    assert client.get("/api/v1/me").status_code == 401
    assert client.get("/api/v1/regions").status_code == 200


def test_a_code_from_the_authenticator_turns_the_second_factor_on_and_lets_staff_in(
    cast: Cast, client: Client
) -> None:
    _sign_in(client, cast.coord_a)
    page = client.get("/account/2fa/setup/?next=/queue/").content.decode()
    assert 'src="data:image/svg+xml' in page  # the QR code, inline: no request leaves the page
    device = TOTPDevice.objects.get(user=cast.coord_a, confirmed=False)
    secret = re.search(r'class="otp-secret">([A-Z2-7 ]+)<', page)
    assert secret and len(secret.group(1).replace(" ", "")) == 32

    wrong = client.post("/account/2fa/setup/", {"token": "000000", "next": "/queue/"})
    assert "This code is not right" in wrong.content.decode()
    assert client.get("/queue/").status_code == 302

    done = client.post("/account/2fa/setup/", {"token": _code(device), "next": "/queue/"})
    codes = re.findall(r"<li><code>([a-z2-7]+)</code></li>", done.content.decode())
    assert len(codes) == 10
    assert client.get("/queue/").status_code == 200
    assert client.get("/api/v1/me").json()["username"] == "coord_a"


def test_staff_with_an_authenticator_enter_its_code_after_the_password(
    cast: Cast, client: Client
) -> None:
    device = _authenticator(cast.coord_a)
    _sign_in(client, cast.coord_a)
    response = client.get("/queue/?status=new")
    assert response["Location"] == "/account/2fa/verify/?next=%2Fqueue%2F%3Fstatus%3Dnew"
    # The set-up page cannot be used to replace the authenticator without it.
    assert client.get("/account/2fa/setup/")["Location"] == "/account/2fa/verify/"

    wrong = client.post("/account/2fa/verify/", {"token": "123456", "next": "/queue/"})
    assert wrong.status_code == 200
    assert "This code is not right" in wrong.content.decode()

    # After a wrong code the authenticator is refused for a second, then for 2, 4, 8…
    with time_machine.travel(timezone.now() + datetime.timedelta(seconds=2)):
        right = client.post("/account/2fa/verify/", {"token": _code(device), "next": "/queue/"})
        assert right.status_code == 302 and right["Location"] == "/queue/"
        assert client.get("/queue/").status_code == 200


def test_verify_never_sends_people_to_another_site(cast: Cast, client: Client) -> None:
    device = _authenticator(cast.coord_a)
    _sign_in(client, cast.coord_a)
    right = client.post(
        "/account/2fa/verify/", {"token": _code(device), "next": "https://evil.example/"}
    )
    assert right["Location"] == "/"


def test_a_backup_code_lets_staff_in_once(cast: Cast, client: Client) -> None:
    _authenticator(cast.coord_a)
    from ryadom.security.twofactor import backup_codes_issue

    code = backup_codes_issue(actor=cast.coord_a)[0]
    _sign_in(client, cast.coord_a)
    assert client.post("/account/2fa/verify/", {"token": code})["Location"] == "/"
    assert client.get("/queue/").status_code == 200
    assert not StaticToken.objects.filter(token=code).exists()

    other = Client(HTTP_ACCEPT_LANGUAGE="en")
    _sign_in(other, cast.coord_a)
    again = other.post("/account/2fa/verify/", {"token": code})
    assert again.status_code == 200 and "This code is not right" in again.content.decode()


def test_volunteers_veterans_and_relatives_are_not_asked_for_a_second_factor(
    care_cast: Cast, client: Client
) -> None:
    for user, page in [
        (care_cast.volunteer_user, "/volunteer/"),
        (care_cast.veteran_user, "/my/"),
        (care_cast.relative, "/my/"),
    ]:
        c = Client(HTTP_ACCEPT_LANGUAGE="en")
        _sign_in(c, user)
        assert c.get(page).status_code == 200, user
        assert c.get("/api/v1/me").json()["username"] == user.username


def test_the_back_office_asks_staff_users_for_the_second_factor(client: Client) -> None:
    admin = f.UserFactory(username="admin", is_staff=True, is_superuser=True)
    _sign_in(client, admin)
    assert client.get("/admin/")["Location"].startswith("/account/2fa/setup/")


def test_an_api_token_is_its_own_credential(cast: Cast, client: Client) -> None:
    _token, key = api_token_issue(actor=cast.coord_a, user=cast.coord_a, name="ward system")
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert response.json()["username"] == "coord_a"


def test_guessing_codes_is_stopped_after_ten_tries(cast: Cast, client: Client) -> None:
    _authenticator(cast.coord_a)
    _sign_in(client, cast.coord_a)
    # The limit counts in ten-minute windows: the clock stands still so that the eleven
    # tries cannot straddle two of them on a slow machine.
    with time_machine.travel(timezone.now(), tick=False):
        for _ in range(10):
            assert client.post("/account/2fa/verify/", {"token": "111111"}).status_code == 200
        stopped = client.post("/account/2fa/verify/", {"token": "111111"})
    assert stopped.status_code == 429
    assert "Too many attempts" in stopped.content.decode()
    assert int(stopped["Retry-After"]) > 0


def test_a_session_ends_after_thirty_idle_minutes_and_twelve_hours_after_sign_in(
    care_cast: Cast,
) -> None:
    start = timezone.now()
    with time_machine.travel(start, tick=False) as clock:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        _sign_in(client, care_cast.volunteer_user)
        clock.move_to(start + datetime.timedelta(minutes=29))
        assert client.get("/api/v1/me").status_code == 200
        clock.move_to(start + datetime.timedelta(minutes=29 + 31))
        assert client.get("/api/v1/me").status_code == 401

    with time_machine.travel(start, tick=False) as clock:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        _sign_in(client, care_cast.volunteer_user)
        for step in range(1, 37):  # active every 20 minutes for 12 hours
            clock.move_to(start + datetime.timedelta(minutes=20 * step))
            assert client.get("/api/v1/me").status_code == 200, step
        clock.move_to(start + datetime.timedelta(hours=12, minutes=5))
        assert client.get("/api/v1/me").status_code == 401


def test_a_volunteer_may_turn_it_on_and_is_then_asked_for_it(
    care_cast: Cast, client: Client
) -> None:
    volunteer = care_cast.volunteer_user
    _sign_in(client, volunteer)
    profile = client.get("/profile/", headers={"Accept-Language": "en"}).content.decode()
    assert "Turn on two-step sign-in" in profile
    client.get("/account/2fa/setup/")
    device = TOTPDevice.objects.get(user=volunteer, confirmed=False)
    client.post("/account/2fa/setup/", {"token": _code(device)})
    assert "New backup codes" in client.get("/profile/").content.decode()

    later = Client(HTTP_ACCEPT_LANGUAGE="en")
    _sign_in(later, volunteer)
    assert later.get("/volunteer/")["Location"].startswith("/account/2fa/verify/")
