"""The care pages' links in the site navigation, shown by role."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from ryadom.accounts.models import Role
from ryadom.accounts.scopes import scope_of
from ryadom.care.page_selectors import page_roles

register = template.Library()


@register.inclusion_tag("care/nav_links.html", takes_context=True)
def care_nav(context: dict[str, Any]) -> dict[str, Any]:
    """Links to the pages the signed-in person uses: (url name, label)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    links: list[tuple[str, Any]] = []
    if user is not None and user.is_authenticated:
        roles = page_roles(actor=user)
        if roles.requester:
            links += [("care:ask", _("Ask for help")), ("care:my", _("My requests"))]
            links.append(("veterans:consents", _("My consents and data")))
            links.append(("veterans:relatives", _("Relatives")))
        if roles.queue:
            links.append(("care:queue", _("Queue")))
            links.append(("veterans:admission_new", _("Admit a patient")))
        if roles.coordinator:
            links.append(("care:request_new", _("Phone request")))
            links.append(("failed-messages", _("Messages not delivered")))
            links.append(("veterans:deletions", _("Erasure requests")))
            links.append(("privacy:export", _("Audit log")))
        if roles.volunteer:
            links.append(("care:volunteer", _("Volunteering")))
            links.append(("openings:for_you", _("For you")))
        if roles.liaison or scope_of(user).has(Role.NGO_MANAGER):
            links.append(("openings:list", _("Openings")))
        if scope_of(user).has(Role.NGO_MANAGER):
            links.append(("care:ngo_wellbeing", _("Wellbeing")))
        if roles.volunteer or roles.liaison:
            links.append(("notifications:calendar", _("Calendar")))
    return {"links": links, "request": request}
