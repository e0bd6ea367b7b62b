from __future__ import annotations

import pytest
from django.test import Client

from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_the_home_page_speaks_russian_by_default(cast: Cast, client: Client) -> None:
    page = client.get("/").content.decode()
    assert '<html lang="ru">' in page
    assert "Помощь ветеранам" in page
    assert "Москва" in page  # a region where Ryadom works


def test_the_language_switch_turns_the_site_to_english(cast: Cast, client: Client) -> None:
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert '<html lang="en">' in page
    assert "Help for veterans in hospital" in page
    assert "Moscow" in page


def test_sign_in_with_a_wrong_password_says_so_and_a_right_one_signs_in(
    cast: Cast, client: Client
) -> None:
    # A volunteer: staff also pass a second factor (tests/security/test_two_factor.py).
    wrong = client.post("/login/", {"username": "volunteer", "password": "nope"})
    assert wrong.status_code == 200
    # The error summary at the top says what went wrong (Django's message for a bad login).
    summary = wrong.content.decode().split('class="govuk-error-summary"', 1)[1].split("</ul>")[0]
    assert "Please enter a correct" in summary or "Пожалуйста" in summary
    right = client.post("/login/", {"username": "volunteer", "password": "correct-horse-battery"})
    assert right.status_code == 302
    assert client.get("/api/v1/me").json()["username"] == "volunteer"
