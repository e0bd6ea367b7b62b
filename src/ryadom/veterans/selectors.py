"""Reads of veterans and their stays, narrowed to what the actor may see."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, When

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.core.errors import NotFoundError
from ryadom.veterans import events
from ryadom.veterans.models import (
    Consent,
    DeletionRequest,
    DeletionStatus,
    Proxy,
    Stay,
    Veteran,
)
from ryadom.veterans.reads import audited_read


def _current_stay_in(**filters: object) -> Exists:
    return Exists(
        Stay.objects.filter(veteran=OuterRef("pk"), discharged_on__isnull=True, **filters)
    )


def _visible_q(actor: User | AnonymousUser | None) -> Q | None:
    """The filter of veterans the actor may see; None means all of them.

    NGO managers, volunteers and agency observers see no veteran records: they learn what
    they need through requests, on a need-to-know basis.
    """
    scope = scope_of(actor)
    if scope.federal:
        return None
    q = Q(pk__in=[])
    if scope.region_ids and scope.has(Role.REGIONAL_COORDINATOR):
        q |= Q(home_region_id__in=scope.region_ids) | Q(
            _current_stay_in(institution__region_id__in=scope.region_ids)
        )
    if scope.institution_ids and scope.has(Role.INSTITUTION_LIAISON):
        q |= Q(_current_stay_in(institution_id__in=scope.institution_ids))
    if scope.has(Role.VETERAN) and scope.user_id is not None:
        q |= Q(user_id=scope.user_id)
    if scope.has(Role.RELATIVE) and scope.user_id is not None:
        q |= Q(
            Exists(
                Proxy.objects.filter(veteran=OuterRef("pk"), user_id=scope.user_id, may_act=True)
            )
        )
    return q


def veteran_list(*, actor: User | AnonymousUser | None) -> QuerySet[Veteran]:
    """Veterans the actor may see, newest first."""
    # An anonymised veteran is no longer anyone: nothing left to list or open.
    qs = (
        Veteran.objects.select_related("home_region")
        .filter(anonymised_at__isnull=True)
        .order_by("-pk")
    )
    visible = _visible_q(actor)
    return qs if visible is None else qs.filter(visible)


def _where(veteran: Veteran) -> tuple[int | None, int | None]:
    """The region a read of this veteran belongs to: where they are treated, else home."""
    current = next((s for s in veteran.stays.all() if s.discharged_on is None), None)
    region_id = current.institution.region_id if current else veteran.home_region_id
    return region_id, veteran.pk


@audited_read("veteran.viewed", _where)
def veteran_get_for_user(*, actor: User | AnonymousUser | None, veteran_id: int) -> Veteran:
    """One veteran, or NotFoundError both when missing and when not the actor's to see."""
    veteran = (
        veteran_list(actor=actor)
        .prefetch_related("stays__institution", "stays__department")
        .filter(pk=veteran_id)
        .first()
    )
    if veteran is None:
        raise NotFoundError("Not found.")
    return veteran


def veterans_acting_for(*, actor: User | AnonymousUser | None) -> QuerySet[Veteran]:
    """The veteran the actor is, and those they are a relative with authority of."""
    scope = scope_of(actor)
    if scope.user_id is None:
        return Veteran.objects.none()
    own = Q(user_id=scope.user_id) | Q(
        Exists(Proxy.objects.filter(veteran=OuterRef("pk"), user_id=scope.user_id, may_act=True))
    )
    return Veteran.objects.filter(own, anonymised_at__isnull=True).order_by("addressed_as", "pk")


def veteran_acting_for_get(*, actor: User | AnonymousUser | None, veteran_id: int) -> Veteran:
    """One of the actor's own veterans, or NotFoundError."""
    veteran = veterans_acting_for(actor=actor).filter(pk=veteran_id).first()
    if veteran is None:
        raise NotFoundError("Not found.")
    return veteran


def consent_list(*, actor: User | AnonymousUser | None, veteran_id: int) -> QuerySet[Consent]:
    """Consents of a veteran the actor may see (own, acted for, or in a coordinator's scope)."""
    veteran = veteran_list(actor=actor).filter(pk=veteran_id).first()
    if veteran is None:
        raise NotFoundError("Not found.")
    return Consent.objects.filter(veteran=veteran).select_related("given_by").order_by("-given_at")


def consent_get_for_subject(*, actor: User | AnonymousUser | None, consent_id: int) -> Consent:
    """A consent of one of the actor's own veterans, or NotFoundError."""
    consent = (
        Consent.objects.select_related("veteran")
        .filter(pk=consent_id, veteran__in=veterans_acting_for(actor=actor))
        .first()
    )
    if consent is None:
        raise NotFoundError("Not found.")
    return consent


def is_coordinator(actor: User | AnonymousUser | None) -> bool:
    scope = scope_of(actor)
    return scope.federal or scope.has(Role.REGIONAL_COORDINATOR)


def deletion_request_list(*, actor: User | AnonymousUser | None) -> QuerySet[DeletionRequest]:
    """Deletion requests of veterans in a coordinator's scope, waiting ones first."""
    if not is_coordinator(actor):
        return DeletionRequest.objects.none()
    visible = veteran_list(actor=actor).values("pk")
    return (
        DeletionRequest.objects.filter(veteran__in=visible)
        .select_related("veteran__home_region", "asked_by", "executed_by")
        .order_by(Case(When(status=DeletionStatus.ASKED, then=0), default=1), "-asked_at")
    )


def deletion_request_get_for_coordinator(
    *, actor: User | AnonymousUser | None, deletion_id: int
) -> DeletionRequest:
    """One deletion request in the coordinator's scope, or NotFoundError."""
    deletion = deletion_request_list(actor=actor).filter(pk=deletion_id).first()
    if deletion is None:
        raise NotFoundError("Not found.")
    return deletion


def veterans_due_for_anonymisation(*, now: datetime.datetime) -> QuerySet[Veteran]:
    """Veterans whose purpose has ended: discharged, no open request, and nothing about them
    happened (a stay, a request closing) within the retention period."""
    cutoff = now - datetime.timedelta(days=settings.RYADOM_RETENTION_DAYS)
    in_care = Stay.objects.filter(veteran=OuterRef("pk")).filter(
        Q(discharged_on__isnull=True) | Q(discharged_on__gt=cutoff.date())
    )
    due = Veteran.objects.filter(anonymised_at__isnull=True, created_at__lte=cutoff).exclude(
        Exists(in_care)
    )
    # Requests are care's: it answers which veterans it still serves (veterans/events.py).
    for served in events.veterans_still_served.publish(since=cutoff):
        due = due.exclude(pk__in=served)
    return due.order_by("pk")
