from __future__ import annotations

import re

import pytest
from django.test import Client

from tests.conftest import Cast

pytestmark = pytest.mark.django_db


def test_a_user_issues_a_token_on_the_profile_page_uses_it_and_revokes_it(
    cast: Cast, client: Client
) -> None:
    client.force_login(cast.liaison)
    page = client.post("/profile/", {"name": "Ward system"}).content.decode()
    key = re.search(r'<code id="new-key">(rdm_[^<]+)</code>', page)
    assert key is not None
    api = Client()
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key.group(1)}").status_code == 200
    listing = client.get("/profile/").content.decode()
    assert "Ward system" in listing and key.group(1) not in listing  # shown once only

    token = cast.liaison.api_tokens.get()
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 302
    assert api.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {key.group(1)}").status_code == 401


def test_nobody_revokes_another_users_token(cast: Cast, client: Client) -> None:
    client.force_login(cast.liaison)
    client.post("/profile/", {"name": "Ward system"})
    token = cast.liaison.api_tokens.get()
    client.force_login(cast.coord_b)
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_veterans_relatives_and_volunteers_see_no_api_tokens_and_cannot_issue_one(
    cast: Cast, client: Client
) -> None:
    for user in (cast.veteran_user, cast.relative, cast.volunteer_user):
        client.force_login(user)
        page = client.get("/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
        assert "API tokens" not in page
        assert client.post("/profile/", {"name": "my app"}).status_code == 403
        assert not user.api_tokens.exists()
    client.force_login(cast.coord_a)
    assert "API tokens" in client.get("/profile/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
