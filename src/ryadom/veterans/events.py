"""What veterans tells the apps above it (docs/architecture.md, "Events")."""

from __future__ import annotations

from ryadom.core.events import Event

veteran_moved = Event(
    "veteran_moved",
    actor="the User who recorded the transfer, or None",
    veteran="the Veteran, now with a new current Stay",
    institution="the Institution of the new stay",
    department="its Department, or None",
)
veteran_discharged = Event(
    "veteran_discharged",
    actor="the User who recorded the discharge",
    stay="the Stay just ended (its institution is the place the veteran left)",
)
person_to_be_told = Event(
    "person_to_be_told",
    recipient="the User to tell",
    kind="the message kind (notifications/kinds.py)",
    context="the message's values (a dict)",
    key="a dedupe key: the same key is sent once",
)
care_consent_withdrawn = Event(
    "care_consent_withdrawn",
    actor="the User who withdrew the consent to arranging help",
    veteran="the Veteran",
)
consent_withdrawn = Event(
    "consent_withdrawn",
    actor="the User who withdrew it",
    veteran="the Veteran",
    purpose="the ConsentPurpose withdrawn (what stops: a hand-over home, sharing with partners)",
)
# A question: each subscriber answers True if a helper is already on the way (then the
# veteran's communication and mobility needs are kept until the help is delivered).
help_under_way = Event("help_under_way", veteran="the Veteran whose data is being minimised")
veteran_anonymising = Event(
    "veteran_anonymising",
    veteran="the Veteran being anonymised (locked, not yet saved blank)",
    account="the veteran's own User account, or None (blanked right after)",
)
erasure_asked = Event(
    "erasure_asked",
    deletion="the new DeletionRequest",
    region_id="the id of the region where the veteran is now",
)
# A question: each subscriber answers a flat queryset of the ids of the veterans it still
# serves (an open request, or one that changed after `since`), without nulls, since they go
# into NOT IN. The retention sweep leaves those veterans alone.
veterans_still_served = Event(
    "veterans_still_served", since="the retention cut-off (an aware datetime)"
)
# A question: each subscriber answers a dict of sections (name → JSON-ready list) it holds
# about the veteran, added to the export of the veteran's data in subscription order.
veteran_data_requested = Event(
    "veteran_data_requested", veteran="the Veteran whose data is being exported"
)
