from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "ryadom.security"
    label = "security"
    verbose_name = _("Security")

    def ready(self) -> None:
        from ryadom.security import checks, signals  # noqa: F401 - registers them
