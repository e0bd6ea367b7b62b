"""A relative asks to act for a veteran; the veteran approves or refuses on their phone, or
the ward staff record the veteran's spoken answer. Until then, nothing personal is shown."""

from __future__ import annotations

import pytest
from django.test import Client
from django.utils import timezone

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import ConflictError, PermissionDeniedError
from ryadom.institutions.models import Department
from ryadom.notifications.models import Message
from ryadom.veterans.models import Consent, ConsentMethod, ConsentPurpose, Proxy, ProxyStatus
from ryadom.veterans.proxies import proxy_ask, proxy_decide
from ryadom.veterans.selectors import veterans_acting_for
from tests import factories as f
from tests.conftest import Cast, make_ready_for_care

pytestmark = pytest.mark.django_db


def _ward(c: Cast) -> Department:
    ward = f.DepartmentFactory(institution=c.institution_a)
    User.objects.filter(pk=c.veteran_user.pk).update(email="veteran@example.org")
    c.veteran_a.stays.update(department=ward)
    c.veteran_a.addressed_as = "Иван Петрович"
    c.veteran_a.save(update_fields=["addressed_as"])
    return ward


def _ask(c: Cast, person: User, name: str = "иван петрович") -> Proxy | None:
    return proxy_ask(
        actor=person,
        institution=c.institution_a,
        department=_ward(c),
        veteran_name=name,
        relation="жена",
    )


def test_a_relative_asks_and_the_veteran_is_told_to_approve(cast: Cast) -> None:
    wife = f.UserFactory(email="wife@example.org")
    proxy = _ask(cast, wife)
    assert proxy is not None and proxy.status == ProxyStatus.ASKED and not proxy.may_act
    [message] = Message.objects.filter(recipient=cast.veteran_user, kind="proxy_asked")
    assert "/my/relatives/" in message.body


def test_until_approved_the_relative_sees_nothing_personal(cast: Cast) -> None:
    wife = f.UserFactory(email="wife@example.org")
    _ask(cast, wife)
    assert not veterans_acting_for(actor=User.objects.get(pk=wife.pk)).exists()
    client = Client()
    client.force_login(wife)
    page = client.get("/my/relatives/").content.decode()
    assert cast.veteran_a.addressed_as not in page
    assert (
        "Waiting for the veteran"
        in client.get("/my/relatives/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    )
    assert client.get(f"/api/v1/veterans/{cast.veteran_a.pk}").status_code == 404
    assert client.get(f"/veterans/{cast.veteran_a.pk}/what-matters/").status_code == 404
    assert "Иван Петрович" not in client.get("/ask/").content.decode()


def test_an_unknown_name_gets_the_same_answer_and_stores_nothing(cast: Cast) -> None:
    wife = f.UserFactory(email="wife@example.org")
    assert _ask(cast, wife, name="Никто Никтович") is None
    assert not Proxy.objects.filter(user=wife).exists()
    client = Client()
    client.force_login(wife)
    ward = cast.veteran_a.stays.get().department
    assert ward is not None
    response = client.post(
        f"/my/relatives/ask/?department={ward.pk}",
        {"ward": ward.pk, "veteran_name": "Никто Никтович", "relation": "жена"},
    )
    assert response.status_code == 302 and response["Location"] == "/my/relatives/"


def test_the_veteran_approves_and_the_relative_may_ask_for_help(cast: Cast) -> None:
    make_ready_for_care(cast)
    Consent.objects.filter(purpose=ConsentPurpose.PROXY).delete()
    wife = f.UserFactory(email="wife@example.org")
    proxy = _ask(cast, wife)
    assert proxy is not None
    proxy_decide(actor=cast.veteran_user, proxy=proxy, approve=True)
    assert proxy.may_act and proxy.status == ProxyStatus.APPROVED
    wife = User.objects.get(pk=wife.pk)
    assert scope_of(wife).has(Role.RELATIVE)
    consent = Consent.objects.get(veteran=cast.veteran_a, purpose=ConsentPurpose.PROXY)
    assert consent.given_by == cast.veteran_user and consent.method == ConsentMethod.ONLINE
    assert Message.objects.filter(recipient=wife, kind="proxy_approved").exists()
    service = ServiceType.objects.filter(is_active=True).first()
    assert service is not None
    made = request_create(
        actor=wife,
        service_type=service,
        institution=cast.institution_a,
        veteran=cast.veteran_a,
        channel="web",
    )
    assert made.pk


def test_the_veteran_refuses_and_the_relative_gets_nothing(cast: Cast) -> None:
    wife = f.UserFactory(email="wife@example.org")
    proxy = _ask(cast, wife)
    assert proxy is not None
    proxy_decide(actor=cast.veteran_user, proxy=proxy, approve=False)
    proxy.refresh_from_db()
    assert proxy.status == ProxyStatus.REFUSED and not proxy.may_act
    assert not scope_of(User.objects.get(pk=wife.pk)).has(Role.RELATIVE)
    assert Message.objects.filter(recipient=wife, kind="proxy_refused").exists()
    with pytest.raises(ConflictError):
        proxy_decide(actor=cast.veteran_user, proxy=proxy, approve=True)


def test_the_liaison_records_the_veterans_spoken_approval(cast: Cast) -> None:
    wife = f.UserFactory(email="wife@example.org")
    proxy = _ask(cast, wife)
    assert proxy is not None
    with pytest.raises(PermissionDeniedError):
        proxy_decide(actor=cast.coord_b, proxy=proxy, approve=True)
    with pytest.raises(PermissionDeniedError):
        proxy_decide(actor=wife, proxy=proxy, approve=True)
    proxy_decide(actor=cast.liaison, proxy=proxy, approve=True)
    consent = Consent.objects.get(veteran=cast.veteran_a, purpose=ConsentPurpose.PROXY)
    assert consent.method == ConsentMethod.SPOKEN and consent.given_by is None
    assert consent.recorded_by == cast.liaison
    assert proxy.decided_at is not None and proxy.decided_at <= timezone.now()


def test_the_veteran_answers_on_the_relatives_page(cast: Cast) -> None:
    wife = f.UserFactory(email="wife@example.org")
    proxy = _ask(cast, wife)
    assert proxy is not None
    client = Client()
    client.force_login(cast.veteran_user)
    page = client.get("/my/relatives/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "asks to ask for help on your behalf" in page
    assert client.post(f"/relatives/{proxy.pk}/approve/").status_code == 302
    proxy.refresh_from_db()
    assert proxy.status == ProxyStatus.APPROVED
    stranger = Client()
    stranger.force_login(cast.stranger)
    assert stranger.post(f"/relatives/{proxy.pk}/refuse/").status_code == 404
