"""The profile page's section on Telegram and notification settings."""

from __future__ import annotations

from typing import Any

from django import template

from ryadom.telegram.models import TelegramLink

register = template.Library()


@register.inclusion_tag("telegram/_profile_section.html", takes_context=True)
def telegram_profile(context: dict[str, Any]) -> dict[str, Any]:
    """Whether the signed-in person's Telegram is linked, with the buttons to change it."""
    request = context.get("request")
    user = getattr(request, "user", None)
    link = None
    if user is not None and user.is_authenticated:
        link = TelegramLink.objects.filter(user=user).first()
    return {"link": link, "request": request, "csrf_token": context.get("csrf_token")}
