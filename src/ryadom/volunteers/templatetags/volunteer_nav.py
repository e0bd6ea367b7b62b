"""The volunteer, NGO manager and liaison pages in the site navigation, shown by role."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from ryadom.accounts.models import Role
from ryadom.accounts.scopes import scope_of

register = template.Library()


@register.inclusion_tag("care/nav_links.html", takes_context=True)
def volunteer_nav(context: dict[str, Any]) -> dict[str, Any]:
    """Links to the onboarding pages the signed-in person uses: (url name, label)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    links: list[tuple[str, Any]] = []
    if user is not None and user.is_authenticated:
        scope = scope_of(user)
        if scope.has(Role.VOLUNTEER):
            links.append(("volunteer-checklist", _("My checks")))
        if scope.has(Role.NGO_MANAGER):
            links.append(("ngo-members", _("Members")))
        if scope.has(Role.INSTITUTION_LIAISON):
            links.append(("institution-volunteers", _("Volunteers here")))
    else:
        links.append(("join", _("Become a volunteer")))
    return {"links": links, "request": request}
