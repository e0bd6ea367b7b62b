"""Writes of relatives: asking to act for a veteran, and the veteran's (or the ward staff's
record of the veteran's spoken) answer."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.services import role_assign
from ryadom.audit.services import audit_record
from ryadom.core.errors import ConflictError
from ryadom.core.validation import InvalidInput
from ryadom.institutions.models import Department, Institution
from ryadom.veterans import events
from ryadom.veterans.consent import consent_audit
from ryadom.veterans.models import (
    Consent,
    ConsentMethod,
    ConsentPurpose,
    Proxy,
    ProxyStatus,
    Veteran,
)
from ryadom.veterans.services import phone_or_raise
from ryadom.veterans.stays import current_region_id, staff_of_current_stay_or_raise


def _ward_patient(
    *, institution: Institution, department: Department | None, name: str, phone: str
) -> Veteran | None:
    """The one patient now on this ward (or in this institution) with this phone, else this
    name; None when there is none or more than one."""
    here = Veteran.objects.filter(
        anonymised_at__isnull=True,
        stays__institution=institution,
        stays__discharged_on__isnull=True,
        **({"stays__department": department} if department else {}),
    )
    if phone:
        found = list(here.filter(Q(phone=phone) | Q(user__phone=phone)).distinct()[:2])
    else:
        # Compared in Python: SQLite's case-insensitive match knows only ASCII letters, and
        # one ward (or institution) has few patients.
        wanted = " ".join(name.split()).casefold()
        found = [
            v for v in here.distinct() if " ".join(v.addressed_as.split()).casefold() == wanted
        ]
    return found[0] if len(found) == 1 else None


@transaction.atomic
def proxy_ask(
    *,
    actor: User,
    institution: Institution,
    veteran_name: str,
    relation: str,
    department: Department | None = None,
    veteran_phone: str = "",
) -> Proxy | None:
    """A relative asks to act for a veteran on a ward. The answer is the same whether or not
    such a patient is there, so nothing about anyone leaks; a match waits for the veteran's
    approval (they are told on their phone) or the ward staff's record of it."""
    errors: dict[str, list[str]] = {}
    if not veteran_name.strip() and not veteran_phone.strip():
        errors["veteran_name"] = [_("Write the veteran's name as the ward knows it.")]
    if not relation.strip():
        errors["relation"] = [_("Write who you are to the veteran, e.g. wife, son.")]
    if errors:
        raise InvalidInput(errors)
    phone = phone_or_raise(veteran_phone) if veteran_phone.strip() else ""
    veteran = _ward_patient(
        institution=institution, department=department, name=veteran_name, phone=phone
    )
    if veteran is None or veteran.user_id == actor.pk:
        audit_record(actor=actor, action="proxy.ask_unmatched", target=institution)
        return None
    proxy, created = Proxy.objects.get_or_create(
        veteran=veteran,
        user=actor,
        defaults={"relation": relation.strip()[:60], "may_act": False, "status": "asked"},
    )
    if not created:
        return proxy
    audit_record(
        actor=actor,
        action="proxy.asked",
        target=proxy,
        region_id=institution.region_id,
        veteran_id=veteran.pk,
    )
    if veteran.user is not None:
        events.person_to_be_told.publish(
            recipient=veteran.user,
            kind="proxy_asked",
            context={
                "relation": proxy.relation,
                "url": f"{settings.SITE_URL}{reverse('veterans:relatives')}",
            },
            key=f"proxy:{proxy.pk}:asked",
        )
    return proxy


@transaction.atomic
def proxy_decide(*, actor: User, proxy: Proxy, approve: bool) -> Proxy:
    """The veteran approves or refuses a relative; or the ward staff record the veteran's
    spoken answer. Approval lets the relative act and records the consent to it."""
    veteran = proxy.veteran
    by_veteran = veteran.user_id is not None and veteran.user_id == actor.pk
    if not by_veteran:
        staff_of_current_stay_or_raise(actor, veteran)
    status = ProxyStatus.APPROVED if approve else ProxyStatus.REFUSED
    now = timezone.now()
    changed = Proxy.objects.filter(pk=proxy.pk, status=ProxyStatus.ASKED).update(
        status=status, may_act=approve, decided_by=actor, decided_at=now
    )
    if changed != 1:
        raise ConflictError(_("This request is already answered."))
    proxy.refresh_from_db()
    audit_record(
        actor=actor,
        action=f"proxy.{status}",
        target=proxy,
        region_id=current_region_id(veteran),
        veteran_id=veteran.pk,
        changes={"by": "veteran" if by_veteran else "staff"},
    )
    if approve:
        role_assign(actor=actor, user=proxy.user, role=Role.RELATIVE)
        _proxy_consent(actor=actor, veteran=veteran, by_veteran=by_veteran)
    events.person_to_be_told.publish(
        recipient=proxy.user,
        kind="proxy_approved" if approve else "proxy_refused",
        context={"url": f"{settings.SITE_URL}{reverse('care:ask')}"} if approve else {},
        key=f"proxy:{proxy.pk}:{status}",
    )
    return proxy


def _proxy_consent(*, actor: User, veteran: Veteran, by_veteran: bool) -> None:
    if Consent.objects.filter(
        veteran=veteran, purpose=ConsentPurpose.PROXY, withdrawn_at__isnull=True
    ).exists():
        return
    consent = Consent.objects.create(
        veteran=veteran,
        purpose=ConsentPurpose.PROXY,
        given_by=actor if by_veteran else None,
        recorded_by=actor,
        given_at=timezone.now(),
        method=ConsentMethod.ONLINE if by_veteran else ConsentMethod.SPOKEN,
    )
    consent_audit(actor=actor, consent=consent)
