from __future__ import annotations

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ryadom.core"
    label = "core"
