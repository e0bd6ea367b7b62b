from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttachmentsConfig(AppConfig):
    name = "ryadom.attachments"
    label = "attachments"
    verbose_name = _("Attachments")

    def ready(self) -> None:
        # An anonymised veteran's files go (veterans/events.py).
        from ryadom.attachments.services import attachments_delete_for_veteran
        from ryadom.veterans import events

        events.veteran_anonymising.subscribe(attachments_delete_for_veteran)
