"""One wrapper around every FHIR endpoint: the integration client's token, English for the
diagnostics, refusals as OperationOutcome, an audit row for each call, the FHIR JSON type."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.db import models
from django.http import HttpRequest, HttpResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt

from ryadom.accounts.models import ApiToken, TokenKind, User
from ryadom.accounts.services import api_token_authenticate, api_token_find
from ryadom.audit.services import audit_record
from ryadom.core.errors import ApplicationError
from ryadom.interop.fhir import codes
from ryadom.interop.fhir.codes import Outcome
from ryadom.interop.fhir.selectors import client_institution_ids

Json = dict[str, Any]


@dataclass
class Answer:
    """What a FHIR view answers, and what its audit row names."""

    body: Json
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    target: models.Model | None = None
    veteran_id: int | None = None
    region_id: int | None = None
    seen: list[int] = field(default_factory=list)

    def response(self) -> HttpResponse:
        response = HttpResponse(
            json.dumps(self.body, ensure_ascii=False),
            status=self.status,
            content_type=f"{codes.FHIR_JSON}; charset=utf-8",
        )
        for name, value in self.headers.items():
            response[name] = value
        return response


def base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/fhir")


def outcome_answer(exc: Outcome) -> Answer:
    return Answer(exc.resource(), status=exc.status)


def _from_application_error(exc: ApplicationError) -> Outcome:
    code = codes.ISSUE_CODES.get(exc.status_code, "business-rule")
    return Outcome(exc.status_code, code, exc.message, codes.FIELD_PATHS.get(exc.field or "", ""))


def _bearer(request: HttpRequest) -> str:
    scheme, _sep, key = request.headers.get("Authorization", "").partition(" ")
    return key.strip() if scheme.lower() == "bearer" else ""


def _client(token: ApiToken | None) -> User:
    if token is None:
        raise Outcome(401, "login", "An integration client's bearer token is required.")
    if token.kind != TokenKind.INTEGRATION:
        raise Outcome(403, "security", "Only an integration client's token may use /fhir/.")
    if not client_institution_ids(token.user):
        raise Outcome(403, "security", "This client stands for no institution.")
    return token.user


def fhir_endpoint(interaction: str, *, public: bool = False) -> Callable[..., Any]:
    """Wrap a view `(request, client, *args) -> Answer`; a public one gets client None."""

    def wrap(view: Callable[..., Answer]) -> Callable[..., HttpResponse]:
        @csrf_exempt
        @wraps(view)
        def run(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            with translation.override("en"):
                token = None if public else api_token_find(_bearer(request))
                answer = _answer(view, request, token, public, *args, **kwargs)
                if token is not None:
                    _audit(request, token, interaction, answer)
            return answer.response()

        return run

    return wrap


def _answer(
    view: Callable[..., Answer],
    request: HttpRequest,
    token: ApiToken | None,
    public: bool,
    *args: Any,
    **kwargs: Any,
) -> Answer:
    try:
        client = None if public else _client(token)
        if client is not None:
            api_token_authenticate(_bearer(request))  # records when it was last used
        return view(request, client, *args, **kwargs)
    except Outcome as exc:
        return outcome_answer(exc)
    except ApplicationError as exc:
        return outcome_answer(_from_application_error(exc))
    except RequestDataTooBig:
        return outcome_answer(Outcome(413, "too-costly", "The body is larger than 2.5 MB."))


def _audit(request: HttpRequest, token: ApiToken, interaction: str, answer: Answer) -> None:
    changes: Json = {"status": answer.status, "path": request.path[:200]}
    if answer.seen:
        changes["tasks"] = answer.seen
    audit_record(
        actor=token.user,
        action=f"fhir.{interaction}",
        target=answer.target or token,
        region_id=answer.region_id,
        veteran_id=answer.veteran_id,
        changes=changes,
    )


def body_of(request: HttpRequest) -> bytes:
    """The body of a POST, once its content type says FHIR JSON."""
    kind = request.content_type or ""
    if kind not in (codes.FHIR_JSON, "application/json"):
        raise Outcome(
            415, "not-supported", f"Send {codes.FHIR_JSON} (R4 JSON); got {kind or 'nothing'}."
        )
    return request.body
