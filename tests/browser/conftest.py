"""Real browser, real server: Debian's chromium driven by Playwright against gunicorn.

The server is a separate process serving the test database, so a journey's data must be
committed: browser tests use ``django_db(transaction=True, serialized_rollback=True)``.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.db import connection, connections
from django.test import override_settings
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Locator,
    Page,
    Playwright,
    sync_playwright,
)

from ryadom.accounts.models import User

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
# Saved for people to look at, never committed (var/ is ignored).
SCREENSHOTS = ROOT / "var" / "screenshots"
PASSWORD = "a-long-browser-password-2026"

VIEWPORTS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {
        "viewport": {"width": 390, "height": 844},
        "device_scale_factor": 2,
        "is_mobile": True,
        "has_touch": True,
    },
}
LOCALES = {"ru": "ru-RU", "en": "en-GB"}
PHONE_WIDTH = 390
# The share of a phone's first screen the page header may take.
HEADER_SHARE = 0.15
SHOT_SCREENS = 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _database_url() -> str:
    """The test database as the server process must reach it."""
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    password = f":{s['PASSWORD']}" if s.get("PASSWORD") else ""
    host = f"{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    return f"postgres://{s['USER']}{password}@{host}/{s['NAME']}"


def _collected_static(
    tmp_path_factory: pytest.TempPathFactory, env: dict[str, str], bin_dir: Path
) -> Path:
    """The hashed and compressed static files, collected once per test run: every xdist
    worker's server serves the same files (collecting takes tens of seconds of CPU)."""
    run_dir = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        run_dir = run_dir.parent  # shared by the workers of this run, not by other runs
    shared = run_dir / "static-var"
    with (run_dir / "static.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not (shared / "static" / "staticfiles.json").exists():
            subprocess.run(  # noqa: S603 - our own entry point, from this virtualenv
                [bin_dir / "ryadom", "collectstatic", "--no-input", "--verbosity", "0"],
                env={**env, "RYADOM_VAR_DIR": str(shared)},
                check=True,
            )
    return shared / "static"


@pytest.fixture(scope="session")
def live_url(django_db_setup: None, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """gunicorn with production-like settings (DEBUG off, hashed static files)."""
    var = tmp_path_factory.mktemp("server-var")
    port = _free_port()
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(),
        "RYADOM_VAR_DIR": str(var),
        "RYADOM_DEBUG": "0",
        "RYADOM_SECRET_KEY": "browser-tests-secret-key-not-for-production",
        "RYADOM_SITE_URL": f"http://127.0.0.1:{port}",
        # One server serves every journey of a test process, all from 127.0.0.1, and its
        # counters outlive each test's database: the per-address limits would stop the
        # later journeys. The limits themselves are tested in tests/security.
        "RYADOM_RATE_SIGNUP": "1000/h",
        "RYADOM_RATE_LOGIN": "1000/10m",
        "RYADOM_RATE_INTAKE": "1000/h",
    }
    bin_dir = Path(sys.executable).parent
    (var / "static").symlink_to(_collected_static(tmp_path_factory, env, bin_dir))
    log = (var / "server.log").open("w")
    server = subprocess.Popen(  # noqa: S603 - gunicorn from this virtualenv
        [bin_dir / "gunicorn", "ryadom.config.wsgi", "--bind", f"127.0.0.1:{port}"]
        + ["--workers", "1", "--threads", "4", "--log-level", "warning"],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/api/v1/regions", timeout=1)  # noqa: S310
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError((var / "server.log").read_text()) from None
                time.sleep(0.1)
        else:
            raise RuntimeError("the server did not start: " + (var / "server.log").read_text())
        yield url
    finally:
        server.terminate()
        server.wait(timeout=10)
        log.close()


@pytest.fixture(scope="session")
def playwright_instance(django_db_setup: None) -> Iterator[Playwright]:
    # Playwright's sync API runs the tests inside its event loop's context. Django's guard
    # against database calls from async code would see the loop, though no coroutine calls
    # us; and the connections are per context, so the new ones must be given the snapshot
    # that serialized_rollback restores from.
    snapshots = {
        alias: getattr(connections[alias], "_test_serialized_contents", None)
        for alias in connections
    }
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as p:
        for alias, snapshot in snapshots.items():
            if snapshot is not None:
                connections[alias]._test_serialized_contents = snapshot
        yield p
    del os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"]


@pytest.fixture(scope="session")
def browser(playwright_instance: Playwright) -> Iterator[Browser]:
    # `make test` installs both; a journey never skips for want of them, it fails saying so.
    if not Path(CHROMIUM).exists():
        pytest.fail("No chromium: run 'make browser' (apt-get install chromium).", pytrace=False)
    if not AXE.exists():
        pytest.fail(f"No {AXE.relative_to(ROOT)}: run 'make install' (npm ci).", pytrace=False)
    browser = playwright_instance.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=["--no-sandbox"]
    )
    yield browser
    browser.close()


@dataclass
class Visit:
    """One person at one browser: a page, the server's address, and what was checked."""

    page: Page
    base: str
    name: str
    language: str
    checked: list[str] = field(default_factory=list)
    card_tables: int = 0

    def go(self, path: str) -> None:
        self.page.goto(self.base + path)

    def login(self, user: User) -> None:
        self.go("/login/")
        self.page.fill("#id_username", user.username)
        self.page.fill("#id_password", PASSWORD)
        self.page.locator("main form [type=submit]").click()
        self.page.wait_for_load_state()

    def shot(self, label: str) -> None:
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        # The whole page, down to a few screens: a phone's long lists of cards would
        # otherwise make an image too large to take in time.
        width, height, screen = self.page.evaluate(
            """() => [document.documentElement.scrollWidth,
                      document.documentElement.scrollHeight, window.innerHeight]"""
        )
        clip = {"x": 0, "y": 0, "width": width, "height": min(height, SHOT_SCREENS * screen)}
        self.page.screenshot(
            path=SCREENSHOTS / f"{self.name}-{label}.png", full_page=True, clip=clip
        )

    def axe(self) -> None:
        """Zero serious or critical WCAG 2.1 A/AA violations on the page as it is now."""
        self.page.add_script_tag(path=str(AXE))
        result = self.page.evaluate(
            """() => axe.run(document, {runOnly: {type: 'tag',
                 values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']},
                 resultTypes: ['violations']})"""
        )
        bad = [
            {
                "id": v["id"],
                "impact": v["impact"],
                "help": v["help"],
                "targets": [n["target"] for n in v["nodes"]][:5],
            }
            for v in result["violations"]
            if v["impact"] in ("serious", "critical")
        ]
        assert not bad, f"{self.page.url}: {json.dumps(bad, indent=1, ensure_ascii=False)}"
        self._reflows()
        if self.phone:
            self._fits_a_phone()
        self.checked.append(self.page.url)

    @property
    def phone(self) -> bool:
        size = self.page.viewport_size
        return size is not None and size["width"] <= PHONE_WIDTH

    def _reflows(self) -> None:
        """Reflow (WCAG 1.4.10): the page never scrolls sideways; on a phone, wide tables
        become cards."""
        overflow = self.page.evaluate(
            "() => document.documentElement.scrollWidth - window.innerWidth"
        )
        if overflow > 0:
            wide = self.page.evaluate(
                """() => [...document.querySelectorAll('body *')]
                    .filter(el => el.getBoundingClientRect().right
                                  > document.documentElement.clientWidth)
                    .slice(0, 5)
                    .map(el => el.tagName + '.' + el.className + '#' + el.id)"""
            )
            raise AssertionError(f"{self.page.url} is {overflow}px too wide: {wide}")

    def _fits_a_phone(self) -> None:
        """The header takes at most 15 % of the first screen, and every table of records
        reads as cards: no header row, each cell named by its column."""
        header, screen = self.page.evaluate(
            """() => [document.querySelector('body > header').getBoundingClientRect().height,
                      window.innerHeight]"""
        )
        assert header <= HEADER_SHARE * screen, (self.page.url, header, screen)
        tables = self.page.evaluate(
            """() => [...document.querySelectorAll('main table.ry-table-cards')].map(t => ({
                  header: t.tHead ? getComputedStyle(t.tHead).display : 'none',
                  unnamed: [...t.tBodies].flatMap(b => [...b.rows]).flatMap(r => [...r.cells])
                      .filter(c => c.textContent.trim() && getComputedStyle(c).display !== 'none'
                                   && c.colSpan === 1
                                   && getComputedStyle(c, '::before').content
                                      !== JSON.stringify(c.dataset.label || ''))
                      .map(c => c.textContent.trim().slice(0, 40)),
                  display: getComputedStyle(t.tBodies[0].rows[0] || t).display}))"""
        )
        for table in tables:
            assert table["header"] == "none", (self.page.url, table)
            assert table["display"] == "block", (self.page.url, table)
            assert table["unnamed"] == [], (self.page.url, table)
        self.card_tables += len(tables)

    def tab_to(self, locator: Locator, limit: int = 150) -> None:
        """Press Tab until the element has focus, and check that the focus can be seen."""
        for _ in range(limit):
            self.page.keyboard.press("Tab")
            if locator.evaluate("el => el === document.activeElement"):
                break
        else:
            raise AssertionError(f"Tab never reached {locator} on {self.page.url}")
        # A radio button or checkbox of the design system is drawn by its label, which
        # shows the focus (the input itself is transparent).
        outline = locator.evaluate(
            """el => { const drawn = el.matches('.govuk-radios__input, .govuk-checkboxes__input');
                 const s = drawn ? getComputedStyle(el.labels[0], '::before')
                                 : getComputedStyle(el);
                 const ring = drawn ? getComputedStyle(el.labels[0], '::after') : s;
                 return [s.outlineStyle, parseFloat(s.outlineWidth),
                         drawn ? [s.boxShadow, ring.boxShadow].find(b => b !== 'none') || 'none'
                               : s.boxShadow]; }"""
        )
        style, width, shadow = outline
        assert (style != "none" and width >= 2) or shadow != "none", (
            f"focus not visible on {locator}: {outline}"
        )

    def see(self, text: str) -> None:
        assert text in self.page.inner_text("main"), (text, self.page.url)


@pytest.fixture(params=list(VIEWPORTS))
def viewport(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def open_visit(
    browser: Browser, live_url: str, viewport: str, request: pytest.FixtureRequest
) -> Iterator[Any]:
    """``open_visit(language)`` → a fresh browser context (own cookies) at this viewport."""
    contexts: list[BrowserContext] = []

    def make(language: str = "ru", who: str = "user", **options: Any) -> Visit:
        context = browser.new_context(
            locale=LOCALES[language],
            # axe is injected as a script; the page's own policy would rightly refuse it.
            bypass_csp=True,
            **{**VIEWPORTS[viewport], **options},
        )
        context.set_default_timeout(30_000)
        contexts.append(context)
        name = f"{request.node.originalname}-{viewport}-{language}-{who}"
        return Visit(page=context.new_page(), base=live_url, name=name, language=language)

    yield make
    for context in contexts:
        context.close()


def with_browser_password(user: User) -> User:
    """The server process checks passwords with the real hasher, not the tests' fast one."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.PBKDF2PasswordHasher"]):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
    return user
