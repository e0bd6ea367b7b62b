"""Reads of referrals for the integration client asking: only what it sent, for the
institutions it stands for; and the Task search (owner, status, _lastUpdated, paging)."""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from urllib.parse import urlencode

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import QueryDict

from ryadom.accounts.models import User
from ryadom.accounts.scopes import scope_of
from ryadom.care.models import Event, Status, Visit
from ryadom.institutions.models import Institution
from ryadom.interop.fhir import codes, conformance
from ryadom.interop.fhir.codes import Outcome, invalid
from ryadom.interop.models import Referral

DEFAULT_COUNT, MAX_COUNT, MAX_PAGE = 20, 100, 100_000
# What the CapabilityStatement lists is what is searched by: one list.
SEARCH_PARAMS = frozenset(name for name, _type, _doc in conformance.SEARCH_PARAMS)


def client_institution_ids(client: User) -> set[int]:
    """The institutions a client stands for: its own, or every one of its regions."""
    scope = scope_of(client)
    ids = set(scope.institution_ids)
    if scope.region_ids:
        ids |= set(
            Institution.objects.filter(region_id__in=scope.region_ids).values_list("pk", flat=True)
        )
    return ids


def _refused() -> Exists:
    """Ryadom refused the referral: cancelled before any helper took it, by someone other
    than the client that sent it (Task.status "rejected" rather than "cancelled")."""
    return Exists(
        Event.objects.filter(
            request_id=OuterRef("request_id"), action="cancel", from_status__in=codes.REFUSABLE
        ).exclude(actor_id=OuterRef("client_id"))
    )


def referrals(client: User) -> QuerySet[Referral]:
    return (
        Referral.objects.filter(
            client=client, request__institution_id__in=client_institution_ids(client)
        )
        .select_related(
            "request__service_type",
            "request__organisation",
            "request__region",
            "request__institution",
            "request__department",
            "request__veteran",
        )
        .annotate(refused=_refused())
        .prefetch_related(
            Prefetch(
                "request__visits",
                queryset=Visit.objects.filter(checked_in_at__isnull=False).order_by("starts"),
                to_attr="visits_made",
            ),
            Prefetch(
                "request__events",
                queryset=Event.objects.filter(action="cancel"),
                to_attr="cancellations",
            ),
        )
    )


def referral_get(client: User, request_id: str, kind: str = "Task") -> Referral:
    """One referral by its Task (or ServiceRequest) id; 404 alike when missing or another's."""
    referral = None
    if request_id.isdigit() and len(request_id) <= 18:
        referral = referrals(client).filter(request_id=int(request_id)).first()
    if referral is None:
        raise Outcome(404, "not-found", f"{kind}/{request_id} is not known to this client.")
    return referral


@dataclass(frozen=True)
class Search:
    filters: Q
    count: int
    page: int
    params: list[tuple[str, str]]

    def link(self, base: str, page: int) -> str:
        rest = [(k, v) for k, v in self.params if k != "_page"]
        return f"{base}/Task?{urlencode([*rest, ('_page', str(page))])}"


def search_parse(query: QueryDict) -> Search:
    unknown = sorted(set(query) - SEARCH_PARAMS)
    if unknown:
        raise Outcome(
            400,
            "not-supported",
            f"Unknown search parameter {unknown[0]}; Task is searched by "
            "owner, status, _lastUpdated (with _count and _page).",
        )
    filters = Q()
    for owner in query.getlist("owner"):
        filters &= _owner(owner)
    for statuses in query.getlist("status"):
        filters &= _statuses(statuses)
    for value in query.getlist("_lastUpdated"):
        filters &= _last_updated(value)
    return Search(
        filters=filters,
        count=_number(query, "_count", DEFAULT_COUNT, MAX_COUNT),
        page=_number(query, "_page", 1, MAX_PAGE),
        params=[(k, v) for k in sorted(query) for v in query.getlist(k)],
    )


def search_run(client: User, search: Search) -> tuple[list[Referral], int]:
    found = referrals(client).filter(search.filters).order_by("request__updated_at", "pk")
    start = (search.page - 1) * search.count
    return list(found[start : start + search.count]), found.count()


def _number(query: QueryDict, name: str, default: int, most: int) -> int:
    value = query.get(name, str(default))
    if not value.isdigit() or not 1 <= int(value) <= most:
        raise invalid(f"{name}: a whole number from 1 to {most}.", status=400)
    return int(value)


def _owner(value: str) -> Q:
    match = re.fullmatch(r"(?:Organization/)?(ngo|region)-([0-9]{1,18})", value)
    if match is None:
        raise invalid(
            "owner: Organization/ngo-<id> or Organization/region-<code>, as Task.owner says.",
            status=400,
        )
    if match[1] == "ngo":
        return Q(request__organisation_id=int(match[2]))
    return Q(request__organisation__isnull=True, request__region__code=match[2])


def _statuses(value: str) -> Q:
    either = Q()
    for status in value.split(","):
        if status not in codes.TASK_STATUSES:
            raise invalid(
                f"status: {status!r} is none of {', '.join(sorted(codes.TASK_STATUSES))}.",
                status=400,
            )
        either |= _status(status)
    return either


def _status(status: str) -> Q:
    if status == codes.REJECTED:
        return Q(request__status=Status.CANCELLED, refused=True)
    if status == "cancelled":
        return Q(request__status=Status.CANCELLED, refused=False)
    return Q(request__status__in=codes.request_statuses(status))


LAST_UPDATED = re.compile(r"(eq|gt|ge|lt|le)?(\d{4}-\d{2}-\d{2})(T[0-9:.]+(?:Z|[+-]\d{2}:\d{2}))?")


def _last_updated(value: str) -> Q:
    """A FHIR date search: a day (UTC) or an instant, with a comparison prefix."""
    match = LAST_UPDATED.fullmatch(value)
    try:
        start = datetime.datetime.fromisoformat(f"{match[2]}{match[3] or ''}") if match else None
    except ValueError:
        start = None
    if match is None or start is None:
        raise invalid(
            "_lastUpdated: a prefix (gt, ge, lt, le, eq) and a date or a date and time with "
            "its offset, e.g. gt2025-05-20T10:00:00Z.",
            status=400,
        )
    if match[3] is None:
        start = start.replace(tzinfo=datetime.UTC)
        end = start + datetime.timedelta(days=1)
    else:
        end = start + datetime.timedelta(microseconds=1)
    field = "request__updated_at"
    return {
        "eq": Q(**{f"{field}__gte": start, f"{field}__lt": end}),
        "gt": Q(**{f"{field}__gte": end}),
        "ge": Q(**{f"{field}__gte": start}),
        "lt": Q(**{f"{field}__lt": start}),
        "le": Q(**{f"{field}__lt": end}),
    }[match[1] or "eq"]
