"""The RQ worker Ryadom runs (`ryadom rqworker --worker-class ryadom.core.worker.Worker`).

RQ's default worker forks a process for every job, and that process opens its own database
connection: about a fifth of a second per job on a busy machine, more than most of our jobs
take (docs/operations.md, "Task queues"). This one runs each job in the worker process itself,
keeping its database connection between jobs the way a web process keeps it between requests:
checked before a job (a connection PostgreSQL dropped is replaced, CONN_MAX_AGE is honoured)
and after it (one left in a broken state is closed).
"""

from __future__ import annotations

from typing import Any

from django.db import close_old_connections
from rq.worker import SimpleWorker


class Worker(SimpleWorker):
    def execute_job(self, job: Any, queue: Any) -> None:
        close_old_connections()
        try:
            super().execute_job(job, queue)
        finally:
            close_old_connections()
