"""Journey 2: someone who wants to help finds the nearest military hospital, signs up, sees
what is missing; the NGO manager and the hospital's liaison record the steps; the volunteer
takes a request there, checks in and out, and sees the hours."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone, translation
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import Locator
from tests import factories as f
from tests.browser.conftest import Visit, with_browser_password
from tests.browser.test_journey_ask import t
from tests.conftest import Cast, make_ready_for_care

from ryadom.accounts.models import Role, User
from ryadom.accounts.services import role_assign
from ryadom.care.models import Status
from ryadom.care.models import Visit as VisitRecord
from ryadom.care.services.coordination import request_triage
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.institutions.models import AccessLevel, Institution, InstitutionKind
from ryadom.notifications.models import Message
from ryadom.veterans.stays import stay_transfer
from ryadom.volunteers.models import CheckKind, CheckStatus, Gender, Volunteer
from ryadom.volunteers.services import check_record, membership_decide

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def _hospital(cast: Cast) -> Institution:
    make_ready_for_care(cast)
    hospital = f.InstitutionFactory(
        kind=InstitutionKind.MILITARY_HOSPITAL,
        access_level=AccessLevel.SCREENING,
        name="Военный госпиталь №1",
        region=cast.institution_a.region,
        lat=55.80,
        lon=37.70,
    )
    f.AgreementFactory(institution=hospital, organisation=cast.ngo_a)
    role_assign(actor=None, user=cast.liaison, role=Role.INSTITUTION_LIAISON, scope_id=hospital.pk)
    for weekday in range(7):
        hospital.visiting_hours.create(
            weekday=weekday, starts=datetime.time(8), ends=datetime.time(22)
        )
    stay_transfer(actor=None, veteran=cast.veteran_a, institution=hospital, on=timezone.localdate())
    return hospital


def _record_all(cast: Cast, volunteer: Volunteer) -> None:
    """The NGO's checks and the hospital's training, as their pages record them."""
    next_year = timezone.localdate() + datetime.timedelta(days=365)
    for kind in (CheckKind.IDENTITY, CheckKind.AGREEMENT, CheckKind.MEDICAL):
        check_record(
            actor=cast.ngo_manager, volunteer=volunteer, kind=kind, status=CheckStatus.PASSED
        )
    check_record(
        actor=cast.liaison,
        volunteer=volunteer,
        kind=CheckKind.TRAINING,
        status=CheckStatus.PASSED,
        detail="Курс",
    )
    for step in (CheckStatus.REQUESTED, CheckStatus.IN_PROGRESS):
        check_record(
            actor=cast.ngo_manager, volunteer=volunteer, kind=CheckKind.SCREENING, status=step
        )
    check_record(
        actor=cast.ngo_manager,
        volunteer=volunteer,
        kind=CheckKind.SCREENING,
        status=CheckStatus.PASSED,
        valid_until=next_year,
    )


def sign_in_staff(v: Visit, user: User, then: str) -> None:
    """Password; the first staff page asks for the code from the authenticator app
    (computed here from its key); then it opens."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    v.login(user)
    v.go(then)
    v.page.get_by_label(t(v, "Code")).wait_for()
    v.axe()
    code = f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"
    v.page.get_by_label(t(v, "Code")).fill(code)
    v.page.get_by_role("button", name=t(v, "Confirm")).click()
    v.page.wait_for_url(f"**{then}")


def record_check(
    v: Visit, name: str, kind: str, status: str = CheckStatus.PASSED, **fields: str
) -> None:
    """Open "Record a check of <name>" on the member's card and record one check."""
    page = v.page
    card = page.locator("article", has=page.get_by_role("heading", name=name, exact=True)).last
    with translation.override(v.language):
        kind_label, status_label = str(CheckKind(kind).label), str(CheckStatus(status).label)
    form = card.locator("details")
    if form.get_attribute("open") is None:
        form.locator("summary").click()
    form.get_by_label(t(v, "Check"), exact=True).select_option(label=kind_label)
    form.get_by_label(t(v, "Status"), exact=True).select_option(label=status_label)
    if "valid_until" in fields:
        form.get_by_label(t(v, "Valid until")).fill(fields["valid_until"])
    if "detail" in fields:
        form.get_by_label(t(v, "Course name or note")).fill(fields["detail"])
    form.get_by_role("button", name=t(v, "Record")).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_newcomer_gets_cleared_and_helps_in_a_military_hospital(
    cast: Cast, open_visit, language: str
) -> None:
    hospital = _hospital(cast)
    request = request_create(
        actor=cast.relative,
        service_type=ServiceType.objects.get(code="leisure.reading"),
        institution=hospital,
        veteran=cast.veteran_a,
        channel="web",
    )
    request_triage(actor=cast.coord_a, request=request)
    v: Visit = open_visit(
        language,
        "newcomer",
        geolocation={"latitude": 55.79, "longitude": 37.69},
        permissions=["geolocation"],
    )
    page = v.page

    # "Near me": the nearest military hospital comes first.
    v.go("/find/")
    v.axe()
    page.get_by_role("button", name=t(v, "Use my location")).click()
    page.wait_for_load_state()
    nearest = page.locator("main a[href^='/institutions/']").first
    assert nearest.inner_text() == "Военный госпиталь №1"
    v.shot("1-near-me")
    nearest.click()
    with translation.override(language):
        v.see(str(AccessLevel.SCREENING.label))
    v.axe()
    page.get_by_role("link", name=t(v, "Am I ready to work here?")).click()
    page.wait_for_load_state()
    # Sign up: the address, then the code that arrives there.
    v.axe()
    page.get_by_label(t(v, "Your e-mail or mobile phone")).fill("anna.helper@example.org")
    page.get_by_role("button", name=t(v, "Send me a code")).click()
    page.wait_for_load_state()
    message = Message.objects.filter(kind="one_time_code").latest("pk")
    code = re.search(r"\b(\d{6})\b", message.body)
    assert code, message.body
    v.axe()
    page.get_by_label(t(v, "The code from the message")).fill(code.group(1))
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state()
    # About you.
    v.axe()
    region = hospital.region
    with translation.override(language):
        region_name, female = region.name, str(Gender.FEMALE.label)
    page.get_by_label(t(v, "First name")).fill("Анна")
    page.get_by_label(t(v, "Region where you live")).select_option(label=region_name)
    page.get_by_label(female, exact=True).check()
    page.locator("#id_from_5").fill("10:00")
    page.locator("#id_to_5").fill("18:00")
    page.locator("main form [type=submit]").first.click()
    page.wait_for_load_state()
    # The checklist: what is missing, and whom to ask.
    v.see(t(v, "Not yet. What is left is marked below."))
    v.axe()
    v.shot("2-checklist")
    page.get_by_role("link", name=t(v, "Choose or join an NGO")).click()
    page.wait_for_load_state()
    v.axe()
    ngo_card = page.locator("article", has=page.get_by_role("heading", name=cast.ngo_a.name))
    ngo_card.get_by_role("button", name=re.compile(t(v, "Ask to join"))).click()
    page.wait_for_load_state()
    v.see(t(v, "You asked to join: waiting for the manager."))
    volunteer_user = User.objects.get(email="anna.helper@example.org")

    # The NGO manager approves and records the NGO's checks, screening in its three steps.
    with_browser_password(cast.ngo_manager)
    manager: Visit = open_visit(language, "manager")
    sign_in_staff(manager, cast.ngo_manager, then="/ngo/members/")
    manager.axe()
    manager.page.get_by_role("button", name=re.compile(t(manager, "Approve"))).click()
    manager.page.wait_for_load_state()
    for kind in (CheckKind.IDENTITY, CheckKind.AGREEMENT, CheckKind.MEDICAL):
        record_check(manager, "Анна", kind)
    next_year = (timezone.localdate() + datetime.timedelta(days=365)).isoformat()
    record_check(manager, "Анна", CheckKind.SCREENING, CheckStatus.REQUESTED)
    record_check(manager, "Анна", CheckKind.SCREENING, CheckStatus.IN_PROGRESS)
    record_check(manager, "Анна", CheckKind.SCREENING, valid_until=next_year)
    manager.axe()
    manager.shot("3-members")

    # The hospital's liaison records the training the hospital gives.
    with_browser_password(cast.liaison)
    liaison: Visit = open_visit(language, "liaison")
    sign_in_staff(liaison, cast.liaison, then="/institution/volunteers/")
    liaison.axe()
    record_check(liaison, "Анна", CheckKind.TRAINING, detail="Курс «Помощь в палате»")

    # Ready: the checklist says so, and the request at the hospital can be taken.
    v.go(f"/volunteer/checklist/?institution={hospital.pk}")
    v.see(t(v, "Yes: you may take requests here."))
    v.axe()
    v.go("/volunteer/")
    v.axe()
    page.get_by_role("button", name=re.compile(t(v, "Take this request"))).click()
    page.wait_for_load_state()
    v.see(t(v, "You took the request. Plan the visit."))
    page.get_by_role("link", name=t(v, "Plan the visit")).click()
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    plan = page.locator("form#schedule")
    plan.get_by_label(t(v, "Day of the visit")).fill(tomorrow.isoformat())
    plan.get_by_label(t(v, "From")).fill("10:00")
    plan.get_by_label(t(v, "Until")).fill("11:30")
    v.axe()
    plan.get_by_role("button", name=t(v, "Plan the visit")).click()
    page.wait_for_load_state()
    v.axe()
    page.get_by_role("button", name=t(v, "I have arrived (check in)")).click()
    page.wait_for_load_state()
    # An hour and a half in the ward passes; the visit's clock started at check-in.
    VisitRecord.objects.filter(request=request).update(
        checked_in_at=timezone.now() - datetime.timedelta(minutes=90)
    )
    page.get_by_label(t(v, "What was done")).fill("Читали Чехова, «Дама с собачкой».")
    page.get_by_role("button", name=t(v, "Done (check out)")).click()
    page.wait_for_load_state()
    v.axe()
    v.shot("4-done")

    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert request.volunteer.user == volunteer_user
    v.go("/volunteer/")
    v.see("1 h 30 min" if language == "en" else "1 ч 30 мин")
    v.shot("5-hours")


@pytest.mark.parametrize("viewport", ["desktop"], indirect=True)
def test_a_newcomer_does_the_volunteers_part_with_the_keyboard_alone(
    cast: Cast, open_visit
) -> None:
    """Tab to move, Enter to follow and press, Space to choose, typing to fill, the arrow key to
    go down a list; the NGO's and the hospital's part is recorded for them here."""
    hospital = _hospital(cast)
    request = request_create(
        actor=cast.relative,
        service_type=ServiceType.objects.get(code="leisure.reading"),
        institution=hospital,
        veteran=cast.veteran_a,
        channel="web",
    )
    request_triage(actor=cast.coord_a, request=request)
    v: Visit = open_visit(
        "ru",
        "keyboard",
        geolocation={"latitude": 55.79, "longitude": 37.69},
        permissions=["geolocation"],
    )
    page, keys = v.page, v.page.keyboard

    def press(locator: Locator, key: str = "Enter") -> None:
        v.tab_to(locator)
        with page.expect_navigation():
            keys.press(key)

    v.go("/find/")
    press(page.get_by_role("button", name=t(v, "Use my location")))
    press(page.locator("main a[href^='/institutions/']").first)
    press(page.get_by_role("link", name=t(v, "Am I ready to work here?")))
    v.tab_to(page.get_by_label(t(v, "Your e-mail or mobile phone")))
    keys.type("kira@example.org")
    with page.expect_navigation():
        keys.press("Enter")
    code = re.search(r"\b(\d{6})\b", Message.objects.filter(kind="one_time_code").latest("pk").body)
    assert code
    v.tab_to(page.get_by_label(t(v, "The code from the message")))
    keys.type(code.group(1))
    with page.expect_navigation():
        keys.press("Enter")

    v.tab_to(page.get_by_label(t(v, "First name")))
    keys.type("Кира")
    region = page.get_by_label(t(v, "Region where you live"))
    v.tab_to(region)
    for _ in range(120):  # down the list of regions with the arrow key
        if region.input_value() == str(hospital.region.pk):
            break
        keys.press("ArrowDown")
    assert region.input_value() == str(hospital.region.pk)
    v.tab_to(page.locator("input[name=gender]").first)  # the first choice: female
    keys.press("Space")
    press(page.locator("main form [type=submit]").first)

    v.see(t(v, "Not yet. What is left is marked below."))
    press(page.get_by_role("link", name=t(v, "Choose or join an NGO")))
    ngo_card = page.locator("article", has=page.get_by_role("heading", name=cast.ngo_a.name))
    press(ngo_card.get_by_role("button", name=re.compile(t(v, "Ask to join"))))
    v.see(t(v, "You asked to join: waiting for the manager."))

    volunteer = User.objects.get(email="kira@example.org").volunteer
    membership = volunteer.memberships.get()
    membership_decide(actor=cast.ngo_manager, membership=membership, approve=True)
    _record_all(cast, volunteer)

    v.go(f"/volunteer/checklist/?institution={hospital.pk}")
    v.see(t(v, "Yes: you may take requests here."))
    v.go("/volunteer/")
    press(page.get_by_role("button", name=re.compile(t(v, "Take this request"))))
    press(page.get_by_role("link", name=t(v, "Plan the visit")))
    plan = page.locator("form#schedule")
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    # The browser's date and time pickers take their text per segment; the value is set as
    # typed text once the field has the keyboard focus.
    for label, value in (
        ("Day of the visit", tomorrow.isoformat()),
        ("From", "10:00"),
        ("Until", "11:30"),
    ):
        field = plan.get_by_label(t(v, label), exact=True)
        v.tab_to(field)
        field.fill(value)
    press(plan.get_by_role("button", name=t(v, "Plan the visit")))
    press(page.get_by_role("button", name=t(v, "I have arrived (check in)")))
    v.tab_to(page.get_by_label(t(v, "What was done")))
    keys.type("Читали вслух.")
    press(page.get_by_role("button", name=t(v, "Done (check out)")))

    request.refresh_from_db()
    assert request.status == Status.COMPLETED
    assert request.volunteer == volunteer
