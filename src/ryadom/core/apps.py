from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ryadom.core"
    label = "core"

    def ready(self) -> None:
        from django_tasks import signals

        from ryadom.core import tasks

        signals.task_started.connect(tasks.task_started, dispatch_uid="ryadom.core.in_task")
        signals.task_finished.connect(tasks.task_finished, dispatch_uid="ryadom.core.in_task")
