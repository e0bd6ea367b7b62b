"""The back office's admin site: other packages' apps and models named in the reader's language.

django-otp and django-tasks-db name their apps and models in English only ("Static devices",
"Tasks Database Backend"). Their models cannot be renamed here without migrations of their
apps, so the back office names them where it lists them.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

APP_NAMES: dict[str, Promise] = {
    "otp_static": _("Second factor: backup codes"),
    "otp_totp": _("Second factor: authenticator apps"),
    "django_tasks_database": _("Background tasks"),
    "axes": _("Sign-in lockouts"),
}
MODEL_NAMES: dict[str, Promise] = {
    "otp_static.staticdevice": _("Sets of backup codes"),
    "otp_totp.totpdevice": _("Authenticator apps"),
    "django_tasks_database.dbtaskresult": _("Task results"),
}


class BackOfficeSite(admin.AdminSite):
    site_header = "Ryadom"
    site_title = "Ryadom"

    def get_app_list(
        self, request: HttpRequest, app_label: str | None = None
    ) -> list[dict[str, Any]]:
        apps = super().get_app_list(request, app_label)
        for app in apps:
            app["name"] = str(APP_NAMES.get(app["app_label"], app["name"]))
            for model in app["models"]:
                key = f"{app['app_label']}.{model['object_name'].lower()}"
                model["name"] = str(MODEL_NAMES.get(key, model["name"]))
            app["models"].sort(key=lambda m: m["name"])
        return sorted(apps, key=lambda a: a["name"].lower())
