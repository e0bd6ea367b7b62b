"""Journey 5: everyone gets in without the back office. A nurse registers an admission on a
phone; the veteran confirms consent with the code their phone received; their daughter signs
up from the ward's QR code and the veteran approves her; she writes what matters and asks for
help in three steps; the coordinator reads it and assigns a volunteer, who sees only what a
visit needs; the veteran is transferred to a hospital in another region and the request
follows. No page of /admin/ is opened."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page
from tests import factories as f
from tests.browser.conftest import Visit, with_browser_password
from tests.browser.test_journey_ask import service_name, t
from tests.browser.test_journey_volunteer import sign_in_staff
from tests.conftest import Cast

from ryadom.care.models import CareRequest, Status
from ryadom.notifications.models import Message
from ryadom.veterans.models import Consent, ConsentMethod, Proxy, ProxyStatus, Veteran

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PHONE = "+7 900 765-43-21"
DAUGHTER = "daughter@example.org"
NAME = "Алексей Иванович"


def _code(kind: str, address: str) -> str:
    body = Message.objects.filter(kind=kind, address=address).latest("pk").body
    found = re.search(r"\b(\d{6})\b", body)
    assert found is not None, body
    return found.group(1)


def _submit(page: Page, label: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()


def _sign_up(v: Visit, path: str, address: str) -> None:
    """/join/ with a destination: the address, then the code from the message."""
    page = v.page
    page.get_by_label(t(v, "Your e-mail or mobile phone")).fill(address)
    v.axe()
    _submit(page, t(v, "Send me a code"))
    kind_address = "+79007654321" if address == PHONE else address
    page.get_by_label(t(v, "The code from the message")).fill(_code("one_time_code", kind_address))
    v.axe()
    _submit(page, t(v, "Continue"))
    page.wait_for_url(f"**{path}**")


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_veteran_gets_help_without_anyone_opening_the_back_office(
    care_cast: Cast, open_visit, language: str
) -> None:
    c = care_cast
    ward = f.DepartmentFactory(institution=c.institution_a, name="Кардиология")
    for user in (c.liaison, c.coord_a, c.volunteer_user):
        with_browser_password(user)
    opened: list[str] = []

    # 1. The nurse, on her phone, registers the admission: name, ward, date, consent by code.
    nurse = open_visit(language, "nurse")
    nurse.page.on("request", lambda r: opened.append(r.url))
    sign_in_staff(nurse, c.liaison, "/admissions/new/")
    page = nurse.page
    nurse.axe()
    page.get_by_label(t(nurse, "How the veteran wishes to be addressed")).fill(NAME)
    page.get_by_label(t(nurse, "Gender")).select_option("m")
    page.get_by_label(t(nurse, "Ward")).select_option(f"{c.institution_a.pk}-{ward.pk}")
    page.get_by_label(t(nurse, "The veteran's mobile phone")).fill(PHONE)
    nurse.shot("1-admission")
    _submit(page, t(nurse, "Register the admission"))
    assert "/veterans/" in page.url, page.inner_text("main")
    nurse.see(t(nurse, "The admission is registered."))
    nurse.see(t(nurse, "Code for the admission slip"))
    nurse.axe()
    veteran = Veteran.objects.get(addressed_as=NAME)

    # 2. The veteran reads out the code his phone received; the nurse types it in.
    page.get_by_label(t(nurse, "The code the veteran received")).fill(
        _code("consent_code", "+79007654321")
    )
    _submit(page, t(nurse, "Confirm consent"))
    nurse.see(t(nurse, "The veteran's consent is recorded."))
    nurse.axe()
    nurse.shot("2-consent")
    consent = Consent.objects.get(veteran=veteran)
    assert consent.method == ConsentMethod.CODE and consent.recorded_by == c.liaison

    # 3. His daughter scans the ward's QR code, signs up with her e-mail, asks to act for him.
    daughter = open_visit(language, "daughter")
    daughter.page.on("request", lambda r: opened.append(r.url))
    page = daughter.page
    daughter.go(f"/ward/{c.institution_a.pk}/{ward.pk}/")
    page.wait_for_url("**/start/**")
    daughter.axe()
    daughter.shot("3-start")
    page.get_by_role("link", name=t(daughter, "I am a relative")).click()
    page.wait_for_url("**/join/**")
    _sign_up(daughter, "/my/relatives/ask/", DAUGHTER)
    daughter.axe()
    page.get_by_label(t(daughter, "The veteran's name, as the ward knows it")).fill(NAME)
    page.get_by_label(t(daughter, "Who you are to them")).fill("дочь")
    _submit(page, t(daughter, "Ask the veteran"))
    daughter.see(t(daughter, "Waiting for the veteran's approval"))
    assert NAME not in page.inner_text("main")  # nothing personal before he approves
    daughter.axe()

    # 4. The veteran signs in with his phone and approves her.
    dad = open_visit(language, "veteran")
    dad.page.on("request", lambda r: opened.append(r.url))
    dad.go("/join/?next=/my/relatives/")
    _sign_up(dad, "/my/relatives/", PHONE)
    dad.axe()
    dad.shot("4-approve")
    _submit(dad.page, t(dad, "Approve"))
    dad.see(t(dad, "Your answer is recorded."))
    dad.axe()
    assert Proxy.objects.get(veteran=veteran).status == ProxyStatus.APPROVED

    # 5. She writes what matters to him, then asks for help in three steps.
    daughter.go("/my/relatives/")
    daughter.see(NAME)
    daughter.axe()
    page.get_by_role("link", name=re.compile(re.escape(NAME))).click()
    page.get_by_label(t(daughter, "What matters to me")).fill("Любит шахматы и тишину")
    page.get_by_label(t(daughter, "Communication")).fill("Плохо слышит: пишите записки")
    page.get_by_label(t(daughter, "Moving about")).fill("На коляске")
    daughter.axe()
    _submit(page, t(daughter, "Save"))
    daughter.go("/ask/")
    page.get_by_label(service_name(daughter, "leisure.reading")).check()
    daughter.axe()
    _submit(page, t(daughter, "Next"))
    page.get_by_label(t(daughter, "Details")).fill("Почитать вслух")
    _submit(page, t(daughter, "Next"))
    daughter.axe()
    _submit(page, t(daughter, "Send the request"))
    page.wait_for_url("**/my/")
    daughter.axe()
    request = CareRequest.objects.get(veteran=veteran)
    assert request.requested_by is not None and request.requested_by.email == DAUGHTER

    # 6. The coordinator reads what matters and assigns the volunteer.
    coordinator = open_visit(language, "coordinator")
    coordinator.page.on("request", lambda r: opened.append(r.url))
    sign_in_staff(coordinator, c.coord_a, f"/requests/{request.pk}/")
    coordinator.see("Любит шахматы и тишину")
    coordinator.see("Плохо слышит: пишите записки")
    coordinator.axe()
    coordinator.shot("6-what-matters")
    form = coordinator.page.locator(
        "form", has=coordinator.page.locator("input[type=radio][name=volunteer]")
    )
    form.locator(f"input[name=volunteer][value='{c.volunteer_a.pk}']").check()
    with coordinator.page.expect_navigation():
        form.get_by_role("button", name=t(coordinator, "Assign")).click()
    coordinator.see(t(coordinator, "The helper is assigned."))
    coordinator.axe()

    # 7. The volunteer sees how to address him, communication and mobility; not the rest.
    helper = open_visit(language, "volunteer")
    helper.page.on("request", lambda r: opened.append(r.url))
    helper.login(c.volunteer_user)
    helper.go(f"/requests/{request.pk}/")
    helper.see(t(helper, "What you need to know for the visit"))
    helper.see("Плохо слышит: пишите записки")
    helper.see("На коляске")
    assert "Любит шахматы" not in helper.page.inner_text("main")
    helper.axe()
    helper.shot("7-need-to-know")

    # 8. He is transferred to a hospital in another region; the open request follows.
    nurse.go(f"/veterans/{veteran.pk}/")
    nurse.page.get_by_label(t(nurse, "Transferred to")).select_option(str(c.institution_b.pk))
    _submit(nurse.page, t(nurse, "Record the transfer"))
    nurse.see(t(nurse, "The transfer is recorded; open requests moved with them."))
    nurse.axe()
    request.refresh_from_db()
    assert request.institution == c.institution_b
    assert request.region.code == "61"
    assert request.coordinator == c.coord_b
    assert request.status == Status.TRIAGED  # back in the queue there, the volunteer released

    assert not [url for url in opened if "/admin/" in url]
