"""What the referral pages show, gathered from the selectors (so the views stay thin)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms

from ryadom.accounts.models import User
from ryadom.core.errors import NotFoundError
from ryadom.core.pages import attempt
from ryadom.geo.models import Region
from ryadom.referrals import selectors, services
from ryadom.referrals.forms import MoveForm, PartnerFilterForm
from ryadom.referrals.lifecycle import OPEN_STATES, Action, actions_from
from ryadom.referrals.models import Outcome, PartnerService, Referral, Status
from ryadom.veterans.models import Veteran
from ryadom.veterans.selectors import veteran_get_for_user

LIST_MAX = 300


def veteran_from(*, actor: User, raw: str | None) -> Veteran | None:
    """The veteran named in the address (?veteran=<id>), read as the veteran's page reads it."""
    if not raw:
        return None
    if not raw.isdigit():
        raise NotFoundError("Not found.")
    return veteran_get_for_user(actor=actor, veteran_id=int(raw))


def list_context(*, actor: User, status: str | None) -> dict[str, Any]:
    chosen = status if status in Status.values else None
    return {
        "referrals": selectors.referral_list(actor=actor, status=chosen)[:LIST_MAX],
        "statuses": Status.choices,
        "status": chosen,
    }


def _actions(referral: Referral, *, partner: bool) -> list[tuple[str, str]]:
    labels = dict(Action.choices)
    return [(a, str(labels[a])) for a in actions_from(referral.status, partner=partner)]


def detail_context(referral: Referral) -> dict[str, Any]:
    return {
        "referral": referral,
        "timeline": selectors.referral_timeline(referral=referral),
        "actions": _actions(referral, partner=False),
        "form": MoveForm(),
        "consent": services.has_partner_consent(referral.veteran),
    }


def move(form: MoveForm, *, actor: User | None, referral: Referral, action: str) -> bool:
    """Run the move the form asks for; a refusal becomes the form's error."""
    if not form.is_valid():
        return False
    data = form.cleaned_data
    done = attempt(
        form,
        lambda: services.referral_move(
            actor=actor,
            referral=referral,
            action=action,
            outcome=data["outcome"],
            note=data["note"],
        ),
    )
    return done is not None


def partner_context(referral: Referral, form: forms.Form) -> dict[str, Any]:
    """The partner sees the veteran's name (and phone, if agreed) only while the referral is
    open or answered and the veteran's consent to share with partners holds."""
    shared = referral.status != Status.CANCELLED and services.has_partner_consent(referral.veteran)
    return {
        "referral": referral,
        "shared": shared,
        "phone": referral.veteran.phone if shared and referral.share_phone else "",
        "actions": _actions(referral, partner=True) if referral.status in OPEN_STATES else [],
        "form": form,
    }


def member_list_context(*, actor: User, status: str | None) -> dict[str, Any]:
    """A partner's staff member: referrals to their services, open ones first (403 for
    anyone who works for no partner)."""
    chosen = status if status in Status.values else None
    return {
        "referrals": selectors.partner_referral_list(actor=actor, status=chosen)[:LIST_MAX],
        "partners": PartnerService.objects.filter(
            pk__in=selectors.member_partner_ids(actor)
        ).order_by("name"),
        "statuses": Status.choices,
        "status": chosen,
    }


def partners_context(*, actor: User, params: Mapping[str, Any]) -> dict[str, Any]:
    filters = PartnerFilterForm(params)
    filters.is_valid()
    region = Region.objects.filter(code=filters.cleaned_data.get("region") or "").first()
    partners = selectors.partner_list(
        actor=actor, region_id=region.pk if region else None, kind=filters.cleaned_data.get("kind")
    )
    return {
        "partners": partners.prefetch_related("service_area")[:LIST_MAX],
        "regions": Region.objects.order_by("code"),
        "region": region,
        "filters": filters,
    }


def closure_context(rows: list[selectors.LoopClosure]) -> dict[str, Any]:
    return {"rows": rows, "outcomes": Outcome.choices}
