"""Journey 1: a relative scans the ward's QR code, asks for help in three steps, later sees
the status and confirms the work with feedback. With a mouse, and with the keyboard alone."""

from __future__ import annotations

import datetime

import pytest
from django.utils import timezone, translation
from django.utils.translation import gettext
from tests import factories as f
from tests.browser.conftest import Visit, with_browser_password
from tests.conftest import Cast

from ryadom.care.models import CareRequest, Feedback, Status
from ryadom.care.services.coordination import request_assign, request_triage
from ryadom.care.services.volunteer_work import request_check_in, request_complete, request_schedule
from ryadom.catalogue.models import ServiceType

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def t(visit: Visit, msgid: str) -> str:
    """A label as the person reads it, in the page's language."""
    with translation.override(visit.language):
        return gettext(msgid)


def service_name(visit: Visit, code: str) -> str:
    with translation.override(visit.language):
        return ServiceType.objects.get(code=code).name


def _helper_does_the_work(cast: Cast, request: CareRequest) -> None:
    """What happens between the two visits of the relative: triage, assignment, the visit."""
    request = request_triage(actor=cast.coord_a, request=request)
    request = request_assign(actor=cast.coord_a, request=request, volunteer=cast.volunteer_a)
    start = timezone.localtime(timezone.now()).replace(
        hour=10, minute=0, second=0, microsecond=0
    ) + datetime.timedelta(days=1)
    request = request_schedule(
        actor=cast.volunteer_user,
        request=request,
        starts=start,
        ends=start + datetime.timedelta(hours=1),
    )
    request = request_check_in(actor=cast.volunteer_user, request=request)
    request_complete(actor=cast.volunteer_user, request=request, outcome="Read aloud")


def _ward_link(cast: Cast) -> str:
    ward = f.DepartmentFactory(institution=cast.institution_a, name="Неврология")
    return f"/ward/{ward.institution_id}/{ward.pk}/"


@pytest.mark.parametrize("language", ["ru", "en"])
def test_relative_asks_from_the_ward_link_and_confirms(
    care_cast: Cast, open_visit, language: str
) -> None:
    with_browser_password(care_cast.relative)
    v: Visit = open_visit(language, "relative")
    page = v.page

    # The QR code on the ward's poster opens the ward link: who are you? Signing in first.
    v.go(_ward_link(care_cast))
    assert "/start/" in page.url
    v.axe()
    page.locator("main").get_by_role("link", name=t(v, "Sign in")).click()
    page.wait_for_url("**/login/**")
    v.axe()
    page.fill("#id_username", care_cast.relative.username)
    page.fill("#id_password", "a-long-browser-password-2026")
    page.get_by_role("button", name=t(v, "Sign in")).click()

    # Step 1: what help.
    page.wait_for_url("**/ask/**")
    v.axe()
    v.shot("1-what")
    page.get_by_label(service_name(v, "leisure.reading")).check()
    page.get_by_role("button", name=t(v, "Next")).click()

    # Step 2: when, and details. A missing time is fine ("any time").
    page.get_by_label(t(v, "Details")).fill("Любит Чехова, читать вслух по вечерам.")
    v.axe()
    page.get_by_role("button", name=t(v, "Next")).click()

    # Step 3: check and send.
    v.see("Любит Чехова")
    v.axe()
    v.shot("3-check")
    page.get_by_role("button", name=t(v, "Send the request")).click()
    page.wait_for_url("**/my/")
    v.see(t(v, "Your request is sent. The coordinator of the region will find a helper."))
    v.axe()
    v.shot("4-sent")

    request = CareRequest.objects.get(veteran=care_cast.veteran_a)
    assert request.details == "Любит Чехова, читать вслух по вечерам."
    assert request.status == Status.NEW
    assert request.requested_by == care_cast.relative

    _helper_does_the_work(care_cast, request)

    # Later: the relative's list shows it done and asks for an answer, right there.
    v.go("/my/")
    v.axe()
    v.shot("5-my")
    page.get_by_role("group", name=t(v, "Was it done?")).get_by_label(t(v, "Yes")).check()
    page.get_by_role(
        "group", name=t(v, "Were you listened to and treated with respect?")
    ).get_by_label(t(v, "Yes")).check()
    page.get_by_label(t(v, "Comment")).fill("Спасибо, очень внимательно.")
    v.axe()
    page.get_by_role("button", name=t(v, "Send my answer")).click()
    page.wait_for_load_state()
    v.see(t(v, "Thank you. Your answer is recorded."))
    v.axe()
    v.shot("6-confirmed")

    request.refresh_from_db()
    assert request.status == Status.CONFIRMED
    feedback = Feedback.objects.get(request=request)
    assert feedback.respectful is True
    assert feedback.comment == "Спасибо, очень внимательно."


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_relative_asks_and_confirms_with_the_keyboard_alone(care_cast: Cast, open_visit) -> None:
    """Tab to move, Space to choose, Enter to press: no mouse, focus always visible."""
    with_browser_password(care_cast.relative)
    v: Visit = open_visit("ru", "keyboard")
    page, keys = v.page, v.page.keyboard

    v.go(_ward_link(care_cast))
    v.tab_to(page.locator("main").get_by_role("link", name=t(v, "Sign in")))
    keys.press("Enter")
    page.wait_for_url("**/login/**")
    v.tab_to(page.locator("#id_username"))
    keys.type(care_cast.relative.username)
    v.tab_to(page.locator("#id_password"))
    keys.type("a-long-browser-password-2026")
    keys.press("Enter")
    page.wait_for_url("**/ask/**")

    # Tab enters the group of services at its first choice; Space chooses it.
    first = page.locator("input[name=service]").first
    v.tab_to(first)
    keys.press("Space")
    v.tab_to(page.get_by_role("button", name=t(v, "Next")))
    keys.press("Enter")
    page.get_by_label(t(v, "Details")).wait_for()
    v.tab_to(page.get_by_label(t(v, "Details")))
    keys.type("Нужны тапочки, 43 размер.")
    v.tab_to(page.get_by_role("button", name=t(v, "Next")))
    keys.press("Enter")
    send = page.get_by_role("button", name=t(v, "Send the request"))
    send.wait_for()
    v.tab_to(send)
    keys.press("Enter")
    page.wait_for_url("**/my/")
    v.shot("sent")

    request = CareRequest.objects.get(veteran=care_cast.veteran_a)
    assert request.service_type.code == "purchases.clothing"
    assert request.details == "Нужны тапочки, 43 размер."
    _helper_does_the_work(care_cast, request)

    v.go("/my/")
    done = page.get_by_role("group", name=t(v, "Was it done?")).get_by_label(t(v, "Yes"))
    v.tab_to(done)
    keys.press("Space")
    respect = page.get_by_role(
        "group", name=t(v, "Were you listened to and treated with respect?")
    ).get_by_label(t(v, "Yes"))
    v.tab_to(respect)
    keys.press("Space")
    v.tab_to(page.get_by_role("button", name=t(v, "Send my answer")))
    with page.expect_navigation():
        keys.press("Enter")
    v.see(t(v, "Thank you. Your answer is recorded."))

    request.refresh_from_db()
    assert request.status == Status.CONFIRMED
    assert Feedback.objects.get(request=request).respectful is True
