"""Pages of care requests, by who uses them: `intake` (asking: the veteran's three steps, the
ward link, the coordinator's phone entry), `coordination` (the queue, bulk triage, answering
complaints), `request_page` (one request and its actions, for everyone on it), `requester`
(my requests, feedback), `volunteer` (the volunteer's home, record and debriefs, the NGO's
wellbeing list). Each view parses with a form, calls the same services and selectors as the
API, and renders; domain errors reach pages through `core/pages.py` only."""
