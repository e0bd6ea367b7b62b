"""What a request's page (care/request_detail.html) shows of the matching engine."""

from __future__ import annotations

from typing import Any

from django import template

from ryadom.care.models import CareRequest
from ryadom.dispatch.selectors import request_recommendations

register = template.Library()


@register.inclusion_tag("dispatch/_suggested.html", takes_context=True)
def suggested_volunteers(context: dict[str, Any], obj: CareRequest) -> dict[str, Any]:
    """The engine's best five volunteers for the request, with reasons, each with "Assign"."""
    request = context["request"]
    return {
        "obj": obj,
        "csrf_token": context.get("csrf_token"),
        "suggested": request_recommendations(actor=request.user, request=obj, limit=5),
    }
