"""What aftercare tells the apps above it (docs/architecture.md, "Events")."""

from __future__ import annotations

from ryadom.core.events import Event

handover_received = Event(
    "handover_received",
    plan="the DischargePlan just handed over (its owner is the home coordinator)",
)
first_contact_overdue = Event(
    "first_contact_overdue",
    plan="the DischargePlan whose first contact is late (its new escalation_level: 1 the "
    "home region's coordinators, 2 federal)",
)
contact_escalated = Event(
    "contact_escalated",
    contact="the FollowUpContact closed after three attempts without an answer",
)
contact_due = Event(
    "contact_due",
    contact="the open FollowUpContact whose day has come (the veteran may be asked how they are)",
)
help_asked = Event(
    "help_asked",
    contact='the FollowUpContact the veteran answered themself with "I need help" (closed '
    "with new needs, no request yet: the home coordinator calls)",
)
discharge_changed = Event(
    "discharge_changed",
    stay_id="the id of the ended Stay whose plan or follow-up contacts changed (for rollups)",
)
