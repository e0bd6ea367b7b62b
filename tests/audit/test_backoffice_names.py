"""The Russian back office names other packages' apps and models in Russian."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_the_russian_back_office_has_no_english_names_of_other_packages(client: Client) -> None:
    admin = f.UserFactory(username="boss", is_staff=True, is_superuser=True)
    client.force_login(admin)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "ru"
    page = client.get("/admin/").content.decode()
    for english in ("Static devices", "TOTP devices", "Task Results", "Tasks Database Backend"):
        assert english not in page
    assert "Результаты задач" in page
    assert "Приложения-аутентификаторы" in page
