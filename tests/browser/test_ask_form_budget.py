"""The request form for people on slow phones, without JavaScript, with large text."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
from tests.browser.conftest import Visit, with_browser_password
from tests.browser.test_journey_ask import _ward_link, service_name, t
from tests.conftest import Cast

from ryadom.care.models import CareRequest

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

BUDGET_BYTES = 150 * 1024
TOUCH_TARGET_PX = 44


def _sign_in_at_the_ward(cast: Cast, v: Visit) -> None:
    v.go(_ward_link(cast))
    v.page.locator("main").get_by_role("link", name=t(v, "Sign in")).click()
    v.page.wait_for_url("**/login/**")
    v.page.fill("#id_username", cast.relative.username)
    v.page.fill("#id_password", "a-long-browser-password-2026")
    v.page.get_by_role("button", name=t(v, "Sign in")).click()
    v.page.wait_for_url("**/ask/**")


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_the_request_form_works_without_javascript(care_cast: Cast, open_visit) -> None:
    with_browser_password(care_cast.relative)
    v: Visit = open_visit("ru", "nojs", java_script_enabled=False)
    _sign_in_at_the_ward(care_cast, v)
    v.page.get_by_label(service_name(v, "tech.letter")).check()
    v.page.get_by_role("button", name=t(v, "Next")).click()
    v.page.get_by_label(t(v, "Details")).fill("Написать письмо маме")
    v.page.get_by_role("button", name=t(v, "Next")).click()
    v.page.get_by_role("button", name=t(v, "Send the request")).click()
    v.page.wait_for_url("**/my/")
    v.see(service_name(v, "tech.letter"))
    assert CareRequest.objects.get(veteran=care_cast.veteran_a).details == "Написать письмо маме"


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_the_request_form_is_light_and_served_by_us_alone(care_cast: Cast, open_visit) -> None:
    with_browser_password(care_cast.relative)
    v: Visit = open_visit("ru", "weight")
    _sign_in_at_the_ward(care_cast, v)
    hosts: set[str] = set()
    v.page.on("request", lambda r: hosts.add(urlsplit(r.url).netloc))
    v.page.reload()
    v.page.wait_for_load_state("networkidle")
    transferred = v.page.evaluate(
        """() => [...performance.getEntriesByType('navigation'),
                  ...performance.getEntriesByType('resource')]
                 .reduce((sum, e) => sum + (e.transferSize || e.encodedBodySize || 0), 0)"""
    )
    assert 0 < transferred < BUDGET_BYTES, transferred
    assert hosts == {urlsplit(v.base).netloc}


@pytest.mark.parametrize("viewport", ["phone"], indirect=True)
def test_every_control_of_the_request_form_is_a_large_touch_target(
    care_cast: Cast, open_visit
) -> None:
    with_browser_password(care_cast.relative)
    v: Visit = open_visit("ru", "touch")
    _sign_in_at_the_ward(care_cast, v)
    sizes = v.page.evaluate(
        """() => [...document.querySelectorAll(
                'main button, main a, main .choice label, main select, main textarea,'
                + ' main input:not([type=hidden]):not([type=radio]):not([type=checkbox])')]
            .filter(el => el.offsetParent !== null)
            .map(el => [el.tagName, el.textContent.trim().slice(0, 30),
                        el.getBoundingClientRect().height])"""
    )
    # A radio button's own circle is small; its label, the whole row, is the target.
    assert len(sizes) > 10
    small = [s for s in sizes if s[2] < TOUCH_TARGET_PX]
    assert small == []


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_the_request_form_reads_at_twice_the_text_size(care_cast: Cast, open_visit) -> None:
    with_browser_password(care_cast.relative)
    v: Visit = open_visit("ru", "zoom")
    _sign_in_at_the_ward(care_cast, v)
    v.page.evaluate("() => { document.documentElement.style.fontSize = '200%'; }")
    overflow = v.page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0
    v.shot("text-200")
    assert v.page.get_by_role("button", name=t(v, "Next")).is_visible()
