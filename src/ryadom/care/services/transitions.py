"""The one way a request moves along the table of lifecycle.py: check the actor, then
compare-and-set the status, record it on the timeline and in the audit log."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, RoleAssignment, ScopeKind, User
from ryadom.audit.services import audit_record
from ryadom.care import events
from ryadom.care.lifecycle import ALLOWED_TRANSITIONS, TAKEN_STATES, Action
from ryadom.care.models import CareRequest, Status, Visit
from ryadom.care.parties import ACTION_PARTIES, parties_of
from ryadom.care.timeline import Coded, event_record
from ryadom.core.errors import ConflictError, PermissionDeniedError
from ryadom.institutions.models import Institution

# How far from now a request's preferred window and a planned visit may lie.
HORIZON = datetime.timedelta(days=365)


def _owners(kind: str, scope_id: int | None) -> QuerySet[RoleAssignment]:
    return RoleAssignment.objects.filter(
        scope_kind=kind,
        scope_id=scope_id,
        role__in=[Role.REGIONAL_COORDINATOR, Role.FEDERAL_COORDINATOR],
    ).order_by("pk")


def owner_for(region_id: int) -> User | None:
    """The coordinator who owns new requests of a region: its first regional coordinator,
    or a federal coordinator where the region has none yet."""
    for kind, scope_id in ((ScopeKind.REGION, region_id), (ScopeKind.FEDERAL, None)):
        assignment = _owners(kind, scope_id).select_related("user").first()
        if assignment is not None:
            return assignment.user
    return None


def owner_id_of(region_id: int) -> Coalesce:
    """`owner_for` as an expression giving the user's id, to read within another query."""
    return Coalesce(
        Subquery(_owners(ScopeKind.REGION, region_id).values("user_id")[:1]),
        Subquery(_owners(ScopeKind.FEDERAL, None).values("user_id")[:1]),
    )


def aware(moment: datetime.datetime, institution: Institution) -> datetime.datetime:
    """A time given without a zone is read as the institution's local time."""
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=institution.region.zone)
    return moment


def drop_planned_visits(request: CareRequest) -> None:
    Visit.objects.filter(request=request, checked_in_at__isnull=True).delete()


def _status_label(status: str) -> str:
    return str(Status(status).label)


def may_act_or_raise(*, actor: User | None, request: CareRequest, action: Action) -> None:
    """Who may take the action: checked before anything else is said about the request, so
    someone who may only see it learns nothing more (a transfer is the system's own)."""
    if action == Action.TRANSFER or actor is None:
        return
    if not parties_of(actor, request) & ACTION_PARTIES[action]:
        raise PermissionDeniedError(_("You may not do this with this request."))


def _taken_message(*, actor: User | None, request: CareRequest, conflict: str) -> str | None:
    """Who has the request, when a helper has it and that is why it cannot be taken."""
    if request.status not in TAKEN_STATES:
        return None
    if request.volunteer is not None:
        if actor is not None and request.volunteer.user_id == actor.pk:
            return _("You have already taken this request.")
        return conflict
    if request.organisation_id is not None:
        return _("This request has already been given to an NGO.")
    return None


def transition(
    *,
    actor: User | None,
    request: CareRequest,
    action: Action,
    note: str | Coded = "",
    changes: dict[str, Any] | None = None,
    conflict: str | None = None,
) -> CareRequest:
    """Move the request along the table: check the actor, then compare-and-set the status.

    The UPDATE matches the status we read, so of two concurrent callers exactly one changes
    the row; the other changes nothing and gets a ConflictError. `conflict` is what a taking
    action (claim, assign) says when a volunteer has the request; it is said only then.
    """
    may_act_or_raise(actor=actor, request=request, action=action)
    sources, target = ALLOWED_TRANSITIONS[action]
    if request.status not in sources:
        raise ConflictError(
            (conflict and _taken_message(actor=actor, request=request, conflict=conflict))
            or _("This cannot be done now: the request is “%(status)s”.")
            % {"status": _status_label(request.status)}
        )
    now = timezone.now()
    values = {"status": target, "updated_at": now, **(changes or {})}
    changed = CareRequest.objects.filter(pk=request.pk, status=request.status).update(**values)
    if changed != 1:
        # "Already taken" only when a volunteer really took it. Any other change is not told:
        # the caller may no longer see the request (a reload then says "not found").
        now_state = CareRequest.objects.select_related("volunteer").get(pk=request.pk)
        taken = conflict is not None and now_state.volunteer is not None
        raise ConflictError(
            (taken and _taken_message(actor=actor, request=now_state, conflict=conflict or ""))
            or _("Someone else changed this request a moment ago. Reload and try again.")
        )
    from_status = request.status
    for field, value in values.items():
        setattr(request, field, value)
    event_record(
        request=request,
        actor=actor,
        action=str(action),
        from_status=from_status,
        to_status=target,
        note=note,
        at=now,
    )
    audit_record(
        actor=actor,
        action=f"care_request.{action}",
        target=request,
        region_id=request.region_id,
        changes={"status": [from_status, target]},
    )
    events.request_changed.publish(request_id=request.pk)
    return request
