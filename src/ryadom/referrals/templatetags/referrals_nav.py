"""The referrals' entry in the site navigation, and the veteran page's referral section."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from ryadom.referrals.selectors import is_partner_member, is_referrer, referral_list

register = template.Library()


@register.simple_tag(takes_context=True)
def referrals_nav(context: dict[str, Any]) -> SafeString | str:
    """Coordinators follow referrals; a partner's staff answer those to their services."""
    user = context["request"].user
    links = []
    if is_referrer(user):
        links.append((reverse("referrals:list"), _("Referrals")))
    if is_partner_member(user):
        links.append((reverse("referrals:member_list"), _("Referrals to our service")))
    return format_html_join("", '<li><a href="{}">{}</a></li>', links)


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
