"""The dashboards' entries in the site navigation, for those who may open them (and the
liaison's own institution page)."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role
from ryadom.accounts.scopes import scope_of
from ryadom.analytics.selectors import may_see_dashboards

register = template.Library()


@register.simple_tag(takes_context=True)
def analytics_nav(context: dict[str, Any]) -> SafeString:
    user = context["request"].user
    links = []
    if may_see_dashboards(user):
        links.append((reverse("analytics:federal"), _("Dashboards")))
    scope = scope_of(user)
    if scope.has(Role.INSTITUTION_LIAISON):
        # The liaison's institution: its public page (ward posters, steps) and its report.
        for institution_id in sorted(scope.institution_ids):
            links.append(
                (reverse("institution-detail", args=[institution_id]), _("Our institution"))
            )
            links.append(
                (reverse("analytics:institution", args=[institution_id]), _("Institution report"))
            )
    if scope.has(Role.NGO_MANAGER):
        for organisation_id in sorted(scope.organisation_ids):
            links.append((reverse("analytics:ngo", args=[organisation_id]), _("Quality report")))
    return format_html_join("", '<li><a href="{}">{}</a></li>', links)
