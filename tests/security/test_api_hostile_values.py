"""Hostile values in every input the OpenAPI document lists: no server error, a documented
status in the API's error shape, and a refused call leaves every table as it was.

Each input of each operation is replaced, one at a time, in an otherwise valid call made by
someone allowed to make it, so the value reaches the rules and not only the parser.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.conftest import Cast
from tests.security.hostile_api import (
    OPERATIONS,
    Operation,
    World,
    assert_refused_cleanly,
    call,
    changed,
    fingerprint,
    hostile,
    kind_of,
    make_world,
    resolve,
    valid_body,
)

pytestmark = pytest.mark.django_db

EXAMPLES_PER_OPERATION = 15


@pytest.fixture
def world(care_cast: Cast, settings: Any) -> World:
    settings.RATE_LIMITS = {**settings.RATE_LIMITS, "intake": (100_000, 3600)}
    return make_world(care_cast)


def _inputs(operation: Operation) -> list[tuple[str, str, dict[str, Any]]]:
    """(where, name, schema) of every body field, query and header parameter, and path id."""
    found = [
        (where, name, schema)
        for where in ("query", "header", "path")
        for name, schema in operation.parameters(where).items()
        if where != "path" or schema.get("type") == "integer"
    ]
    body = operation.body_schema()
    if body is not None:
        found += [("body", name, resolve(s)) for name, s in body.get("properties", {}).items()]
    return found


def _text_inputs() -> list[tuple[Operation, str, str]]:
    """Every input that takes text, and every path part that is text."""
    found = []
    for operation in OPERATIONS:
        found += [
            (operation, where, name)
            for where, name, schema in _inputs(operation)
            if kind_of(schema) in {"text", "enum"}
        ]
        found += [
            (operation, "path", name)
            for name, schema in operation.parameters("path").items()
            if kind_of(schema) == "text"
        ]
    return found


def _send(world: World, operation: Operation, where: str, name: str, value: Any) -> Any:
    body = valid_body(world, operation)
    if where == "body":
        assert body is not None
        body[name] = value
    return call(
        world,
        operation,
        path={name: value} if where == "path" else None,
        query={name: value} if where == "query" else None,
        headers={name: value} if where == "header" else None,
        body=body,
    )


def _carries_bytes(operation: Operation, where: str) -> bool:
    # URLs, headers and form fields carry bytes: a broken character arrives as U+FFFD, which
    # is storable, so only JSON bodies can deliver a lone surrogate.
    return where in {"query", "path", "header"} or (
        where == "body" and operation.media == "multipart/form-data"
    )


@pytest.mark.parametrize(
    ("operation", "where", "name", "bad"),
    [
        (*found, bad)
        for found in _text_inputs()
        for bad in ("a\x00b", "\ud800")
        if bad == "a\x00b" or not _carries_bytes(found[0], found[1])
    ],
    ids=lambda v: (
        str(v) if isinstance(v, Operation) else {"a\x00b": "NUL", "\ud800": "surrogate"}.get(v, v)
    ),
)
def test_unstorable_text_in_any_text_input_gets_422_naming_it(
    world: World, operation: Operation, where: str, name: str, bad: str
) -> None:
    before = fingerprint()
    response = _send(world, operation, where, name, bad)
    assert_refused_cleanly(response, operation, (where, name, bad))
    assert response.status_code == 422, (str(operation), name, response.content[:300])
    assert name in [e["field"] for e in response.json()["errors"]], response.json()
    assert not changed(before, fingerprint())


@pytest.mark.parametrize("operation", [o for o in OPERATIONS if _inputs(o)], ids=str)
def test_hostile_values_in_any_input_never_fail_and_refusals_write_nothing(
    world: World, operation: Operation
) -> None:
    inputs = _inputs(operation)
    state = {"last": fingerprint()}

    @given(data=st.data())
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        derandomize=True,
        phases=[Phase.generate],
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def one_hostile_input(data: st.DataObject) -> None:
        where, name, schema = data.draw(st.sampled_from(inputs), label="input")
        value = data.draw(hostile(schema), label=f"{where} {name}")
        response = _send(world, operation, where, name, value)
        assert_refused_cleanly(response, operation, (where, name, value))
        now = fingerprint()
        if response.status_code >= 400:
            assert not changed(state["last"], now), (str(operation), name, value)
        state["last"] = now

    one_hostile_input()
