from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VeteransConfig(AppConfig):
    name = "ryadom.veterans"
    label = "veterans"
    verbose_name = _("Veterans")
