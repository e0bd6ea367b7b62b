"""What the hostile-input tests share: the API's operations read from its OpenAPI document,
a world where each of them has something real to act on, hostile values for each kind of
input, and a fingerprint of the database to show that a refused call wrote nothing."""

from __future__ import annotations

import datetime
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from django.apps import apps
from django.test import Client
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from hypothesis import strategies as st

from ryadom.accounts.models import OneTimeCode, User
from ryadom.audit.models import AuditEvent
from ryadom.care.models import Channel
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.config.api import api
from ryadom.openings.services import opening_create
from ryadom.referrals.services import partner_create, partner_member_add
from ryadom.veterans.models import Consent, Veteran
from ryadom.veterans.services import consent_code_resend
from tests import factories as f
from tests.conftest import Cast

SPEC: dict[str, Any] = json.loads(json.dumps(api.get_openapi_schema(), default=str))


@dataclass(frozen=True)
class Operation:
    method: str
    path: str
    spec: dict[str, Any]

    @property
    def name(self) -> str:
        return str(self.spec["operationId"]).rsplit("_api_", 1)[-1]

    @property
    def documented(self) -> set[int]:
        return {int(code) for code in self.spec["responses"]}

    def parameters(self, where: str) -> dict[str, dict[str, Any]]:
        return {
            p["name"]: resolve(p["schema"])
            for p in self.spec.get("parameters", [])
            if p["in"] == where
        }

    @property
    def media(self) -> str | None:
        """The body's media type: JSON, or a multipart form with files."""
        body = self.spec.get("requestBody")
        return next(iter(body["content"])) if body else None

    def raw_body_schema(self) -> dict[str, Any] | None:
        body = self.spec.get("requestBody")
        return body["content"][self.media]["schema"] if body else None

    def body_schema(self) -> dict[str, Any] | None:
        raw = self.raw_body_schema()
        return resolve(raw) if raw is not None else None

    def __str__(self) -> str:
        return f"{self.method.upper()} {self.path}"


OPERATIONS = [
    Operation(method, path, spec)
    for path, operations in SPEC["paths"].items()
    for method, spec in operations.items()
]


def resolve(schema: dict[str, Any]) -> dict[str, Any]:
    """The schema behind a $ref, and the non-null branch of an optional value."""
    if "$ref" in schema:
        schema = SPEC["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    branches = [s for s in schema.get("anyOf", []) if s.get("type") != "null"]
    if len(branches) == 1:
        return {**resolve(branches[0]), **{k: v for k, v in schema.items() if k != "anyOf"}}
    return schema


def kind_of(schema: dict[str, Any]) -> str:
    if "enum" in schema:
        return "enum"
    if schema.get("type") == "string":
        if schema.get("format") == "binary":
            return "file"
        if schema.get("format") == "date-time":
            return "moment"
        if schema.get("format") == "date":
            return "day"
        if "pattern" in schema and ":" in schema["pattern"]:
            return "time"
        return "text"
    return str(schema.get("type", "any"))


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart body."""

    name: str
    content_type: str
    data: bytes


PNG = Upload(
    "form.png",
    "image/png",
    bytes.fromhex(
        "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
        "0000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082"
    ),
)
# A file a scan must not be: another type under an image's name, nothing, too much.
BAD_FILES = [
    Upload("form.png", "image/png", b"MZ\x90\x00 not an image"),
    Upload("form.exe", "application/octet-stream", b"MZ\x90\x00"),
    Upload("form.html", "text/html", b"<script>alert(1)</script>"),
    Upload("", "image/png", PNG.data),
    Upload("form.png", "image/png", b""),
    Upload("../../form.png", "image/png", PNG.data),
    Upload("form.png", "image/png", PNG.data + b"\x00" * (5 * 1024 * 1024)),
]

# Hostile values by kind of input; every kind also gets the wrong types.
NOW = datetime.datetime.now(tz=datetime.UTC)
WRONG_TYPES: list[Any] = [None, [], {}, 1.5, True, "x", {"$ne": 1}, [None], 1e308]
HOSTILE: dict[str, list[Any]] = {
    "text": ["\x00", "a\x00b", "\ud800", "x\udfff", "\ud83d", "", " ", "x" * 5000, "' OR 1=1 --"],
    "moment": [
        "9999-12-31T23:00:00-05:00",
        "9999-12-31T23:30:00-05:00",
        "9999-12-31T23:59:59Z",
        "0001-01-01T01:00:00+05:00",
        "0001-01-01T00:00:00",
        "9999-12-31T23:59:59",
        "2100-01-01T00:00:00Z",
        "1999-12-31T23:59:59Z",
        "2099-12-31T23:00:00-05:00",
        (NOW + datetime.timedelta(days=366)).isoformat(),
        (NOW - datetime.timedelta(days=366)).isoformat(),
        "2026-13-01T00:00:00Z",
        0,
        10**12,
        -(10**12),
    ],
    "day": ["0001-01-01", "9999-12-31", "2100-01-01", "1999-12-31", 0, 253402300800, "2026-02-30"],
    "time": ["11:00:00+05:00", "11:00Z", 12345, 0, "24:00", "23:59:59.999999", "-01:00", "9"],
    "integer": [2**63, -(2**63) - 1, 2**64, 10**30, -1, 0, "1", "1e3"],
    "boolean": ["yes", 2, "true\x00"],
    "enum": ["x\x00", "\ud800", "transfer", ""],
    "array": [["\x00"], [2**63], ["\ud800"], list(range(30)), [[]]],
}


def hostile(schema: dict[str, Any]) -> st.SearchStrategy[Any]:
    """Boundaries and garbage for one input of this schema, and random ones of its kind."""
    kind = kind_of(schema)
    if kind == "file":
        return st.sampled_from([PNG, *BAD_FILES, "x", None])
    listed = st.sampled_from(HOSTILE.get(kind, []) + WRONG_TYPES)
    drawn: st.SearchStrategy[Any]
    if kind == "text":
        drawn = st.text(st.characters(codec=None, categories=None), max_size=50)
    elif kind == "moment":
        drawn = st.datetimes(
            timezones=st.sampled_from(
                [datetime.UTC, datetime.timezone(datetime.timedelta(hours=14))]
            )
        ).map(lambda d: d.isoformat()) | st.datetimes().map(lambda d: d.isoformat())
    elif kind == "day":
        drawn = st.dates().map(lambda d: d.isoformat())
    elif kind == "integer":
        drawn = st.integers(min_value=-(2**70), max_value=2**70)
    else:
        drawn = st.nothing()
    return st.one_of(listed, drawn)


@dataclass
class World:
    """Real objects for each path parameter, a valid body for each schema, and who calls."""

    path: dict[str, Any]
    bodies: dict[str, dict[str, Any]]
    clients: dict[str, Client] = field(default_factory=dict)

    def client_for(self, operation: Operation) -> Client:
        return self.clients.get(operation.name, self.clients["coordinator"])


# Who calls which operation, so a valid call gets past "may you" and reaches the rules.
CALLERS = {
    "create_opening": "liaison",
    "close_opening": "liaison",
    "list_applications": "liaison",
    "accept": "liaison",
    "decline": "liaison",
    "apply": "volunteer",
    "my_eligibility": "volunteer",
    "give_feedback": "veteran",
    "consent_give": "veteran",
    "consent_withdraw": "veteran",
    "admission_register": "liaison",
    "consent_by_code": "liaison",
    "transfer": "liaison",
    "discharge": "liaison",
    "what_matters": "veteran",
    "plan_record": "liaison",
    "circumstances_put": "veteran",
    "checklist_mark": "veteran",
    "payment_issue": "veteran",
    "list_partner_referrals": "partner",
    "get_partner_referral": "partner",
    "move_partner_referral": "partner",
    "contact_delegate": "home_coordinator",
}


def make_world(c: Cast) -> World:
    new = request_create(
        actor=c.liaison,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=c.institution_a,
        channel=Channel.API,
        veteran=c.veteran_a,
        details="Постирать",
    )
    today = timezone.localdate()
    opening = opening_create(
        actor=c.liaison,
        title="Почитать вслух",
        institution=c.institution_a,
        starts_on=today + datetime.timedelta(days=3),
        start_time=datetime.time(11),
        end_time=datetime.time(13),
    )
    consent = Consent.objects.filter(veteran=c.veteran_a).first()
    # A code waits on the veteran's phone, so a consent code reaches the check of the code.
    Veteran.objects.filter(pk=c.veteran_a.pk).update(phone="+79001234567")
    c.veteran_a.refresh_from_db()
    consent_code_resend(actor=c.liaison, veteran=c.veteran_a)
    soon = (NOW + datetime.timedelta(days=1)).replace(microsecond=0)
    after = _after_the_ward(c)
    world = World(
        path={
            "request_id": new.pk,
            "opening_id": opening.pk,
            "application_id": 10**6,
            "veteran_id": c.veteran_a.pk,
            "consent_id": consent.pk if consent else 10**6,
            "complaint_id": 10**6,
            "run_id": 10**6,
            "institution_id": c.institution_a.pk,
            "organisation_id": c.ngo_a.pk,
            "volunteer_id": c.volunteer_a.pk,
            "code": "77",
            "action": "triage",
            **after,
        },
        bodies={
            "RequestIn": {
                "service": "laundry.wash",
                "institution": c.institution_a.pk,
                "veteran": c.veteran_a.pk,
                "details": "Постирать",
                "window_starts": soon.isoformat(),
                "window_ends": (soon + datetime.timedelta(hours=3)).isoformat(),
            },
            "ActionIn": {"note": "Хорошо"},
            "FeedbackIn": {"done": True, "respectful": True, "rating": 5, "comment": "Спасибо"},
            "ComplaintAnswerIn": {"answer": "Разобрались", "upheld": False},
            "OpeningIn": {
                "title": "Прогулка",
                "institution": c.institution_a.pk,
                "starts_on": (today + datetime.timedelta(days=4)).isoformat(),
                "start_time": "11:00",
                "end_time": "12:00",
                "description": "В парке",
            },
            "RunIn": {"region": "77", "dry_run": True},
            "AcceptIn": {"proposal_ids": [10**6]},
            "ConsentIn": {"purpose": "care"},
            "ApplyIn": {"message": "Могу в субботу"},
            "DecideIn": {"reason": "Мест нет"},
            "admission_register": {
                "addressed_as": "Иван Петрович",
                "gender": "m",
                "institution_id": c.institution_a.pk,
                "admitted_on": today.isoformat(),
                "consent": "witness",
                "witness": "Сестра Анна Смирнова",
                "different_person": True,
                "scan": PNG,
            },
            "ConsentCodeIn": {"code": "123456"},
            "TransferIn": {"institution_id": c.institution_b.pk, "on": today.isoformat()},
            "DischargeIn": {"on": today.isoformat()},
            "PlanIn": {
                "home_region_id": c.veteran_a2.home_region_id,
                "needs": ["home_help"],
                "family_name": "Анна Петрова",
                "family_phone": "+7 900 123-45-67",
                "consent_method": "spoken",
                "witness": "Сестра Анна Смирнова",
            },
            "AttemptIn": {"result": "no_answer", "note": "Не взял трубку"},
            "ReferralIn": {
                "veteran": c.veteran_a.pk,
                "partner": after["partner_id"],
                "need": "work",
                "note": "Ищет работу",
            },
            "MoveIn": {"action": "cancel", "note": "Передумал"},
            "PartnerMoveIn": {"action": "accept", "note": "Ждём в понедельник"},
            "DelegateIn": {"organisation_id": after["home_ngo_id"]},
            "CircumstancesIn": {"status": "svo_participant", "region": "77"},
            "MarkIn": {"status": "applied"},
            "PaymentIssueIn": {"details": "Выплата не пришла"},
            "WhatMattersIn": {
                "addressed_as": "Иван Петрович",
                "what_matters": "Внуки и шахматы",
                "communication_needs": "Говорить громче",
                "mobility_needs": "Коляска",
            },
        },
    )
    for role, user in [
        ("coordinator", c.coord_a),
        ("liaison", c.liaison),
        ("volunteer", c.volunteer_user),
        ("veteran", c.veteran_user),
        ("home_coordinator", c.coord_b),
        ("partner", User.objects.get(pk=after["partner_user_id"])),
    ]:
        world.clients[role] = signed_in(user)
    world.clients.update({op: world.clients[role] for op, role in CALLERS.items()})
    return world


def _after_the_ward(c: Cast) -> dict[str, int]:
    """A discharge handed over home with its contacts (and an NGO of the home region to give
    one to), and a referral to a partner service with a member of its staff, for the ids of
    the operations after the ward."""
    from tests.aftercare.conftest import discharge, plan_with_consent
    from tests.referrals.conftest import consent, refer

    stay = discharge(c)
    plan = plan_with_consent(c, stay)
    partner = partner_create(
        actor=c.coord_a,
        name="Центр занятости",
        kind="employment",
        region=c.institution_a.region,
        contact_person="Ольга Сидорова",
        phone="+7 495 000-00-01",
        email="centre@example.org",
        offers="Вакансии",
    )
    consent(c.veteran_a, c.federal)
    referral = refer(c, c.veteran_a, partner)
    member = partner_member_add(actor=c.coord_a, user=f.UserFactory(), partner=partner)
    c.ngo_b.regions.add(plan.home_region)
    return {
        "stay_id": stay.pk,
        "plan_id": plan.pk,
        "contact_id": plan.contacts.order_by("pk").first().pk,  # type: ignore[union-attr]
        "partner_id": partner.pk,
        "referral_id": referral.pk,
        "partner_user_id": member.user_id,
        "home_ngo_id": c.ngo_b.pk,
    }


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


def body_name(operation: Operation) -> str | None:
    """The body's schema name; a multipart form's fields are listed inline: the operation's."""
    schema = operation.raw_body_schema()
    if schema is None:
        return None
    refs = [s["$ref"] for s in [schema, *schema.get("anyOf", [])] if "$ref" in s]
    return str(refs[0].rsplit("/", 1)[-1]) if refs else operation.name


_BOUNDARY = "HostileBoundary7MA4YWxkTrZu0gW"


def _multipart(fields: dict[str, Any]) -> bytes:
    """A multipart form as a browser sends it, broken characters as the bytes a client would
    send; a value that is not text or a file goes as its JSON, a missing one not at all."""
    parts = []
    for name, value in fields.items():
        if value is None:
            continue
        head = f'--{_BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"'
        if isinstance(value, Upload):
            head += f'; filename="{value.name}"\r\nContent-Type: {value.content_type}'
            data = value.data
        else:
            text = value if isinstance(value, str) else json.dumps(value)
            data = text.encode("utf-8", "surrogatepass")
        parts.append(head.encode("utf-8", "surrogatepass") + b"\r\n\r\n" + data + b"\r\n")
    return b"".join(parts) + f"--{_BOUNDARY}--\r\n".encode()


def _query_value(value: Any) -> str:
    text = value if isinstance(value, str) else json.dumps(value)
    # Broken characters cannot be encoded as they are: send the bytes a client would.
    return quote(text.encode("utf-8", "surrogatepass"), safe="")


def call(
    world: World,
    operation: Operation,
    *,
    path: dict[str, Any] | None = None,
    query: dict[str, Any] | None = None,
    body: Any = None,
    headers: dict[str, str] | None = None,
) -> Any:
    """Call the operation with these inputs (the world's valid ones where none are given)."""
    url = operation.path
    for name, value in (world.path | (path or {})).items():
        url = url.replace("{" + name + "}", _query_value(value))
    if query:
        url += "?" + "&".join(f"{k}={_query_value(v)}" for k, v in query.items() if v is not None)
    client = world.client_for(operation)
    if headers:
        headers = {k: v if isinstance(v, str) else json.dumps(v) for k, v in headers.items()}
    if operation.method == "get":
        return client.get(url, headers=headers)
    send = {"post": client.post, "put": client.put, "patch": client.patch}[operation.method]
    if operation.media == "multipart/form-data":
        form = _multipart(body or {})
        kind = f"multipart/form-data; boundary={_BOUNDARY}"
        return send(url, form, content_type=kind, headers=headers)
    content = json.dumps(body) if body is not None else ""
    return send(url, content, content_type="application/json", headers=headers)


def valid_body(world: World, operation: Operation) -> dict[str, Any] | None:
    name = body_name(operation)
    return dict(world.bodies[name]) if name else None


# Tables a refused call must leave as they were: all of ours (but the bearer token's "last
# used" bookkeeping) and the task queue. A wrong one-time code stays counted against its
# code when the call is refused: that count is the one column of it a refusal may change.
_OURS = [
    m
    for m in apps.get_models()
    if m.__module__.startswith("ryadom.") and m._meta.label_lower != "accounts.apitoken"
]


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of those tables, in a comparable form.

    Reads of personal data are audited even when the call then fails (someone did look):
    those rows are the one thing a refused call may add.
    """
    found: dict[str, list[tuple[Any, ...]]] = {}
    for model in [*_OURS, DBTaskResult]:
        rows = model._default_manager.order_by("pk")
        if model is AuditEvent:
            rows = rows.exclude(action__endswith=".viewed")
        columns = [f.attname for f in model._meta.concrete_fields]
        if model is OneTimeCode:
            columns.remove("attempts")
        found[model._meta.label_lower] = list(rows.values_list(*columns))
    return found


def changed(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [label for label in after if before.get(label) != after[label]]


def assert_refused_cleanly(response: Any, operation: Operation, what: object) -> None:
    """No server error, a documented status in the API's error shape."""
    assert response.status_code < 500, (str(operation), what, response.content[:300])
    assert response.status_code in operation.documented, (
        str(operation),
        what,
        response.status_code,
        response.content[:300],
    )
    if response.status_code >= 400:
        body = response.json()
        assert isinstance(body.get("detail"), str) and isinstance(body.get("errors"), list), (
            str(operation),
            what,
            body,
        )
