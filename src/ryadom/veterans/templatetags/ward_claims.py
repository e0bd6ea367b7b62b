"""The ward staff's way to people asking to be linked to their admission (a menu entry), and
on the queue, how many of those and of erasure requests wait."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from ryadom.veterans.selectors import is_ward_staff, queue_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def ward_claims_nav(context: dict[str, Any]) -> str:
    """The menu entry, for ward staff only (no query: the scope is read once per request)."""
    user = context["request"].user
    if not is_ward_staff(user):
        return ""
    url = reverse("veterans:admission_claims")
    return format_html('<li><a href="{}">{}</a></li>', url, _("Patients to link"))


@register.inclusion_tag("veterans/_queue_waiting.html", takes_context=True)
def veterans_waiting(context: dict[str, Any]) -> dict[str, Any]:
    """On the queue: how many erasure requests wait to be carried out, and how many people
    ask the actor's wards to link them (one query; nothing shown for none)."""
    actor = getattr(context.get("request"), "user", None)
    erasures, claims = queue_counts(actor=actor)
    return {"erasures": erasures, "claims": claims}
