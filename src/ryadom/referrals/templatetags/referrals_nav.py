"""The referrals' entry in the site navigation, and the veteran page's referral section."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ryadom.referrals.selectors import is_referrer, referral_list

register = template.Library()


@register.simple_tag(takes_context=True)
def referrals_nav(context: dict[str, Any]) -> SafeString | str:
    if not is_referrer(context["request"].user):
        return ""
    return format_html('<li><a href="{}">{}</a></li>', reverse("referrals:list"), _("Referrals"))


@register.inclusion_tag("referrals/_veteran_referrals.html", takes_context=True)
def veteran_referrals(context: dict[str, Any], veteran: Any) -> dict[str, Any]:
    """On a veteran's page: their referrals the coordinator follows, and "Refer"."""
    user = context["request"].user
    shown = is_referrer(user)
    return {
        "shown": shown,
        "veteran": veteran,
        "referrals": list(referral_list(actor=user, veteran_id=veteran.pk)[:20]) if shown else [],
    }
