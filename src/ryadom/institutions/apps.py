from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InstitutionsConfig(AppConfig):
    name = "ryadom.institutions"
    label = "institutions"
    verbose_name = _("Medical institutions")
