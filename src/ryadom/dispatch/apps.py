from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DispatchConfig(AppConfig):
    name = "ryadom.dispatch"
    label = "dispatch"
    verbose_name = _("Matching runs and proposals")
