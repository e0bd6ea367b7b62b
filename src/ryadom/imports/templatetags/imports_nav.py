"""The import page's entry in the site navigation, for those who may import."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ryadom.imports.services import kinds_for

register = template.Library()


@register.simple_tag(takes_context=True)
def imports_nav(context: dict[str, Any]) -> SafeString | str:
    if not kinds_for(context["request"].user):
        return ""
    return format_html('<li><a href="{}">{}</a></li>', reverse("imports:start"), _("Import"))
