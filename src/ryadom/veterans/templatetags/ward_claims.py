"""The ward staff's way to people asking to be linked to their admission: a menu entry, and
on the pages they work on, how many wait."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ryadom.veterans.selectors import admission_claims_waiting, is_ward_staff

register = template.Library()


@register.simple_tag(takes_context=True)
def ward_claims_nav(context: dict[str, Any]) -> str:
    """The menu entry, for ward staff only (no query: the scope is read once per request)."""
    user = context["request"].user
    if not is_ward_staff(user):
        return ""
    url = reverse("veterans:admission_claims")
    return format_html('<li><a href="{}">{}</a></li>', url, _("Patients to link"))


@register.inclusion_tag("veterans/_admission_claims_waiting.html", takes_context=True)
def admission_claims_waiting_notice(context: dict[str, Any]) -> dict[str, Any]:
    """How many people ask the actor's wards to link them (none: nothing)."""
    actor = getattr(context.get("request"), "user", None)
    return {"waiting": admission_claims_waiting(actor=actor).count()}
