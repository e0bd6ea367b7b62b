"""Reads of the audit log across the layers below: a person's own access log (with care's
events on their requests), and a coordinator's export."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ryadom.accounts.models import Role, RoleAssignment, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.models import AuditEvent
from ryadom.care.models import CareRequest
from ryadom.core.errors import PermissionDeniedError
from ryadom.referrals.selectors import partner_staff_of
from ryadom.veterans.models import Veteran

# How each kind of event reads to the person it is about.
EVENT_LABELS: dict[str, str | Promise] = {
    "veteran.viewed": _("Opened your profile"),
    "request.viewed": _("Opened a request for you"),
    "attachment.viewed": _("Opened a file on a request for you"),
    "consent.given": _("Consent given"),
    "consent.withdrawn": _("Consent withdrawn"),
    "veteran.minimised": _("Data no longer needed was wiped"),
    "deletion.asked": _("Erasure of the data asked for"),
    "attachment.added": _("A file was attached to a request"),
    # Admission and transfers, and linking the person's account (veterans).
    "stay.created": _("Recorded your admission or transfer"),
    "stay.discharged": _("Recorded your discharge"),
    "veteran.claimed": _("Linked your account to your record"),
    "admission_claim.confirmed": _("Confirmed that the account asking is yours"),
    # Steps taken on a request for the person (care/services/).
    "care_request.created": _("Asked for help"),
    "care_request.triage": _("Checked a request for you"),
    "care_request.assign": _("Assigned a helper to a request for you"),
    "care_request.claim": _("Took a request for you"),
    "care_request.decline": _("Gave back a request for you"),
    "care_request.schedule": _("Planned a visit for you"),
    "care_request.check_in": _("Arrived for a visit to you"),
    "care_request.complete": _("Finished a request for you"),
    "care_request.confirm": _("Confirmed that a request for you was done"),
    "care_request.cancel": _("Cancelled a request for you"),
    "care_request.reopen": _("Reopened a request for you"),
    "care_request.transfer": _("Moved a request for you to your new place"),
    "care_request.escalated": _("Escalated a request for you past its deadline"),
    "care_request.feedback": _("Gave feedback on a request for you"),
    # A hospital's system over FHIR (interop/fhir).
    "fhir.referral_received": _("Your hospital's system sent a referral for you"),
    "fhir.task_read": _("Your hospital's system read how a request for you goes"),
    "fhir.service_request_read": _("Your hospital's system read a request for you"),
    # Referrals to partner services (referrals/): the coordinator's and the partner's.
    "referral.created": _("Referred you to a partner service"),
    "referral.viewed": _("Opened your referral to a partner service"),
    "referral.accept": _("Accepted your referral to a partner service"),
    "referral.decline": _("Declined your referral to a partner service"),
    "referral.start": _("Started the work on your referral to a partner service"),
    "referral.finish": _("Reported the outcome of your referral to a partner service"),
    "referral.cancel": _("Cancelled your referral to a partner service"),
    # Staff edits in the back office (audit/backoffice.py).
    "admin.added": _("Added in the back office"),
    "admin.changed": _("Changed in the back office"),
    "admin.deleted": _("Deleted in the back office"),
}


@dataclass(frozen=True)
class AccessEntry:
    at: datetime.datetime
    who: str
    role: str
    what: str
    ip: str | None


def _about_veteran(veteran_id: int) -> Q:
    # Care's own events (status changes) name the request, not the veteran: reach them too.
    request_ids = [
        str(pk)
        for pk in CareRequest.objects.filter(veteran_id=veteran_id).values_list("pk", flat=True)
    ]
    return (
        Q(veteran_id=veteran_id)
        | Q(target_type="veterans.veteran", target_id=str(veteran_id))
        | Q(target_type="care.carerequest", target_id__in=request_ids)
    )


def _role_labels(user_ids: set[int]) -> dict[int, str]:
    labels: dict[int, str] = {}
    for user_id, role in RoleAssignment.objects.filter(user_id__in=user_ids).values_list(
        "user_id", "role"
    ):
        labels.setdefault(user_id, str(Role(role).label))
    # A regular partner's staff hold no role: they are named by the service they work for.
    for user_id, partner in partner_staff_of(user_ids - set(labels)).items():
        labels[user_id] = str(_("Staff of %(partner)s") % {"partner": partner})
    return labels


def access_log_for_veteran(*, veteran: object, limit: int = 500) -> list[AccessEntry]:
    """Who read or changed a veteran's data (their own actions left out), newest first."""
    veteran_id: int = veteran.pk  # type: ignore[attr-defined]
    own_user: int | None = veteran.user_id  # type: ignore[attr-defined]
    events = list(
        AuditEvent.objects.filter(_about_veteran(veteran_id))
        .exclude(actor_id__isnull=False, actor_id=own_user)
        .select_related("actor")
        .order_by("-created_at", "-pk")[:limit]
    )
    roles = _role_labels({e.actor_id for e in events if e.actor_id is not None})
    return [
        AccessEntry(
            at=e.created_at,
            who=e.actor.display_name if e.actor else str(_("Ryadom (automatic)")),
            role=roles.get(e.actor_id, "") if e.actor_id else "",
            what=str(EVENT_LABELS.get(e.action, e.action))
            + (f" #{e.target_id}" if e.target_type == "care.carerequest" else ""),
            ip=e.ip,
        )
        for e in events
    ]


def audit_export_events(
    *,
    actor: User | AnonymousUser | None,
    since: datetime.datetime | None = None,
    until: datetime.datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Events for an inspection: a regional coordinator gets their regions', federal all."""
    scope = scope_of(actor)
    if not scope.federal and not scope.has(Role.REGIONAL_COORDINATOR):
        raise PermissionDeniedError(_("Only coordinators may export the audit log."))
    qs = AuditEvent.objects.select_related("actor").order_by("created_at", "pk")
    if not scope.federal:
        qs = qs.filter(region_id__in=scope.region_ids)
    if since is not None:
        qs = qs.filter(created_at__gte=since)
    if until is not None:
        qs = qs.filter(created_at__lt=until)
    return qs


def access_log_section(*, veteran: Veteran) -> dict[str, Any]:
    """Who saw the veteran's data, for the export of the veteran's data."""
    return {
        "access_log": [
            {"at": e.at.isoformat(), "who": e.who, "role": e.role, "what": e.what}
            for e in access_log_for_veteran(veteran=veteran)
        ]
    }
