"""How an actor stands to a request: the object-level part of "may they do this"."""

from __future__ import annotations

from enum import StrEnum

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.care.lifecycle import Action
from ryadom.care.models import CareRequest
from ryadom.veterans.models import Proxy


class Party(StrEnum):
    COORDINATOR = "coordinator"  # federal, or regional coordinator of the request's region
    ASSIGNEE = "assignee"  # the assigned volunteer, or a manager of the assigned NGO
    REQUESTER = "requester"  # who asked, the veteran, a relative who may act, the ward liaison
    VOLUNTEER = "volunteer"  # any volunteer (eligibility is checked separately)


# Who may take each action. Checked by the services, never by pages.
ACTION_PARTIES: dict[Action, frozenset[Party]] = {
    Action.TRIAGE: frozenset({Party.COORDINATOR}),
    Action.ASSIGN: frozenset({Party.COORDINATOR}),
    Action.CLAIM: frozenset({Party.VOLUNTEER}),
    Action.DECLINE: frozenset({Party.ASSIGNEE, Party.COORDINATOR}),
    Action.SCHEDULE: frozenset({Party.ASSIGNEE, Party.COORDINATOR}),
    Action.CHECK_IN: frozenset({Party.ASSIGNEE}),
    Action.COMPLETE: frozenset({Party.ASSIGNEE}),
    Action.CONFIRM: frozenset({Party.REQUESTER}),
    Action.CANCEL: frozenset({Party.COORDINATOR, Party.REQUESTER}),
    Action.REOPEN: frozenset({Party.COORDINATOR, Party.REQUESTER}),
    Action.TRANSFER: frozenset(),  # only the system, when a stay is transferred
}


def parties_of(actor: User, request: CareRequest) -> set[Party]:
    """Every capacity in which the actor stands to this request."""
    scope = scope_of(actor)
    parties: set[Party] = set()
    if scope.federal or (
        scope.has(Role.REGIONAL_COORDINATOR) and request.region_id in scope.region_ids
    ):
        parties.add(Party.COORDINATOR)
    volunteer = getattr(actor, "volunteer", None)
    if volunteer is not None and scope.has(Role.VOLUNTEER):
        parties.add(Party.VOLUNTEER)
        if request.volunteer_id == volunteer.pk:
            parties.add(Party.ASSIGNEE)
    if (
        request.organisation_id is not None
        and scope.has(Role.NGO_MANAGER)
        and request.organisation_id in scope.organisation_ids
    ):
        parties.add(Party.ASSIGNEE)
    if _is_requester_side(actor, request, scope.institution_ids):
        parties.add(Party.REQUESTER)
    return parties


def _is_requester_side(actor: User, request: CareRequest, institution_ids: frozenset[int]) -> bool:
    if request.requested_by_id == actor.pk or request.institution_id in institution_ids:
        return True
    veteran = request.veteran
    if veteran is None:
        return False
    if veteran.user_id == actor.pk:
        return True
    return Proxy.objects.filter(veteran=veteran, user=actor, may_act=True).exists()
