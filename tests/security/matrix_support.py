"""The machinery of the authorisation matrix: every route, every role, in and out of scope.

The table itself lives in test_matrix.py; this module walks the routes, builds the objects
and calls each route as each role, each call rolled back so no call changes what the next sees.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from ryadom.accounts.models import Role, User
from ryadom.attachments.models import Attachment, FileKind
from ryadom.care.models import CareRequest, Channel
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.referrals.models import PartnerMember, PartnerService, Referral
from ryadom.referrals.services import partner_create, partner_member_add, referral_create
from ryadom.veterans.models import AdmissionClaim, Consent, ConsentPurpose, DeletionRequest
from tests import factories as f
from tests.conftest import Cast

# The roles table, one actor of each role from the cast; "stranger" holds no role at all.
ROLE_ACTORS: dict[str, str] = {
    Role.FEDERAL_COORDINATOR: "federal",
    Role.AGENCY_OBSERVER: "observer",
    Role.REGIONAL_COORDINATOR: "coord_a",
    Role.INSTITUTION_LIAISON: "liaison",
    Role.NGO_MANAGER: "ngo_manager",
    Role.VOLUNTEER: "volunteer_user",
    Role.VETERAN: "veteran_user",
    Role.RELATIVE: "relative",
}
# Short names used in the table.
SHORT: dict[str, str] = {
    Role.FEDERAL_COORDINATOR: "federal",
    Role.AGENCY_OBSERVER: "observer",
    Role.REGIONAL_COORDINATOR: "coord",
    Role.INSTITUTION_LIAISON: "liaison",
    Role.NGO_MANAGER: "ngo",
    Role.VOLUNTEER: "volunteer",
    Role.VETERAN: "veteran",
    Role.RELATIVE: "relative",
}
# "partner": a regular partner's staff member (referrals.PartnerMember of a partner service of
# region A): no role, so everywhere but the partner's own pages they get what a stranger gets.
ACTORS = [*SHORT.values(), "stranger", "partner", "anon"]
# "Got past the permission check": the status then depends on the input, not on who asks.
OK = "ok"
OK_STATUSES = frozenset({200, 201, 204, 302, 400, 409, 422})


class Expect(dict[str, int | str]):
    """Expected status per actor: E(403, anon=302, coord=200) — a default and exceptions."""


def E(default: int | str, **exceptions: int | str) -> Expect:  # noqa: N802 - reads as a table
    unknown = set(exceptions) - set(ACTORS)
    if unknown:
        raise ValueError(f"unknown actors in the matrix: {sorted(unknown)}")
    found = {actor: exceptions.get(actor, default) for actor in ACTORS}
    found["partner"] = exceptions.get("partner", found["stranger"])
    return Expect(found)


@dataclass(frozen=True)
class Row:
    """What each actor gets from one route. `obj` names the kind of object its ids point at:
    `inside` is for the object in region A (the cast's "ours"), `outside` for region B."""

    inside: Expect
    outside: Expect | None = None
    obj: str | None = None
    body: dict[str, Any] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)  # ids that are not objects (an action)


# --- the routes ----------------------------------------------------------------------------

SKIPPED_NAMESPACES = {"admin"}  # the back office: Django's own staff check


def page_routes() -> list[str]:
    """Every page route as "<pattern>", walked from the URL resolver (the API separately)."""

    def walk(patterns: list[Any], prefix: str) -> Iterator[str]:
        for p in patterns:
            if isinstance(p, URLResolver):
                if p.namespace in SKIPPED_NAMESPACES or p.namespace == "api":
                    continue
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            elif isinstance(p, URLPattern):
                yield "/" + prefix + str(p.pattern)

    return sorted(set(walk(get_resolver().url_patterns, "")))


def api_routes() -> list[str]:
    """Every API operation as "METHOD /api/v1/path", from the OpenAPI schema."""
    from ryadom.config.api import api

    schema = api.get_openapi_schema()
    return sorted(
        f"{method.upper()} {path}" for path, ops in schema["paths"].items() for method in ops
    )


# --- the objects the ids point at ----------------------------------------------------------

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _request(c: Cast, region: str) -> CareRequest:
    inside = region == "a"
    return request_create(
        actor=c.coord_a if inside else c.coord_b,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=c.institution_a if inside else c.institution_b,
        veteran=c.veteran_a if inside else c.veteran_b,
        channel=Channel.PHONE,
    )


def matrix_partner(c: Cast) -> tuple[PartnerService, User]:
    """Region A's partner service and its staff member (the matrix's "partner")."""
    partner = PartnerService.objects.filter(name="Матрица: центр занятости").first()
    if partner is None:
        partner = partner_create(
            actor=None, name="Матрица: центр занятости", kind="employment", region=f.region("77")
        )
    member = PartnerMember.objects.filter(partner=partner).select_related("user").first()
    if member is None:
        member = partner_member_add(actor=c.coord_a, user=f.UserFactory(), partner=partner)
    return partner, member.user


def _referral(c: Cast, region: str) -> Referral:
    """Inside: to the matrix's partner; outside: to a Rostov partner it does not work for."""
    if region == "a":
        partner, coordinator, veteran = matrix_partner(c)[0], c.coord_a, c.veteran_a
    else:
        partner = partner_create(
            actor=None, name="Матрица: центр Б", kind="employment", region=f.region("61")
        )
        coordinator, veteran = c.coord_b, c.veteran_b
    Consent.objects.create(
        veteran=veteran,
        purpose=ConsentPurpose.PARTNER,
        recorded_by=c.federal,
        given_at=timezone.now(),
    )
    return referral_create(actor=coordinator, veteran=veteran, partner=partner, need="work")


def build_objects(c: Cast) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """kind → (ids of the object inside region A, ids of the one in region B)."""
    req_a, req_b = _request(c, "a"), _request(c, "b")
    ref_a, ref_b = _referral(c, "a"), _referral(c, "b")
    dept_a = f.DepartmentFactory(institution=c.institution_a)
    dept_b = f.DepartmentFactory(institution=c.institution_b)

    def attachment(req: CareRequest) -> Attachment:
        from django.core.files.base import ContentFile

        a = Attachment(request=req, kind=FileKind.PNG, size=len(PNG), sha256="0" * 64)
        a.file.save("matrix.png", ContentFile(PNG), save=False)
        a.save()
        return a

    att_a, att_b = attachment(req_a), attachment(req_b)
    del_a = DeletionRequest.objects.create(veteran=c.veteran_a, asked_by=c.veteran_user)
    del_b = DeletionRequest.objects.create(veteran=c.veteran_b)
    consent_b = Consent.objects.create(
        veteran=c.veteran_b,
        purpose=ConsentPurpose.CONTACT,
        recorded_by=c.federal,
        given_at=timezone.now(),
    )
    consent_a = Consent.objects.create(
        veteran=c.veteran_a,
        purpose=ConsentPurpose.CONTACT,
        given_by=c.veteran_user,
        recorded_by=c.veteran_user,
        given_at=timezone.now(),
    )
    claim_a = AdmissionClaim.objects.create(user=c.stranger, institution=c.institution_a, name="A")
    claim_b = AdmissionClaim.objects.create(
        user=f.UserFactory(), institution=c.institution_b, name="B"
    )
    token_a = c.veteran_user.api_tokens.create(name="matrix", prefix="rdm_aaaa", key_hash="a" * 64)
    token_b = c.coord_b.api_tokens.create(name="matrix", prefix="rdm_bbbb", key_hash="b" * 64)
    return {
        "request": (
            {"pk": req_a.pk, "request_id": req_a.pk},
            {"pk": req_b.pk, "request_id": req_b.pk},
        ),
        "veteran": ({"veteran_id": c.veteran_a.pk}, {"veteran_id": c.veteran_b.pk}),
        "volunteer": ({"volunteer_id": c.volunteer_a.pk}, {"volunteer_id": c.volunteer_b.pk}),
        "institution": (
            {"institution_id": c.institution_a.pk},
            {"institution_id": c.institution_b.pk},
        ),
        "region": ({"code": "77"}, {"code": "61"}),
        "ward": (
            {"institution_id": c.institution_a.pk, "department_id": dept_a.pk},
            {"institution_id": c.institution_b.pk, "department_id": dept_b.pk},
        ),
        "attachment": ({"attachment_id": att_a.pk}, {"attachment_id": att_b.pk}),
        "deletion": ({"deletion_id": del_a.pk}, {"deletion_id": del_b.pk}),
        "consent": ({"consent_id": consent_a.pk}, {"consent_id": consent_b.pk}),
        "token": ({"token_id": token_a.pk}, {"token_id": token_b.pk}),
        "organisation": ({"organisation_id": c.ngo_a.pk}, {"organisation_id": c.ngo_b.pk}),
        "claim": ({"claim_id": claim_a.pk}, {"claim_id": claim_b.pk}),
        "referral": (
            {"pk": ref_a.pk, "referral_id": ref_a.pk},
            {"pk": ref_b.pk, "referral_id": ref_b.pk},
        ),
    }


# Ids that exist nowhere: a route whose object kind the matrix does not build yet still gets
# checked for its door (who is turned away before any lookup) and for "no such thing".
MISSING = 987654


def fill(route: str, params: dict[str, Any]) -> str:
    """Put the ids into a route pattern (Django's <conv:name> or OpenAPI's {name})."""

    def value(name: str) -> str:
        return str(params.get(name, MISSING))

    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: value(m.group(1)), route)
    return re.sub(r"\{(\w+)\}", lambda m: value(m.group(1)), path)


class _Rollback(Exception):
    pass


def call(client: Client, method: str, url: str, row: Row) -> int:
    """One call, rolled back afterwards so the next actor finds the same state."""
    status = 0
    # Signing out, or choosing a language, changes the client's cookies: keep them as they were.
    cookies = copy.deepcopy(client.cookies)
    try:
        with transaction.atomic():
            if method == "GET":
                response = client.get(url)
            elif url.startswith("/api/"):
                response = client.generic(
                    method, url, json.dumps(row.body), content_type="application/json"
                )
            else:
                response = client.post(url, row.body)
            status = response.status_code
            raise _Rollback
    except _Rollback:
        pass
    finally:
        client.cookies = cookies
    return status


def client_for(cast: Cast, actor: str) -> Client:
    client = Client()
    if actor == "anon":
        return client
    if actor == "partner":
        client.force_login(matrix_partner(cast)[1])
        return client
    name = "stranger" if actor == "stranger" else ROLE_ACTORS[_role_of(actor)]
    user: User = getattr(cast, name)
    client.force_login(user)
    return client


def _role_of(short: str) -> str:
    return next(role for role, s in SHORT.items() if s == short)


def matches(expected: int | str, got: int) -> bool:
    if expected == OK:
        return got in OK_STATUSES
    return got == expected


PARAM_KINDS = {
    "request_id": "request",
    "veteran_id": "veteran",
    "volunteer_id": "volunteer",
    "code": "region",
    "attachment_id": "attachment",
    "deletion_id": "deletion",
    "consent_id": "consent",
    "token_id": "token",
    "organisation_id": "organisation",
    "institution_id": "institution",
    "claim_id": "claim",
    "referral_id": "referral",
}


def guess_kind(route: str) -> str | None:
    """The object kind a route's ids point at, when the matrix builds one of that kind."""
    names = re.findall(r"<(?:\w+:)?(\w+)>|\{(\w+)\}", route)
    params = [a or b for a, b in names]
    if "department_id" in params:
        return "ward"
    if "pk" in params and route.startswith(("/requests/", "requests/")):
        return "request"
    if "pk" in params and route.startswith(("/partner/", "partner/")):
        return "referral"
    for p in params:
        if p in PARAM_KINDS:
            return PARAM_KINDS[p]
    return None
