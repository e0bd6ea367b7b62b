"""What volunteers tells the apps above it (docs/architecture.md, "Events")."""

from __future__ import annotations

from ryadom.core.events import Event

membership_requested = Event(
    "membership_requested", membership="the pending Membership (asked for, or asked again)"
)
membership_decided = Event(
    "membership_decided", membership="the Membership, now approved or rejected"
)
check_expiring = Event(
    "check_expiring",
    check="a passed Check whose valid_until is near (once per check and expiry date)",
)
