"""One private stack (tests/faults/stack.py) for the drills of a module, and the mail relay its
worker sends to."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.db import connection

from tests.faults.stack import Stack, stack_running
from tests.notifications.fakes import FakeSmtpServer

# The drills start their own PostgreSQL, Redis, gunicorn and RQ worker, which takes about a
# minute on a two-core machine; the suite runs twice in CI (.ci/run) and this needs running
# once. They need no particular test database, so the PostgreSQL pass is the one that runs
# them: a machine set up for that pass has PostgreSQL's server tools and redis-server.
on_postgresql_pass = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the fault drills run in the suite's PostgreSQL pass only (they take a minute)",
)


@pytest.fixture(scope="module")
def relay() -> Iterator[FakeSmtpServer]:
    """The mail relay the task worker sends to."""
    server = FakeSmtpServer()
    server.start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def stack(relay: FakeSmtpServer) -> Iterator[Stack]:
    root = Path(tempfile.mkdtemp(prefix="ryadom-faults-"))
    root.chmod(0o755)  # PostgreSQL's own user reaches its directory inside
    try:
        with stack_running(root, relay.port) as running:
            yield running
    finally:
        shutil.rmtree(root, ignore_errors=True)
