"""What care tells the apps above it (docs/architecture.md, "Events").

Published by care's services inside their transaction; notifications, analytics and openings
subscribe in their `AppConfig.ready()`. Care imports none of them.
"""

from __future__ import annotations

from ryadom.core.events import Event

_REQUEST = "the CareRequest, as saved by the change"

request_received = Event("request_received", request=_REQUEST + " (just created)")
request_opened = Event("request_opened", request=_REQUEST + " (in the queue, waiting for a helper)")
request_assigned = Event("request_assigned", request=_REQUEST + " (a helper has it)")
volunteer_assigned = Event(
    "volunteer_assigned",
    request=_REQUEST + " (assigned to a volunteer)",
    actor="the User who assigned it (a volunteer who claimed it is the actor)",
)
volunteer_released_by_move = Event(
    "volunteer_released_by_move",
    request=_REQUEST + " (read before the move drops its volunteer)",
)
visit_scheduled = Event("visit_scheduled", request=_REQUEST, visit="the planned Visit")
request_done = Event("request_done", request=_REQUEST + " (the helper finished)")
request_cancelled = Event(
    "request_cancelled", request=_REQUEST, actor="the User who cancelled, or None"
)
request_escalated = Event(
    "request_escalated", request=_REQUEST + " (escalation_level is the new level)"
)
complaint_made = Event(
    "complaint_made", request=_REQUEST, complaint="the new Complaint (from feedback)"
)
request_changed = Event(
    "request_changed", request_id="the id of any request whose facts changed (for rollups)"
)
debrief_upset = Event(
    "debrief_upset", debrief="the Debrief of a volunteer who says a visit upset them"
)
# A question rather than news: each subscriber answers with hours (a float).
other_planned_hours = Event(
    "other_planned_hours",
    volunteer="the Volunteer",
    monday="first day (date) of the week",
    sunday="last day (date) of the week",
)
# A question: each subscriber answers the User who owns a new request of this service in this
# region, or None; the first User answered wins, else the region's coordinator owns it.
request_owner = Event(
    "request_owner",
    service_type="the ServiceType of the new request",
    region_id="the id of the request's region",
)
