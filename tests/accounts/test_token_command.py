from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.test import Client

from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_ryadom_token_prints_a_key_that_opens_the_api_for_that_user(
    cast: Cast, client: Client
) -> None:
    out = StringIO()
    call_command("token", "coord_a", "--name", "hospital system", stdout=out)
    key = out.getvalue().strip()
    response = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert response.json()["username"] == "coord_a"
    assert cast.coord_a.api_tokens.get().name == "hospital system"


def test_ryadom_token_for_an_unknown_user_says_so(db: None) -> None:
    with pytest.raises(CommandError, match="No user named 'nobody'"):
        call_command("token", "nobody")
