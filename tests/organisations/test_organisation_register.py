from __future__ import annotations

import pytest
from django.test import Client
from django.utils import translation

from ryadom.accounts.models import User
from ryadom.audit.models import AuditEvent
from ryadom.core.validation import InvalidInput
from ryadom.organisations.models import Organisation
from ryadom.organisations.services import organisation_register
from tests import factories as f

pytestmark = pytest.mark.django_db

GOOD_INN = f.valid_inn(1234)
GOOD_OGRN = f.valid_ogrn(1234)


def _register(**overrides: str) -> Organisation:
    fields = {"name": "АНО «Плечом к плечу»", "inn": GOOD_INN, "ogrn": GOOD_OGRN, "kind": "ano"}
    fields.update(overrides)
    return organisation_register(
        actor=None, home_region=f.region("77"), regions=[f.region("77"), f.region("50")], **fields
    )


def test_an_ngo_with_valid_inn_and_ogrn_is_registered_and_audited() -> None:
    organisation = _register()
    assert organisation.regions.count() == 2
    event = AuditEvent.objects.get(action="organisation.registered")
    assert event.target_id == str(organisation.pk)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("inn", GOOD_INN[:-1] + str((int(GOOD_INN[-1]) + 1) % 10), "not a valid INN"),
        ("inn", "12345", "not a valid INN"),
        ("inn", "500100732259", "not a valid INN"),  # a valid person's INN, not an NGO's
        ("ogrn", GOOD_OGRN[:-1] + str((int(GOOD_OGRN[-1]) + 1) % 10), "not a valid OGRN"),
        ("ogrn", "abc", "not a valid OGRN"),
    ],
)
def test_a_wrong_check_digit_or_length_is_refused_with_the_field_named(
    field: str, value: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as exc:
        _register(**{field: value})
    assert message in " ".join(exc.value.errors[field])
    assert not Organisation.objects.exists()
    assert not AuditEvent.objects.exists()


def test_the_message_is_in_russian_for_a_russian_reader() -> None:
    with translation.override("ru"), pytest.raises(InvalidInput) as exc:
        _register(inn="12345")
    assert "неправильный ИНН организации" in exc.value.errors["inn"][0]


def test_the_admin_shows_the_checksum_error_and_saves_nothing(
    client: Client, admin_user: User
) -> None:
    client.force_login(admin_user)
    bad_inn = GOOD_INN[:-1] + str((int(GOOD_INN[-1]) + 1) % 10)
    response = client.post(
        "/admin/organisations/organisation/add/",
        {
            "name": "АНО «Тест»",
            "inn": bad_inn,
            "ogrn": GOOD_OGRN,
            "kind": "ano",
            "home_region": f.region("77").pk,
            "regions": [f.region("77").pk],
            "weekly_capacity": 5,
            "statuses-TOTAL_FORMS": 0,
            "statuses-INITIAL_FORMS": 0,
            "agreements-TOTAL_FORMS": 0,
            "agreements-INITIAL_FORMS": 0,
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200
    assert "is not a valid INN" in response.content.decode()
    assert not Organisation.objects.exists()
