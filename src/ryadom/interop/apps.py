from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteropConfig(AppConfig):
    name = "ryadom.interop"
    label = "interop"
    verbose_name = _("Data exchange")
