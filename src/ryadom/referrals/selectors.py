"""Reads of partner services and referrals, narrowed to what the actor may see."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext_lazy as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.services import audit_record
from ryadom.core.errors import NotFoundError, PermissionDeniedError
from ryadom.geo.models import Region
from ryadom.referrals.lifecycle import OPEN_STATES
from ryadom.referrals.models import (
    Outcome,
    PartnerMember,
    PartnerService,
    Referral,
    ReferralEvent,
    Status,
)
from ryadom.veterans.models import Consent, ConsentPurpose
from ryadom.veterans.reads import audited_read

# How each timeline row reads, in the reader's language.
EVENT_TEXTS = {
    "create": _("Sent to the partner"),
    "accept": _("The partner accepted"),
    "decline": _("The partner declined"),
    "start": _("The partner started the work"),
    "finish": _("The partner reported the outcome"),
    "cancel": _("Cancelled by the coordinator"),
    "consent_withdrawn": _("Cancelled: the veteran withdrew consent to share their details"),
    "remind": _("The partner was reminded to answer"),
    "escalate": _("No answer in time: the coordinator was told"),
}


def is_referrer(actor: User | AnonymousUser | None) -> bool:
    """Coordinators refer veterans and follow referrals."""
    scope = scope_of(actor)
    return scope.federal or scope.has(Role.REGIONAL_COORDINATOR)


def serves_q(region_ids: Iterable[int]) -> Q:
    """Partner services based in, or serving, any of these regions."""
    ids = list(region_ids)
    return Q(region_id__in=ids) | Q(
        Exists(
            PartnerService.service_area.through.objects.filter(
                partnerservice_id=OuterRef("pk"), region_id__in=ids
            )
        )
    )


def _visible_q(actor: User | AnonymousUser | None) -> Q | None:
    """Referrals the actor follows: all for federal coordinators; for regional ones those
    to partners of their regions and those they made. None means all."""
    scope = scope_of(actor)
    if scope.federal:
        return None
    if not scope.has(Role.REGIONAL_COORDINATOR):
        return Q(pk__in=[])
    return Q(region_id__in=scope.region_ids) | Q(created_by_id=scope.user_id)


def manages(actor: User | AnonymousUser | None, referral: Referral) -> bool:
    scope = scope_of(actor)
    if scope.federal:
        return True
    return scope.has(Role.REGIONAL_COORDINATOR) and (
        referral.region_id in scope.region_ids or referral.created_by_id == scope.user_id
    )


def referral_list(
    *, actor: User | AnonymousUser | None, status: str | None = None, veteran_id: int | None = None
) -> QuerySet[Referral]:
    """Referrals the actor follows, newest first, optionally of one status or veteran."""
    qs = Referral.objects.select_related("veteran", "partner", "region", "created_by")
    visible = _visible_q(actor)
    if visible is not None:
        qs = qs.filter(visible)
    if status:
        qs = qs.filter(status=status)
    if veteran_id is not None:
        qs = qs.filter(veteran_id=veteran_id)
    return qs.order_by("-created_at", "-pk")


def _where(referral: Referral) -> tuple[int | None, int | None]:
    return referral.region_id, referral.veteran_id


@audited_read("referral.viewed", _where)
def referral_get_for_user(*, actor: User | AnonymousUser | None, referral_id: int) -> Referral:
    """One referral with the veteran's details, or NotFoundError (missing or not yours)."""
    referral = referral_list(actor=actor).filter(pk=referral_id).first()
    if referral is None:
        raise NotFoundError("Not found.")
    return referral


def member_partner_ids(actor: User | AnonymousUser | None) -> frozenset[int]:
    """The partner services whose referrals this person answers with an account (active
    memberships of active services); cached on the user object, which lives for one request."""
    if not isinstance(actor, User) or not actor.is_authenticated:
        return frozenset()
    cached: frozenset[int] | None = getattr(actor, "_ryadom_partner_ids", None)
    if cached is None:
        cached = frozenset(
            PartnerMember.objects.filter(
                user=actor, is_active=True, partner__is_active=True
            ).values_list("partner_id", flat=True)
        )
        actor._ryadom_partner_ids = cached  # type: ignore[attr-defined]
    return cached


def is_partner_member(actor: User | AnonymousUser | None) -> bool:
    """Whether this person works for a regular partner (and so sees veterans' details)."""
    return bool(member_partner_ids(actor))


def partner_staff_of(user_ids: Iterable[int]) -> dict[int, str]:
    """The partner service each of these people works for (one name each, for a log)."""
    rows = PartnerMember.objects.filter(user_id__in=list(user_ids)).order_by("-is_active", "pk")
    found: dict[int, str] = {}
    for user_id, name in rows.values_list("user_id", "partner__name"):
        found.setdefault(user_id, name)
    return found


def staff_duty(*, user: User) -> bool:
    """Subscriber of accounts' `staff_duty_asked`: a partner's staff see veterans' details."""
    return is_partner_member(user)


def _shared_q() -> Q:
    """The partner may see who the veteran is: the referral is not cancelled and the
    veteran's consent to share with partners holds (as on the link page)."""
    consent = Consent.objects.filter(
        veteran_id=OuterRef("veteran_id"), purpose=ConsentPurpose.PARTNER, withdrawn_at__isnull=True
    )
    return ~Q(status=Status.CANCELLED) & Q(Exists(consent))


def partner_referral_list(
    *, actor: User | AnonymousUser | None, status: str | None = None
) -> QuerySet[Referral]:
    """Referrals to the services the person works for, open ones first, newest first in
    each; `shared` says whether the veteran may be named. Anyone who works for no partner is
    refused (403), not shown an empty list."""
    ids = member_partner_ids(actor)
    if not ids:
        raise PermissionDeniedError(_("This page is for the staff of partner services."))
    qs = (
        Referral.objects.select_related("veteran", "partner", "region")
        .filter(partner_id__in=ids)
        .annotate(
            shared=Case(
                When(_shared_q(), then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
            closed=Case(
                When(status__in=OPEN_STATES, then=Value(False)),
                default=Value(True),
                output_field=BooleanField(),
            ),
        )
    )
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("closed", "-created_at", "-pk")


def partner_referral_get(*, actor: User, referral_id: int) -> Referral:
    """One referral to a service the person works for (404 for any other: they may not know
    it exists). Each read is in the audit log, with the person who read it."""
    referral = partner_referral_list(actor=actor).filter(pk=referral_id).first()
    if referral is None:
        raise NotFoundError("Not found.")
    audit_record(
        actor=actor,
        action="referral.viewed",
        target=referral,
        region_id=referral.region_id,
        veteran_id=referral.veteran_id,
        changes={"via": "partner account"},
    )
    return referral


@dataclass(frozen=True)
class TimelineRow:
    event: ReferralEvent
    text: str


def referral_timeline(*, referral: Referral) -> list[TimelineRow]:
    events = ReferralEvent.objects.filter(referral=referral).select_related("actor")
    return [TimelineRow(e, str(EVENT_TEXTS.get(e.action, e.action))) for e in events]


def partner_list(
    *,
    actor: User | AnonymousUser | None,
    region_id: int | None = None,
    kind: str | None = None,
    active_only: bool = True,
) -> QuerySet[PartnerService]:
    """The partner directory for coordinators (empty for anyone else): optionally those
    serving one region, of one kind."""
    if not is_referrer(actor):
        return PartnerService.objects.none()
    qs = PartnerService.objects.select_related("region", "settlement")
    if active_only:
        qs = qs.filter(is_active=True)
    if region_id is not None:
        qs = qs.filter(serves_q([region_id]))
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("region__code", "name")


def partner_get_for_user(*, actor: User | AnonymousUser | None, partner_id: int) -> PartnerService:
    partner = partner_list(actor=actor, active_only=False).filter(pk=partner_id).first()
    if partner is None:
        raise NotFoundError("Not found.")
    return partner


def partners_for_referral(
    *, actor: User | AnonymousUser | None, home_region_id: int | None = None
) -> QuerySet[PartnerService]:
    """Active partners the actor may refer to: serving one of their regions or the
    veteran's home region (any, for federal coordinators)."""
    scope = scope_of(actor)
    qs = partner_list(actor=actor)
    if scope.federal:
        return qs
    reach = set(scope.region_ids) | ({home_region_id} if home_region_id else set())
    return qs.filter(serves_q(reach))


@dataclass
class LoopClosure:
    """One region's referrals: sent, closed with an answer, and the outcomes."""

    region: Region
    sent: int = 0
    declined: int = 0
    done: int = 0
    open: int = 0
    cancelled: int = 0
    outcomes: dict[str, int] = field(default_factory=dict)

    @property
    def closed(self) -> int:
        return self.done + self.declined

    @property
    def share(self) -> float | None:
        """Closed loops among referrals sent (cancelled ones are not counted as sent)."""
        counted = self.sent - self.cancelled
        return self.closed / counted if counted else None


def loop_closure(
    *, actor: User | AnonymousUser | None, region_id: int | None = None
) -> list[LoopClosure]:
    """Per region (of the actor's scope, or the one given), the share of referrals closed
    with an outcome (done with an outcome, or declined) among those sent, and how many of
    each outcome."""
    referrals = referral_list(actor=actor)
    if region_id is not None:
        referrals = referrals.filter(region_id=region_id)
    rows = referrals.order_by().values("region_id", "status", "outcome").annotate(n=Count("pk"))
    by_region: dict[int, LoopClosure] = {}
    regions = {r.pk: r for r in Region.objects.filter(pk__in={row["region_id"] for row in rows})}
    for row in rows:
        item = by_region.setdefault(row["region_id"], LoopClosure(regions[row["region_id"]]))
        n, status = row["n"], row["status"]
        item.sent += n
        if status == Status.DONE:
            item.done += n
            outcome = row["outcome"] or Outcome.OTHER
            item.outcomes[outcome] = item.outcomes.get(outcome, 0) + n
        elif status == Status.DECLINED:
            item.declined += n
        elif status == Status.CANCELLED:
            item.cancelled += n
        else:
            item.open += n
    return sorted(by_region.values(), key=lambda c: c.region.code)
