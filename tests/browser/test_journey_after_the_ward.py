"""Journey 6: after the ward. A veteran from Kursk is discharged from a Moscow hospital; the
liaison writes the discharge plan with his consent to hand it over home; the Kursk coordinator
finds the hand-over, makes the 7-day follow-up call, refers him to an employment centre; the
centre accepts through its signed link and reports that he is employed; his checklist of
benefits shows the measures he can apply for."""

from __future__ import annotations

import datetime
import re

import pytest
from django.utils import timezone
from playwright.sync_api import Page
from tests import factories as f
from tests.browser.conftest import with_browser_password
from tests.browser.test_journey_ask import t
from tests.browser.test_journey_volunteer import sign_in_staff
from tests.conftest import Cast

from ryadom.accounts.models import Role
from ryadom.accounts.services import role_assign
from ryadom.aftercare.models import ContactOutcome, DischargePlan, PlanStatus
from ryadom.notifications.models import Message
from ryadom.referrals.models import Outcome, PartnerKind, Referral, Status
from ryadom.referrals.services import partner_create
from ryadom.veterans.models import ConsentPurpose
from ryadom.veterans.staff_consent import consent_record_in_person
from ryadom.veterans.stays import stay_discharge

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

NAME = "Сергей Николаевич"
CENTRE_EMAIL = "centre@zan-kursk.example.ru"


def _submit(page: Page, label: str) -> None:
    with page.expect_navigation():
        page.get_by_role("button", name=label).click()


def _partner_path() -> str:
    """The signed link of the centre's e-mail, as the centre follows it."""
    message = Message.objects.get(kind="referral_to_partner", address=CENTRE_EMAIL)
    found = re.search(r"https?://[^/\s]+(/p/r/[^\s]+/)", message.body)
    assert found, message.body
    return found.group(1)


@pytest.mark.parametrize("language", ["ru", "en"])
def test_a_veteran_discharged_in_moscow_is_followed_up_at_home_in_kursk(
    care_cast: Cast, open_visit, language: str
) -> None:
    c = care_cast
    today = timezone.localdate()
    kursk = f.region("46")
    home_coordinator = f.UserFactory(username="coord_kursk")
    role_assign(
        actor=None, user=home_coordinator, role=Role.REGIONAL_COORDINATOR, scope_id=kursk.pk
    )
    veteran = f.VeteranFactory(addressed_as=NAME, home_region=kursk, phone="+79051234567")
    f.StayFactory(
        veteran=veteran,
        institution=c.institution_a,
        admitted_on=today - datetime.timedelta(days=40),
    )
    # He told the ward he agrees that partner services see his details.
    consent_record_in_person(
        actor=c.liaison,
        veteran=veteran,
        purpose=ConsentPurpose.PARTNER,
        method="spoken",
        witness="Медсестра Иванова",
    )
    # Discharged a week ago: the 7-day contact is due today.
    stay = stay_discharge(actor=c.liaison, veteran=veteran, on=today - datetime.timedelta(days=7))
    centre = partner_create(
        actor=c.federal,
        name="Центр занятости населения Курска",
        kind=PartnerKind.EMPLOYMENT,
        region=kursk,
        contact_person="Ольга Петровна Сидорова",
        phone="+7 4712 00-00-01",
        email=CENTRE_EMAIL,
        offers="Подбор вакансий, переобучение",
    )
    for user in (c.liaison, home_coordinator):
        with_browser_password(user)

    # 1. The Moscow liaison finds the discharge without a plan and writes it: home is Kursk,
    # he needs work, and he agreed aloud, before a witness, to hand the case over home.
    nurse = open_visit(language, "liaison")
    sign_in_staff(nurse, c.liaison, "/aftercare/")
    page = nurse.page
    nurse.see(NAME)
    nurse.axe()
    with page.expect_navigation():
        page.locator(f"main a[href='/aftercare/discharges/{stay.pk}/plan/']").click()
    nurse.axe()
    page.get_by_label(t(nurse, "Home region")).select_option(str(kursk.pk))
    page.get_by_label(t(nurse, "Work or study"), exact=True).check()
    page.get_by_label(t(nurse, "Family contact"), exact=True).fill("Анна Петрова")
    page.get_by_label(t(nurse, "Family contact's phone")).fill("+7 900 123-45-67")
    page.get_by_label(t(nurse, "Said aloud to me before a witness")).check()
    page.get_by_label(t(nurse, "Witness"), exact=True).fill("Медсестра Иванова")
    nurse.shot("1-plan")
    _submit(page, t(nurse, "Record the plan"))
    nurse.see(t(nurse, "The discharge plan is recorded."))
    nurse.axe()
    plan = DischargePlan.objects.get(veteran=veteran)
    assert plan.status == PlanStatus.HANDED_OVER and plan.owner == home_coordinator
    assert plan.home_region == kursk
    contact = plan.contacts.get(days_after=7)
    assert contact.due_on == today

    # 2. The Kursk coordinator finds the hand-over and the call due today.
    coordinator = open_visit(language, "coordinator")
    sign_in_staff(coordinator, home_coordinator, "/aftercare/")
    page = coordinator.page
    coordinator.see(NAME)
    assert page.locator(f"main a[href='/aftercare/plans/{plan.pk}/']").count() == 1
    coordinator.axe()
    coordinator.shot("2-handed-over")

    # 3. The 7-day call: his number is one tap away; he answered.
    with page.expect_navigation():
        page.locator(f"main a[href='/aftercare/contacts/{contact.pk}/']").click()
    assert page.locator("main a[href='tel:+79051234567']").count() == 1
    coordinator.axe()
    page.get_by_label(t(coordinator, "Reached"), exact=True).check()
    page.get_by_label(t(coordinator, "Note"), exact=True).fill("Ищет работу водителем")
    coordinator.shot("3-contact")
    _submit(page, t(coordinator, "Record the attempt"))
    coordinator.see(t(coordinator, "The attempt is recorded."))
    coordinator.axe()
    contact.refresh_from_db()
    assert contact.outcome == ContactOutcome.REACHED

    # 4. He wants work: the coordinator refers him to the employment centre.
    coordinator.go(f"/referrals/new/?veteran={veteran.pk}")
    coordinator.see(NAME)
    coordinator.axe()
    page.get_by_label(t(coordinator, "Partner service")).select_option(str(centre.pk))
    page.get_by_label(t(coordinator, "What the veteran needs")).select_option("work")
    page.get_by_label(t(coordinator, "Note for the partner")).fill("Водитель категории C")
    page.get_by_label(
        t(coordinator, "The veteran agrees that the partner sees their phone number")
    ).check()
    _submit(page, t(coordinator, "Send the referral"))
    coordinator.see(t(coordinator, "The referral is sent; the partner has its link."))
    coordinator.axe()
    coordinator.shot("4-referral")
    referral = Referral.objects.get(veteran=veteran)
    assert referral.partner == centre and referral.status == Status.SENT

    # 5. The centre follows the link in its e-mail, with no account: accepts, then reports
    # that he is employed.
    partner = open_visit(language, "centre")
    partner.go(_partner_path())
    partner.see(NAME)
    partner.see("+79051234567")
    partner.axe()
    _submit(partner.page, t(partner, "Accept"))
    referral.refresh_from_db()
    assert referral.status == Status.ACCEPTED, partner.page.content()[:2000]
    partner.axe()
    partner.page.get_by_label(t(partner, "Outcome"), exact=True).select_option(
        Outcome.EMPLOYED.value
    )
    _submit(partner.page, t(partner, "Report the outcome"))
    partner.see(t(partner, "Thank you: your answer is recorded."))
    partner.axe()
    partner.shot("5-employed")
    referral.refresh_from_db()
    assert referral.status == Status.DONE and referral.outcome == Outcome.EMPLOYED

    # The coordinator sees the loop closed.
    coordinator.go(f"/referrals/{referral.pk}/")
    coordinator.see(t(coordinator, "Employed"))
    coordinator.axe()

    # 6. The coordinator answers the navigator's questions with him; his checklist shows
    # what he can apply for.
    coordinator.go(f"/veterans/{veteran.pk}/entitlements/")
    coordinator.axe()
    with page.expect_navigation():
        page.get_by_role("link", name=t(coordinator, "Answer the questions")).click()
    coordinator.axe()
    page.get_by_label(t(coordinator, "Participant of the special military operation")).check()
    page.get_by_label(t(coordinator, "Wounded or injured in service")).check()
    page.get_by_label(t(coordinator, "Children under 18")).fill("2")
    page.get_by_label(t(coordinator, "Served from")).fill("2024-03-01")
    page.get_by_label(t(coordinator, "Served until")).fill("2025-02-28")
    _submit(page, t(coordinator, "Show my checklist"))
    assert page.url.endswith(f"/veterans/{veteran.pk}/entitlements/"), page.inner_text("main")
    coordinator.see(t(coordinator, "Saved. Here is what you are likely entitled to."))
    to_apply = page.locator('main article[data-testid="to-apply"]')
    assert to_apply.count() >= 2, page.inner_text("main")
    coordinator.axe()
    coordinator.shot("6-checklist")
