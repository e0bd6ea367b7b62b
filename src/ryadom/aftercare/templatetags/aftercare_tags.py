"""What other apps' pages show of aftercare: the coordinator's queue (discharges without a
plan, follow-up contacts due) and the veteran's page (their coordinator at home)."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from ryadom.aftercare.selectors import home_coordinators_of, queue_counts

register = template.Library()


def _actor(context: dict[str, Any]) -> Any:
    return getattr(context.get("request"), "user", None)


@register.inclusion_tag("aftercare/_queue_waiting.html", takes_context=True)
def aftercare_waiting(context: dict[str, Any]) -> dict[str, Any]:
    """How many discharges in the actor's hospitals wait for a plan, and how many follow-up
    contacts are theirs to make today (one query; none for people who have neither)."""
    discharges, contacts = queue_counts(actor=_actor(context), on=timezone.localdate())
    return {"discharges": discharges, "contacts": contacts}


@register.inclusion_tag("aftercare/_home_coordinator.html", takes_context=True)
def home_coordinator(context: dict[str, Any]) -> dict[str, Any]:
    """Who coordinates help at home for the veteran (or the veterans a relative acts for)."""
    return {"plans": home_coordinators_of(actor=_actor(context))}
