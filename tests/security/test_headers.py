"""Every response carries the browser-side protections; no template needs 'unsafe-inline'."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from tests.conftest import Cast

pytestmark = pytest.mark.django_db

SRC = Path(__file__).resolve().parents[2] / "src" / "ryadom"
# What a Content-Security-Policy without 'unsafe-inline' refuses to run or apply.
INLINE = [
    (
        re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/(ld\+)?json\")[^>]*>"),
        "inline script",
    ),
    (re.compile(r"<style\b"), "style element"),
    (re.compile(r"\sstyle\s*="), "style attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.IGNORECASE), "event handler attribute"),
    (re.compile(r"javascript:", re.IGNORECASE), "javascript: URL"),
    (re.compile(r"\shx-on", re.IGNORECASE), "htmx inline handler"),
]


def _policy(response: object) -> dict[str, str]:
    header = response["Content-Security-Policy"]  # type: ignore[index]
    return {
        part.split(" ", 1)[0]: part.split(" ", 1)[1] if " " in part else ""
        for part in (p.strip() for p in header.split(";"))
        if part
    }


def test_pages_send_a_strict_content_security_policy_and_the_other_headers(
    care_cast: Cast, client: Client
) -> None:
    client.force_login(care_cast.coord_a)
    for path in ["/", "/login/", "/queue/", "/regions/", "/api/v1/regions"]:
        response = client.get(path)
        assert response.status_code == 200, path
        policy = _policy(response)
        assert policy["default-src"] == "'self'"
        assert policy["script-src"] == "'self'"
        assert policy["style-src"] == "'self'"
        assert policy["img-src"] == "'self' data:"
        assert policy["frame-ancestors"] == "'none'"
        assert "unsafe" not in response["Content-Security-Policy"]
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"


def test_no_template_has_inline_scripts_styles_or_event_handlers() -> None:
    found = []
    for template in sorted(SRC.glob("*/templates/**/*.html")):
        text = template.read_text()
        for pattern, what in INLINE:
            for match in pattern.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                found.append(f"{template.relative_to(SRC)}:{line}: {what}")
    assert not found, "Move these into static files:\n" + "\n".join(found)


def test_rendered_pages_have_no_inline_scripts_or_styles(care_cast: Cast, client: Client) -> None:
    client.force_login(care_cast.coord_a)
    for path in ["/", "/queue/", "/profile/", "/find/", "/api/v1/docs"]:
        page = client.get(path).content.decode()
        for pattern, what in INLINE:
            assert not pattern.search(page), (path, what)


def test_session_cookies_are_http_only_and_same_site(care_cast: Cast, client: Client) -> None:
    response = client.post(
        "/login/", {"username": "volunteer", "password": "correct-horse-battery"}
    )
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] is True
    assert cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 30 * 60


def test_posts_without_a_csrf_token_are_refused_on_pages_and_the_session_api(
    care_cast: Cast,
) -> None:
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/login/", {"username": "volunteer", "password": "x"}).status_code == 403
    strict.force_login(care_cast.coord_a)
    body = {"service": "laundry.wash", "institution": care_cast.institution_a.pk}
    assert strict.post("/api/v1/requests", body, content_type="application/json").status_code == 403
