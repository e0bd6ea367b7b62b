"""The FHIR R4 endpoint at /fhir/ (docs/fhir.md): referrals in, their Tasks read back."""

from __future__ import annotations

from django.http import HttpRequest

from ryadom.accounts.models import User
from ryadom.interop.fhir import conformance, resources, selectors
from ryadom.interop.fhir.codes import Outcome
from ryadom.interop.fhir.http import Answer, base_url, body_of, fhir_endpoint
from ryadom.interop.fhir.parse import Incoming, referral_from_bundle, referral_from_task
from ryadom.interop.fhir.services import referral_receive
from ryadom.interop.models import Referral


def _not_allowed(request: HttpRequest, allowed: str) -> Outcome:
    return Outcome(405, "not-supported", f"{request.method} is not supported here: {allowed}.")


@fhir_endpoint("metadata", public=True)
def metadata(request: HttpRequest, client: None) -> Answer:
    if request.method != "GET":
        raise _not_allowed(request, "GET")
    return Answer(conformance.capability_statement(base_url(request)))


@fhir_endpoint("code_system", public=True)
def code_system(request: HttpRequest, client: None, name: str) -> Answer:
    build = conformance.CODE_SYSTEMS.get(name)
    if build is None or request.method != "GET":
        raise Outcome(404, "not-found", f"CodeSystem/{name} is not published here.")
    return Answer(build())


def _received(request: HttpRequest, referral: Referral, created: bool) -> Answer:
    task = resources.task(selectors.referral_get(referral.client, str(referral.request_id)))
    location = f"{base_url(request)}/Task/{task['id']}"
    return Answer(
        task,
        status=201 if created else 200,
        headers={"Location": location},
        target=referral,
        veteran_id=referral.request.veteran_id,
        region_id=referral.request.region_id,
    )


def _receive(request: HttpRequest, client: User, incoming: Incoming) -> Answer:
    referral, created = referral_receive(client=client, incoming=incoming)
    return _received(request, referral, created)


@fhir_endpoint("transaction")
def transaction(request: HttpRequest, client: User) -> Answer:
    """A transaction Bundle holding one referral; answered with the Task (see docs/fhir.md)."""
    if request.method != "POST":
        raise _not_allowed(request, "POST a transaction Bundle")
    return _receive(request, client, referral_from_bundle(body_of(request)))


@fhir_endpoint("task")
def tasks(request: HttpRequest, client: User) -> Answer:
    if request.method == "POST":
        return _receive(request, client, referral_from_task(body_of(request)))
    if request.method != "GET":
        raise _not_allowed(request, "GET (search) or POST")
    return _search(request, client)


def _search(request: HttpRequest, client: User) -> Answer:
    search = selectors.search_parse(request.GET)
    found, total = selectors.search_run(client, search)
    return Answer(
        resources.searchset(
            [resources.task(r) for r in found],
            total=total,
            links=_links(request, search, total),
            base=base_url(request),
        ),
        seen=[r.request_id for r in found],
    )


def _links(request: HttpRequest, search: selectors.Search, total: int) -> dict[str, str]:
    base = base_url(request)
    links = {"self": search.link(base, search.page), "first": search.link(base, 1)}
    if search.page * search.count < total:
        links["next"] = search.link(base, search.page + 1)
    if search.page > 1:
        links["previous"] = search.link(base, search.page - 1)
    return links


def _read(request: HttpRequest, client: User, kind: str, task_id: str) -> Answer:
    if request.method != "GET":
        raise _not_allowed(request, "GET")
    referral = selectors.referral_get(client, task_id, kind)
    build = resources.task if kind == "Task" else resources.service_request
    return Answer(
        build(referral),
        target=referral,
        veteran_id=referral.request.veteran_id,
        region_id=referral.request.region_id,
    )


@fhir_endpoint("task_read")
def task(request: HttpRequest, client: User, task_id: str) -> Answer:
    return _read(request, client, "Task", task_id)


@fhir_endpoint("service_request_read")
def service_request(request: HttpRequest, client: User, request_id: str) -> Answer:
    return _read(request, client, "ServiceRequest", request_id)
