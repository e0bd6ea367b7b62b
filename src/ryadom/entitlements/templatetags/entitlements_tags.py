"""What the navigator adds to pages of the apps below and to the site's navigation."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role
from ryadom.accounts.scopes import scope_of
from ryadom.entitlements.selectors import may_answer_for, open_questions_by_region
from ryadom.geo.models import Region
from ryadom.veterans.models import Veteran

register = template.Library()


@register.simple_tag(takes_context=True)
def entitlements_nav(context: dict[str, Any]) -> SafeString | str:
    """ "Benefits and payments" for a veteran or a relative."""
    scope = scope_of(context["request"].user)
    if not (scope.has(Role.VETERAN) or scope.has(Role.RELATIVE)):
        return ""
    link = reverse("entitlements:mine")
    return format_html('<li><a href="{}">{}</a></li>', link, _("Benefits and payments"))


@register.simple_tag(takes_context=True)
def entitlements_link(context: dict[str, Any], veteran: Veteran) -> SafeString | str:
    """On a veteran's page: their navigator, for those who may answer for them."""
    if not may_answer_for(actor=context["request"].user, veteran=veteran):
        return ""
    link = reverse("entitlements:checklist", args=[veteran.pk])
    return format_html(
        '<p><a href="{}" data-testid="entitlements-link">{}</a></p>',
        link,
        _("Benefits and payments: answers and checklist"),
    )


@register.inclusion_tag("entitlements/_open_questions.html", takes_context=True)
def entitlement_questions(context: dict[str, Any], region: Region) -> dict[str, Any]:
    """On a region's dashboard: its open payment questions and measures applied for and not
    yet answered, as far as the reader coordinates the region."""
    found = open_questions_by_region(actor=context["request"].user, region=region)
    row = found[0] if found else None
    return {"row": row, "region": region}
