from __future__ import annotations

from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    name = "ryadom.audit"
    label = "audit"
    verbose_name = _("Audit log")


class BackOfficeAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the back office's own site (audit/site.py)."""

    default = False  # "ryadom.audit" itself is AuditConfig
    default_site = "ryadom.audit.site.BackOfficeSite"
