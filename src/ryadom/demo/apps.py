from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo generator and its commands (`demo-data`, `demo-accounts`, `schedules_start`).

    An entry point like `web`: it drives every domain app through its services and models,
    and no app imports it.
    """

    name = "ryadom.demo"
    label = "demo"
