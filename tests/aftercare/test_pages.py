from __future__ import annotations

from typing import Any

from django.test import Client

from ryadom.aftercare.models import DischargePlan, PlanStatus
from ryadom.care.models import CareRequest
from tests.aftercare.conftest import discharge
from tests.conftest import Cast


def _page(client: Client, user: Any, path: str, **post: Any) -> Any:
    client.force_login(user)
    if post:
        return client.post(path, post)
    return client.get(path)


def test_a_discharge_without_a_plan_shows_on_the_queue_until_the_liaison_writes_one(
    care_cast: Cast, client: Client
) -> None:
    c = care_cast
    stay = discharge(c)
    notice = '<p class="govuk-inset-text" role="status"><a href="/aftercare/">'
    assert notice in _page(client, c.coord_a, "/queue/").content.decode()
    home = _page(client, c.liaison, "/aftercare/").content.decode()
    assert f"/aftercare/discharges/{stay.pk}/plan/" in home
    form = _page(client, c.liaison, f"/aftercare/discharges/{stay.pk}/plan/")
    assert form.status_code == 200
    refused = _page(
        client,
        c.liaison,
        f"/aftercare/discharges/{stay.pk}/plan/",
        home_region=c.veteran_a2.home_region_id,
        needs=["home_help"],
        consent_method="spoken",
        witness="",
    )
    assert refused.status_code == 400 and not DischargePlan.objects.exists()
    done = _page(
        client,
        c.liaison,
        f"/aftercare/discharges/{stay.pk}/plan/",
        home_region=c.veteran_a2.home_region_id,
        needs=["home_help", "transport"],
        family_phone="+7 900 000-00-01",
        consent_method="spoken",
        witness="Медсестра Иванова",
    )
    assert done.status_code == 302
    plan = DischargePlan.objects.get()
    assert plan.status == PlanStatus.HANDED_OVER and plan.owner == c.coord_b
    assert notice not in _page(client, c.coord_a, "/queue/").content.decode()
    assert (
        f"/aftercare/discharges/{stay.pk}/plan/"
        not in _page(client, c.liaison, "/aftercare/").content.decode()
    )


def test_the_home_coordinator_makes_the_contact_from_the_page_and_an_outsider_gets_404(
    handed_over: DischargePlan, care_cast: Cast, client: Client
) -> None:
    c = care_cast
    contact = handed_over.contacts.first()
    assert contact is not None
    path = f"/aftercare/contacts/{contact.pk}/"
    assert _page(client, c.coord_a, path).status_code == 404
    assert _page(client, c.ngo_manager, path).status_code == 404
    page = _page(client, c.coord_b, path)
    assert page.status_code == 200 and 'href="tel:+79001234567"' in page.content.decode()
    assert (
        _page(
            client,
            c.coord_b,
            path,
            result="new_needs",
            service_type="",
        ).status_code
        == 400
    )
    from ryadom.catalogue.models import ServiceType

    home_help = ServiceType.objects.get(code="after_discharge.home_help")
    assert (
        _page(client, c.coord_b, path, result="new_needs", service_type=home_help.pk).status_code
        == 302
    )
    contact.refresh_from_db()
    assert CareRequest.objects.filter(pk=contact.care_request_id, region__code="61").exists()


def test_the_veteran_sees_who_their_coordinator_at_home_is(
    handed_over: DischargePlan, care_cast: Cast, client: Client
) -> None:
    c = care_cast
    c.coord_b.first_name, c.coord_b.last_name, c.coord_b.phone = "Ольга", "Смирнова", "+79005550000"
    c.coord_b.save(update_fields=["first_name", "last_name", "phone"])
    # The relative of veteran_a (not a2) sees nothing of it; a2's own account sees it.
    assert "Смирнова" not in _page(client, c.relative, "/my/").content.decode()
    from tests import factories as f

    c.veteran_a2.user = f.UserFactory(username="a2")
    c.veteran_a2.save(update_fields=["user"])
    page = _page(client, c.veteran_a2.user, "/my/").content.decode()
    assert "Ольга Смирнова" in page and "tel:+79005550000" in page
