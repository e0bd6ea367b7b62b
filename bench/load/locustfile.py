"""Who uses Ryadom, as locust users (docs/performance.md). Run by bench/load/run.py, which
starts the cluster and gives each class its tokens; or by hand against a running cluster:

    RYADOM_LOAD_TOKENS='{"relative": "...", "coord-moscow": "..."}' \\
      locust -f bench/load/locustfile.py --host http://127.0.0.1:8780 --headless -u 16 -t 30s

Every user is a closed loop (no think time): the next request leaves when the answer came.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import uuid
from typing import Any, ClassVar

from locust import HttpUser, constant, task

PASSWORD = "ryadom-demo-2026"  # noqa: S105 - the demo accounts' (ryadom demo-accounts)
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# Requests asked during the run, for the coordinators to act on (one process, gevent).
ASKED: list[int] = []
SIGNUPS = itertools.count()
JOINED: list[str] = []  # addresses whose sign-up was accepted (the code is on its way)


def tokens() -> dict[str, str]:
    return json.loads(os.environ.get("RYADOM_LOAD_TOKENS", "{}"))


class ApiUser(HttpUser):
    abstract = True
    wait_time = constant(0)
    account: ClassVar[str] = ""

    def on_start(self) -> None:
        self.client.headers["Authorization"] = f"Bearer {tokens()[self.account]}"


class PageUser(HttpUser):
    """Signed in through /login/ like a person at a browser."""

    abstract = True
    wait_time = constant(0)
    account: ClassVar[str] = ""

    def on_start(self) -> None:
        page = self.client.get("/login/", name="/login/")
        token = CSRF.search(page.text)
        self.client.post(
            "/login/",
            {
                "username": self.account,
                "password": PASSWORD,
                "csrfmiddlewaretoken": token[1] if token else "",
            },
            name="/login/",
        )


class Health(HttpUser):
    """The baseline every figure is a ratio to: the cheapest answer through the stack."""

    wait_time = constant(0)

    @task
    def health(self) -> None:
        self.client.get("/api/v1/health", name="GET /api/v1/health")


class Relative(ApiUser):
    """A relative asks for help for the veteran they act for, with an Idempotency-Key."""

    account = "relative"
    veteran: int = 0
    institution: int = 0

    def on_start(self) -> None:
        super().on_start()
        veteran = self.client.get("/api/v1/veterans", name="GET /api/v1/veterans").json()
        veteran = veteran["items"][0] if isinstance(veteran, dict) else veteran[0]
        detail = self.client.get(
            f"/api/v1/veterans/{veteran['id']}", name="GET /api/v1/veterans/{id}"
        )
        stay = next(s for s in detail.json()["stays"] if s["discharged_on"] is None)
        self.veteran, self.institution = veteran["id"], stay["institution_id"]

    @task
    def ask(self) -> None:
        body = {
            "service": "laundry.wash",
            "institution": self.institution,
            "veteran": self.veteran,
            "details": "Постирать вещи",
        }
        with self.client.post(
            "/api/v1/requests",
            json=body,
            headers={"Idempotency-Key": str(uuid.uuid4())},
            name="POST /api/v1/requests",
            catch_response=True,
        ) as answer:
            if answer.status_code == 201:
                ASKED.append(answer.json()["id"])
                answer.success()
            else:
                answer.failure(f"{answer.status_code}: {answer.text[:200]}")


class Coordinator(ApiUser):
    """A regional coordinator reads the queue and triages the newest requests."""

    account = "coord-moscow"

    @task(3)
    def queue(self) -> None:
        self.client.get("/api/v1/requests?status=new&limit=50", name="GET /api/v1/requests")

    @task(1)
    def triage(self) -> None:
        if not ASKED:
            return self.queue()
        request_id = ASKED.pop()
        self.client.post(
            f"/api/v1/requests/{request_id}/triage",
            json={"note": ""},
            name="POST /api/v1/requests/{id}/triage",
        )
        return None


class Volunteer(PageUser):
    """A volunteer's pages: requests near me, and openings ranked for me."""

    account = "volunteer"

    @task(2)
    def home(self) -> None:
        self.client.get("/volunteer/", name="GET /volunteer/")

    @task(1)
    def for_you(self) -> None:
        self.client.get("/volunteer/for-you/", name="GET /volunteer/for-you/")


class Dashboards(PageUser):
    """The federal coordinator's and a region's dashboards."""

    account = "federal"

    @task(1)
    def federal(self) -> None:
        self.client.get("/dashboard/", name="GET /dashboard/")

    @task(1)
    def region(self) -> None:
        self.client.get("/dashboard/regions/77/", name="GET /dashboard/regions/{code}/")


class Public(HttpUser):
    """Anyone: who to contact where, and the open directory (HSDS)."""

    wait_time = constant(0)

    @task(1)
    def find(self) -> None:
        self.client.get("/find/", name="GET /find/")

    @task(1)
    def directory(self) -> None:
        self.client.get("/api/v1/hsds/services", name="GET /api/v1/hsds/services")


class SignUp(HttpUser):
    """A volunteer after a public appeal: the /join/ form, a code sent to their e-mail."""

    wait_time = constant(0)

    @task
    def join(self) -> None:
        self.client.cookies.clear()
        page = self.client.get("/join/", name="GET /join/")
        token = CSRF.search(page.text)
        address = f"surge-{os.environ.get('RYADOM_LOAD_RUN', 'run')}-{next(SIGNUPS)}@example.org"
        with self.client.post(
            "/join/",
            {"address": address, "csrfmiddlewaretoken": token[1] if token else ""},
            name="POST /join/",
            catch_response=True,
            allow_redirects=False,
        ) as answer:
            if answer.status_code == 302:
                JOINED.append(address)
                answer.success()
            else:
                answer.failure(f"{answer.status_code}")


MIX: dict[type[HttpUser], int] = {
    Relative: 3,
    Coordinator: 3,
    Volunteer: 4,
    Dashboards: 2,
    Public: 4,
}


def weights(classes: dict[type[HttpUser], int]) -> Any:
    for cls, weight in classes.items():
        cls.weight = weight
    return list(classes)
