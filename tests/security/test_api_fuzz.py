"""A bounded fuzz run of the whole API from its OpenAPI document: no 5xx, every status is one
the operation documents, and every response keeps to the schema. Deterministic (derandomized
Hypothesis), a few examples per operation, as a regional coordinator whose region has data
in it.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from ryadom.accounts.services import api_token_issue
from ryadom.care.models import Channel
from ryadom.care.services.intake import request_create
from ryadom.catalogue.models import ServiceType
from ryadom.config.wsgi import application
from tests.conftest import Cast

EXAMPLES_PER_OPERATION = 5


# Read at collection through the WSGI app: serving the document touches no database.
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)


@pytest.fixture
def wsgi_keeps_the_test_database() -> Iterator[None]:
    """Calls through the WSGI app end with request_finished, which closes the database
    connection; the test's transaction must outlive them (Django's test client does the same).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def coordinator_headers(care_cast: Cast) -> dict[str, str]:
    """A bearer token of the Moscow coordinator, with a request in the region to look at."""
    c = care_cast
    request_create(
        actor=c.liaison,
        service_type=ServiceType.objects.get(code="laundry.wash"),
        institution=c.institution_a,
        channel=Channel.API,
        veteran=c.veteran_a,
        details="Постирать",
    )
    _token, key = api_token_issue(actor=c.coord_a, user=c.coord_a, name="fuzz")
    return {"Authorization": f"Bearer {key}"}


@schema.parametrize()
@settings(
    max_examples=EXAMPLES_PER_OPERATION,
    derandomize=True,
    # Generated cases only: the boundary-value ("coverage") phase multiplies the run time by
    # ten; run it by hand with `schemathesis run` when the API changes shape.
    phases=[Phase.generate],
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
@pytest.mark.django_db
def test_the_api_never_fails_and_keeps_to_its_schema(
    case: Any, coordinator_headers: dict[str, str], wsgi_keeps_the_test_database: None
) -> None:
    case.call_and_validate(
        headers=coordinator_headers,
        checks=[
            not_a_server_error,
            status_code_conformance,
            response_schema_conformance,
            content_type_conformance,
        ],
    )
