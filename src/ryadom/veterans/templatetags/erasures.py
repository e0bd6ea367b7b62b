"""The coordinator's reminder of erasure requests still waiting, for the pages they work on."""

from __future__ import annotations

from typing import Any

from django import template

from ryadom.veterans.models import DeletionStatus
from ryadom.veterans.selectors import deletion_request_list

register = template.Library()


@register.inclusion_tag("veterans/_erasures_waiting.html", takes_context=True)
def erasures_waiting(context: dict[str, Any]) -> dict[str, Any]:
    """How many erasure requests in the actor's scope wait to be carried out (none: nothing)."""
    request = context.get("request")
    actor = getattr(request, "user", None)
    waiting = deletion_request_list(actor=actor).filter(status=DeletionStatus.ASKED).count()
    return {"waiting": waiting}
