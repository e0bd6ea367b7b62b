"""Staff edits in /admin/ are in the audit log: who, what, old and new values, no secrets and
no copy of free text (names, phones) that erasure would have to wipe."""

from __future__ import annotations

import json

import pytest
from django.conf import settings
from django.contrib import admin
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from ryadom.accounts.models import User
from ryadom.audit.backoffice import AuditedAdmin
from ryadom.audit.models import AuditEvent
from ryadom.veterans.models import Stay, Veteran
from tests import factories as f
from tests.admin_forms import admin_form, admin_post
from tests.conftest import Cast

pytestmark = pytest.mark.django_db

NEW_PHONE = "+79995554433"


@pytest.fixture
def staff(client: Client, admin_user: User) -> Client:
    client.force_login(admin_user)  # past the second factor (tests/conftest.py)
    return client


def _events(action: str, target: object) -> list[AuditEvent]:
    return list(
        AuditEvent.objects.filter(
            action=action,
            target_type=target._meta.label_lower,  # type: ignore[attr-defined]
            target_id=str(target.pk),  # type: ignore[attr-defined]
        ).order_by("pk")
    )


def _whole_log() -> str:
    return json.dumps(list(AuditEvent.objects.values_list("changes", flat=True)))


def test_a_staff_change_of_a_veteran_is_logged_with_its_fields_but_not_the_phone(
    cast: Cast, staff: Client, admin_user: User
) -> None:
    veteran = cast.veteran_a
    path = f"/admin/veterans/veteran/{veteran.pk}/change/"
    data = admin_form(staff, path)
    data["contact_route"], data["phone"] = ["own_phone"], [NEW_PHONE]

    admin_post(staff, path, data)

    [event] = _events("admin.changed", veteran)
    assert event.actor == admin_user
    assert (event.veteran_id, event.region_id) == (veteran.pk, veteran.home_region_id)
    # A choice keeps its values; free text is marked as filled in, never copied.
    assert event.changes == {"contact_route": ["ward", "own_phone"], "phone": ["", "…"]}
    assert NEW_PHONE not in _whole_log()
    veteran.refresh_from_db()
    assert veteran.phone == NEW_PHONE


def test_the_veteran_sees_the_back_office_change_in_their_access_log(
    cast: Cast, staff: Client
) -> None:
    path = f"/admin/veterans/veteran/{cast.veteran_a.pk}/change/"
    data = admin_form(staff, path)
    data["mobility_needs"] = ["Коляска"]
    admin_post(staff, path, data)

    veteran_client = Client()
    veteran_client.force_login(cast.veteran_user)
    veteran_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    page = veteran_client.get("/my/access-log/").content.decode()
    assert "Changed in the back office" in page


def test_inline_rows_are_logged_each_on_its_own(cast: Cast, staff: Client) -> None:
    institution = cast.institution_a
    department = f.DepartmentFactory(institution=institution, name="Хирургия")
    path = f"/admin/institutions/institution/{institution.pk}/change/"
    data = admin_form(staff, path)
    # One ward is renamed; the institution's own row is as it was.
    [name] = [k for k, v in data.items() if k.startswith("departments-") and v == ["Хирургия"]]
    data[name] = ["Хирургия, 2 этаж"]

    admin_post(staff, path, data)

    [event] = _events("admin.changed", department)
    assert list(event.changes) == ["name"]  # the field, its text blanked as all free text
    department.refresh_from_db()
    assert department.name == "Хирургия, 2 этаж"
    assert _events("admin.changed", institution) == []  # nothing of its own changed


def test_stays_are_only_shown_in_the_back_office_and_lead_to_the_veterans_page(
    cast: Cast, staff: Client
) -> None:
    """Stays change through admission, transfer and discharge, so requests follow the
    veteran: the back office shows them and links to the page where those are done."""
    stay = Stay.objects.get(veteran=cast.veteran_b)
    admitted = stay.admitted_on
    refused = [
        staff.get("/admin/veterans/stay/add/"),
        staff.post(
            "/admin/veterans/stay/add/",
            {
                "veteran": cast.veteran_b.pk,
                "institution": cast.institution_a.pk,
                "admitted_on": "2020-01-10",
            },
        ),
        staff.post(f"/admin/veterans/stay/{stay.pk}/change/", {"admitted_on": "2020-01-10"}),
        staff.post(f"/admin/veterans/stay/{stay.pk}/delete/", {"post": "yes"}),
    ]
    assert [r.status_code for r in refused] == [403] * 4
    staff.post(
        "/admin/veterans/stay/",
        {"action": "delete_selected", "_selected_action": [stay.pk], "post": "yes"},
    )
    shown = staff.get(f"/admin/veterans/stay/{stay.pk}/change/").content.decode()
    assert 'name="admitted_on"' not in shown and 'name="_save"' not in shown
    veteran_page = staff.get(
        f"/admin/veterans/veteran/{cast.veteran_b.pk}/change/", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()
    assert f'href="/veterans/{cast.veteran_b.pk}/"' in veteran_page
    assert "Transfer or discharge on the veteran" in veteran_page
    assert 'name="stays-0-admitted_on"' not in veteran_page
    # Relatives and consent too change only through their own steps (asking and approving,
    # giving and withdrawing), which tell care: the back office shows them.
    assert 'name="proxies-0-may_act"' not in veteran_page
    assert 'name="consents-0-withdrawn_at_0"' not in veteran_page

    assert list(Stay.objects.filter(veteran=cast.veteran_b)) == [stay]
    assert Stay.objects.get(pk=stay.pk).admitted_on == admitted
    assert not AuditEvent.objects.filter(action__startswith="admin.").exists()


def test_a_refused_save_leaves_no_event(cast: Cast, staff: Client) -> None:
    path = f"/admin/veterans/veteran/{cast.veteran_a.pk}/change/"
    data = admin_form(staff, path)
    data["home_region"] = [""]
    response = staff.post(path, data, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    assert not AuditEvent.objects.filter(action__startswith="admin.").exists()


def test_deleting_veterans_in_bulk_is_logged_row_by_row(staff: Client) -> None:
    # Veterans never admitted (a veteran with stays keeps them: stays are not deleted here).
    veterans = [f.VeteranFactory(), f.VeteranFactory()]
    response = staff.post(
        "/admin/veterans/veteran/",
        {"action": "delete_selected", "_selected_action": [v.pk for v in veterans], "post": "yes"},
    )
    assert response.status_code == 302
    for veteran in veterans:
        assert not Veteran.objects.filter(pk=veteran.pk).exists()
        [event] = _events("admin.deleted", veteran)
        assert event.veteran_id == veteran.pk
        assert event.changes["home_region"] == veteran.home_region_id
        assert event.changes["addressed_as"] == "…"  # the name is not kept after the person


def test_password_and_second_factor_changes_are_logged_without_the_secrets(
    cast: Cast, staff: Client
) -> None:
    person = cast.volunteer_user
    path = f"/admin/accounts/user/{person.pk}/change/"
    data = admin_form(staff, path)
    data["email"] = ["new-address@example.org"]
    admin_post(staff, path, data)
    [event] = _events("admin.changed", person)
    assert event.changes == {"email": ["", "…"]}

    admin_post(
        staff,
        f"/admin/accounts/user/{person.pk}/password/",
        {
            "password1": ["a-new-long-passphrase-42"],
            "password2": ["a-new-long-passphrase-42"],
            "usable_password": ["true"],
        },
    )
    person.refresh_from_db()
    assert [e.changes for e in _events("admin.changed", person)][-1] == {"fields": ["password"]}

    device = TOTPDevice.objects.create(user=person, name="phone", confirmed=True)
    admin_post(staff, f"/admin/otp_totp/totpdevice/{device.pk}/delete/", {"post": ["yes"]})
    [event] = _events("admin.deleted", device)
    assert event.changes["key"] == "…" and event.changes["user"] == person.pk

    log = _whole_log()
    assert person.password not in log and device.key not in log
    assert "new-address@example.org" not in log


def test_every_admin_of_the_back_office_is_audited() -> None:
    missed = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if not isinstance(model_admin, AuditedAdmin)
    ]
    assert missed == []
