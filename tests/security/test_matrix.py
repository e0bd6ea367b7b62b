"""The authorisation matrix: every page and every API operation × every role × an object in
and out of the actor's scope → the status each gets. A route without a row fails the test.

How to add a row: run the test; the failure lists the routes missing from PAGES or API with a
row to start from. Write what each role SHOULD get (not what it gets now):
`E(default, actor=status, ...)` with actors federal, observer, coord, liaison, ngo, volunteer,
veteran, relative, stranger (signed in, no role), partner (a regular partner's staff member:
no role; unless the row names it, it gets what the stranger gets) and anon; `OK` means "past
the door" (the status then depends on the input: 200, 201, 302, 400, 409, 422). `inside`
is for an object of region A (the cast's "ours"), `outside` for region B; `obj` names the
kind of object the route's ids point at (see matrix_support.build_objects; ids of kinds not
built there are missing ids, which checks who is turned away at the door). A POST can carry
a `body`.
Pages are keyed by "METHOD /pattern" (the pattern as the URL resolver has it), API operations
by "METHOD /api/v1/path" as the OpenAPI schema has it.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.utils import timezone

from tests.conftest import Cast
from tests.security import matrix_support as m
from tests.security.matrix_support import OK, E, Row

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate().isoformat()
# A veteran's page: who sees the veteran (as the veteran API does); ward staff act on it.
SEES_VETERAN = {"observer": 404, "ngo": 404, "volunteer": 404, "stranger": 404}
WARD_ACTION = E(404, federal=OK, coord=OK, liaison=OK, veteran=403, relative=403, anon=302)

PAGES: dict[str, Row] = {
    "GET /": Row(E(200)),
    "POST /account/2fa/backup-codes/": Row(E(200, anon=302)),
    "GET /account/2fa/setup/": Row(E(200, anon=302)),
    "GET /account/2fa/verify/": Row(E(200, anon=302)),
    "GET /admissions/new/": Row(E(403, federal=200, coord=200, liaison=200, anon=302)),
    "GET /admissions/claims/": Row(E(403, federal=200, coord=200, liaison=200, anon=302)),
    # A claim waiting at a ward: its staff decide; to anyone else there is no such claim.
    "POST /admissions/claims/<int:claim_id>/confirm/": Row(
        E(404, federal=OK, coord=OK, liaison=OK, anon=302),
        E(404, federal=OK, anon=302),
        obj="claim",
    ),
    "POST /admissions/claims/<int:claim_id>/refuse/": Row(
        E(404, federal=OK, coord=OK, liaison=OK, anon=302),
        E(404, federal=OK, anon=302),
        obj="claim",
    ),
    "GET /ask/": Row(E(200, anon=302)),
    "GET /attachments/<int:attachment_id>/": Row(
        E(200, observer=404, ngo=404, volunteer=404, stranger=404, anon=302),
        E(404, federal=200, anon=302),
        obj="attachment",
    ),
    "GET /audit/export/": Row(E(403, federal=200, coord=200, anon=302)),
    "GET /calendar/": Row(E(403, liaison=200, volunteer=200, anon=302)),
    "POST /calendar/<int:feed_id>/revoke/": Row(E(404, anon=302)),
    "GET /calendar/<str:token>.ics": Row(E(404)),
    "POST /calendar/new/": Row(E(404, anon=302)),
    # The analytics dashboards: staff of the scope; everyone else is told there is nothing.
    "GET /dashboard/": Row(E(404, federal=200, observer=200, coord=200, anon=302)),
    "GET /dashboard/institutions/<int:institution_id>/": Row(
        E(404, federal=200, coord=200, liaison=200, anon=302),
        E(404, federal=200, anon=302),
        obj="institution",
    ),
    "GET /dashboard/ngo/<int:organisation_id>/": Row(
        E(404, federal=200, coord=200, ngo=200, anon=302),
        E(404, federal=200, anon=302),
        obj="organisation",
    ),
    # The agency observer watches its agency's institutions in every region.
    "GET /dashboard/regions/<slug:code>/": Row(
        E(404, federal=200, observer=200, coord=200, anon=302),
        E(404, federal=200, observer=200, anon=302),
        obj="region",
    ),
    "GET /find/": Row(E(200)),
    # FHIR (docs/fhir.md): only an integration client's bearer token; a session is nobody
    # there. The CapabilityStatement and the code systems are open (a missing one: 404).
    "GET /fhir/": Row(E(401)),
    "POST /fhir/": Row(E(401)),
    "GET /fhir/CodeSystem/<str:name>": Row(E(404)),
    "GET /fhir/ServiceRequest/<str:request_id>": Row(E(401), E(401), obj="request"),
    "GET /fhir/Task": Row(E(401)),
    "POST /fhir/Task": Row(E(401)),
    "GET /fhir/Task/<str:task_id>": Row(E(401)),
    "GET /fhir/metadata": Row(E(200)),
    "GET /i18n/setlang/": Row(E(302)),
    # Bulk import: coordinators import the directory and volunteers, NGO managers and
    # liaisons their volunteers' checks; a file is seen by who uploaded it only.
    "GET /imports/": Row(E(404, federal=200, coord=200, liaison=200, ngo=200, anon=302)),
    "GET /imports/<int:batch_id>/": Row(E(404, anon=302)),
    "POST /imports/<int:batch_id>/confirm/": Row(E(404, anon=302)),
    "GET /imports/<int:batch_id>/report.xlsx": Row(E(404, anon=302)),
    "GET /imports/directory/<slug:kind>.xlsx": Row(E(404, anon=302)),
    "GET /imports/templates/<slug:kind>.<slug:fmt>": Row(E(404, anon=302)),
    "GET /institution/volunteers/": Row(E(403, liaison=200, anon=302)),
    "GET /institutions/<int:institution_id>/": Row(E(200), E(200), obj="institution"),
    "GET /join/": Row(E(302, anon=200)),
    "GET /join/code/": Row(E(302)),
    "GET /join/ngo/": Row(E(302, volunteer=200)),
    "GET /join/profile/": Row(E(200, anon=302)),
    "GET /login/": Row(E(200)),
    "POST /logout/": Row(E(302)),
    "GET /matching/": Row(E(403, federal=200, coord=200, anon=302)),
    "GET /matching/runs/<int:pk>/": Row(E(403, federal=404, coord=404, anon=302)),
    "POST /matching/runs/<int:pk>/accept/": Row(E(403, federal=404, coord=404, anon=302)),
    "GET /my/": Row(E(200, anon=302)),
    # After discharge (docs/aftercare.md): everyone signed in sees their own share (often
    # nothing); one plan, discharge or contact is the same 404 to whoever may not see it.
    "GET /aftercare/": Row(E(200, anon=302)),
    "GET /aftercare/discharges/<int:stay_id>/plan/": Row(E(404, anon=302), obj="stay"),
    "POST /aftercare/discharges/<int:stay_id>/plan/": Row(E(404, anon=302), obj="stay"),
    "GET /aftercare/plans/<int:plan_id>/": Row(E(404, anon=302), obj="plan"),
    "POST /aftercare/plans/<int:plan_id>/hand-over/": Row(E(404, anon=302), obj="plan"),
    "GET /aftercare/contacts/<int:contact_id>/": Row(E(404, anon=302), obj="contact"),
    "POST /aftercare/contacts/<int:contact_id>/": Row(E(404, anon=302), obj="contact"),
    "POST /aftercare/contacts/<int:contact_id>/delegate/": Row(E(404, anon=302), obj="contact"),
    "GET /my/access-log/": Row(E(200, anon=302)),
    "GET /my/claim/": Row(E(200, anon=302)),
    "GET /my/claim/ask/": Row(E(200, anon=302)),
    "GET /my/relatives/": Row(E(200, anon=302)),
    "GET /my/relatives/ask/": Row(E(200, anon=302)),
    "GET /my/consents/": Row(E(200, anon=302)),
    "POST /my/consents/<int:consent_id>/withdraw/": Row(
        E(404, veteran=302, relative=302, anon=302), E(404, anon=302), obj="consent"
    ),
    "POST /my/consents/give/": Row(E(302)),
    "GET /my/data/": Row(E(200, anon=302)),
    "POST /my/data/<int:veteran_id>/erase/": Row(
        E(404, veteran=302, relative=302, anon=302), E(404, anon=302), obj="veteran"
    ),
    "GET /my/data/<int:veteran_id>/export.json": Row(
        E(404, veteran=200, relative=200, anon=302), E(404, anon=302), obj="veteran"
    ),
    "GET /my/data/<int:veteran_id>/export.pdf": Row(
        E(404, veteran=200, relative=200, anon=302), E(404, anon=302), obj="veteran"
    ),
    # The entitlement navigator (docs/entitlements.md): the catalogue is public; a veteran's
    # answers and checklist are for the veteran, a relative who acts for them and the
    # coordinators who see the veteran.
    "GET /entitlements/": Row(E(200)),
    "GET /my/entitlements/": Row(E(200, veteran=302, relative=302, anon=302)),
    "GET /veterans/<int:veteran_id>/entitlements/": Row(
        E(404, federal=200, coord=200, veteran=200, relative=200, anon=302),
        E(404, federal=200, anon=302),
        obj="veteran",
    ),
    "GET /veterans/<int:veteran_id>/entitlements/answers/": Row(
        E(404, federal=200, coord=200, veteran=200, relative=200, anon=302),
        E(404, federal=200, anon=302),
        obj="veteran",
    ),
    # No measure has the code the matrix sends: turned away the same for everyone.
    "POST /veterans/<int:veteran_id>/entitlements/<str:code>/mark/": Row(
        E(404, anon=302), E(404, anon=302), obj="veteran"
    ),
    "POST /veterans/<int:veteran_id>/entitlements/payment-issue/": Row(
        E(404, federal=OK, coord=OK, veteran=OK, relative=OK, anon=302),
        E(404, federal=OK, anon=302),
        obj="veteran",
    ),
    "GET /ngo/members/": Row(E(403, ngo=200, anon=302)),
    "POST /ngo/members/<int:membership_id>/decide/": Row(E(404, anon=302)),
    "GET /ngo/wellbeing/": Row(E(403, ngo=200, anon=302)),
    "POST /ngo/wellbeing/<int:debrief_id>/followed-up/": Row(E(404, anon=302)),
    "GET /openings/": Row(E(200)),
    "GET /openings/<int:pk>/": Row(E(404)),
    "POST /openings/<int:pk>/applications/<int:application_id>/<slug:verb>/": Row(E(404, anon=302)),
    "POST /openings/<int:pk>/apply/": Row(E(404, anon=302)),
    "POST /openings/<int:pk>/close/": Row(E(404, anon=302)),
    "GET /openings/<int:pk>/manage/": Row(E(404, anon=302)),
    "POST /openings/applications/<int:pk>/withdraw/": Row(E(404, anon=302)),
    "GET /openings/new/": Row(E(403, liaison=200, ngo=200, anon=302)),
    "GET /privacy/deletions/": Row(E(403, federal=200, coord=200, anon=302)),
    "POST /privacy/deletions/<int:deletion_id>/execute/": Row(
        E(404, federal=302, coord=302, anon=302), E(404, federal=302, anon=302), obj="deletion"
    ),
    "GET /profile/": Row(E(200, anon=302)),
    "GET /profile/notifications/": Row(E(200, anon=302)),
    "POST /profile/telegram/link/": Row(E(200, anon=302)),
    "POST /profile/telegram/unlink/": Row(E(302)),
    "POST /profile/tokens/<int:token_id>/revoke/": Row(
        E(404, veteran=302, anon=302), E(404, anon=302), obj="token"
    ),
    "GET /queue/": Row(E(403, federal=200, coord=200, liaison=200, anon=302)),
    "GET /queue/messages/failed/": Row(E(403, federal=200, coord=200, anon=302)),
    "POST /queue/messages/failed/<int:message_id>/resend/": Row(
        E(403, federal=404, coord=404, anon=302)
    ),
    "POST /queue/triage/": Row(E(302)),
    "GET /regions/": Row(E(200)),
    "GET /regions/<slug:code>/": Row(E(200), E(200), obj="region"),
    "POST /relatives/<int:proxy_id>/<str:answer>/": Row(
        E(404, anon=302), params={"proxy_id": 999999, "answer": "approve"}
    ),
    "GET /start/": Row(E(200)),
    "GET /veterans/<int:veteran_id>/": Row(
        E(200, **SEES_VETERAN, anon=302), E(404, federal=200, anon=302), obj="veteran"
    ),
    "POST /veterans/<int:veteran_id>/consent-code/": Row(
        WARD_ACTION, E(404, federal=OK, anon=302), obj="veteran"
    ),
    "POST /veterans/<int:veteran_id>/consent-code/resend/": Row(
        WARD_ACTION, E(404, federal=OK, anon=302), obj="veteran"
    ),
    "POST /veterans/<int:veteran_id>/discharge/": Row(
        WARD_ACTION, E(404, federal=OK, anon=302), obj="veteran", body={"on": TODAY}
    ),
    "POST /veterans/<int:veteran_id>/transfer/": Row(
        WARD_ACTION, E(404, federal=OK, anon=302), obj="veteran"
    ),
    "GET /veterans/<int:veteran_id>/what-matters/": Row(
        E(404, federal=200, coord=200, veteran=200, relative=200, anon=302),
        E(404, federal=200, anon=302),
        obj="veteran",
    ),
    "GET /requests/<int:pk>/": Row(
        E(200, observer=404, ngo=404, volunteer=404, stranger=404, anon=302),
        E(404, federal=200, anon=302),
        obj="request",
    ),
    "POST /requests/<int:pk>/<slug:action>/": Row(
        E(404, federal=OK, coord=OK, liaison=OK, veteran=OK, relative=OK, anon=302),
        E(404, federal=OK, anon=302),
        obj="request",
        params={"action": "cancel"},
        body={"reason": "matrix"},
    ),
    "POST /requests/<int:pk>/attachments/": Row(
        E(302, observer=404, ngo=404, volunteer=404, stranger=404),
        E(404, federal=302, anon=302),
        obj="request",
    ),
    "POST /requests/<int:pk>/complaints/<int:complaint_id>/answer/": Row(
        E(404, anon=302), E(404, anon=302), obj="request"
    ),
    "POST /requests/<int:pk>/feedback/": Row(
        E(404, federal=OK, coord=OK, liaison=OK, veteran=OK, relative=OK, anon=302),
        E(404, federal=OK, anon=302),
        obj="request",
        body={"done": "yes", "respectful": "yes"},
    ),
    "GET /requests/new/": Row(E(403, federal=200, coord=200, anon=302)),
    "GET /s/<str:token>/": Row(E(404)),
    # The partner's signed link: a forged token is not found, signed in or not.
    "GET /p/r/<str:token>/": Row(E(404)),
    # Referrals are the coordinators' pages.
    "GET /referrals/": Row(E(403, federal=200, coord=200, anon=302)),
    "GET /referrals/<int:pk>/": Row(E(403, federal=404, coord=404, anon=302)),
    "POST /referrals/<int:pk>/<slug:action>/": Row(E(403, federal=404, coord=404, anon=302)),
    "GET /referrals/closure/": Row(E(403, federal=200, coord=200, anon=302)),
    "GET /referrals/new/": Row(E(403, federal=200, coord=200, anon=302)),
    "GET /referrals/partners/": Row(E(403, federal=200, coord=200, anon=302)),
    # A regular partner's staff: their referrals only; anyone else is not partner staff (403),
    # another partner's referral is not found.
    "GET /partner/": Row(E(403, partner=200, anon=302)),
    "GET /partner/referrals/<int:pk>/": Row(
        E(403, partner=200, anon=302), E(403, partner=404, anon=302), obj="referral"
    ),
    "POST /partner/referrals/<int:pk>/": Row(
        E(403, partner=302, anon=302),
        E(403, partner=404, anon=302),
        obj="referral",
        body={"action": "accept"},
    ),
    "POST /telegram/webhook/<str:secret>/": Row(E(404)),
    "GET /volunteer/": Row(E(403, volunteer=200, anon=302)),
    "GET /volunteer/checklist/": Row(E(302, volunteer=200)),
    "GET /volunteer/for-you/": Row(E(403, volunteer=200, anon=302)),
    "GET /volunteer/record.csv": Row(E(403, volunteer=200, anon=302)),
    "GET /volunteer/record.pdf": Row(E(403, volunteer=200, anon=302)),
    "GET /volunteer/record/": Row(E(403, volunteer=200, anon=302)),
    "POST /volunteer/visits/<int:visit_id>/debrief/": Row(E(403, volunteer=404, anon=302)),
    "POST /volunteers/<int:volunteer_id>/checks/": Row(
        E(302, observer=404, veteran=404, relative=404, stranger=404),
        E(404, federal=302, anon=302),
        obj="volunteer",
    ),
    "POST /volunteers/<int:volunteer_id>/hour-limit/": Row(
        E(403, observer=404, ngo=302, veteran=404, relative=404, stranger=404, anon=302),
        E(404, federal=403, anon=302),
        obj="volunteer",
    ),
    # Anyone not on the ward's staff goes on: requesters to /ask/, everyone else to /start/.
    "GET /ward/<int:institution_id>/<int:department_id>/": Row(
        E(302, federal=200, coord=200, liaison=200), E(302, federal=200), obj="ward"
    ),
    "GET /ward/<int:institution_id>/<int:department_id>/poster.png": Row(
        E(200), E(200), obj="ward"
    ),
    "GET /ward/<int:institution_id>/<int:department_id>/poster/": Row(E(200), E(200), obj="ward"),
}


API: dict[str, Row] = {
    "GET /api/v1/aftercare/plans": Row(E(200, anon=401)),
    "GET /api/v1/aftercare/plans/{plan_id}": Row(E(404, anon=401), obj="plan"),
    "POST /api/v1/aftercare/discharges/{stay_id}/plan": Row(
        E(404, anon=401), obj="stay", body={"home_region_id": 1}
    ),
    "POST /api/v1/aftercare/plans/{plan_id}/hand-over": Row(E(404, anon=401), obj="plan"),
    "GET /api/v1/aftercare/contacts": Row(E(200, anon=401)),
    "GET /api/v1/aftercare/contacts/{contact_id}": Row(E(404, anon=401), obj="contact"),
    "POST /api/v1/aftercare/contacts/{contact_id}/attempts": Row(
        E(404, anon=401), obj="contact", body={"result": "reached"}
    ),
    "POST /api/v1/aftercare/contacts/{contact_id}/delegate": Row(
        E(404, anon=401), obj="contact", body={"organisation_id": None}
    ),
    "GET /api/v1/directory/regions/{code}": Row(E(200), E(200), obj="region"),
    "GET /api/v1/health": Row(E(200)),
    # The public directory as HSDS: open to all. Its ids are UUIDs, so the matrix's missing
    # id finds nothing (tests/interop reads real ones).
    "GET /api/v1/hsds/": Row(E(200)),
    "GET /api/v1/hsds/datapackage.zip": Row(E(200)),
    "GET /api/v1/hsds/organizations": Row(E(200)),
    "GET /api/v1/hsds/organizations/{id}": Row(E(404)),
    "GET /api/v1/hsds/service_at_locations": Row(E(200)),
    "GET /api/v1/hsds/service_at_locations/{id}": Row(E(404)),
    "GET /api/v1/hsds/services": Row(E(200)),
    "GET /api/v1/hsds/services/{id}": Row(E(404)),
    "GET /api/v1/hsds/taxonomies": Row(E(200)),
    "GET /api/v1/hsds/taxonomies/{id}": Row(E(404)),
    "GET /api/v1/hsds/taxonomy_terms": Row(E(200)),
    "GET /api/v1/hsds/taxonomy_terms/{id}": Row(E(404)),
    "GET /api/v1/institutions": Row(E(200)),
    "GET /api/v1/institutions/{institution_id}": Row(E(200), E(200), obj="institution"),
    "GET /api/v1/institutions/{institution_id}/access-steps": Row(
        E(200), E(200), obj="institution"
    ),
    "GET /api/v1/matching/runs/{run_id}": Row(E(404, anon=401)),
    "GET /api/v1/me": Row(E(200, anon=401)),
    "GET /api/v1/openings": Row(E(200, anon=401)),
    "GET /api/v1/openings/{opening_id}": Row(E(404, anon=401)),
    "GET /api/v1/openings/{opening_id}/applications": Row(E(404, anon=401)),
    "GET /api/v1/organisations": Row(E(200)),
    "GET /api/v1/organisations/{organisation_id}": Row(E(200), E(200), obj="organisation"),
    "GET /api/v1/partner-services": Row(E(200, anon=401)),
    "GET /api/v1/referrals": Row(E(200, anon=401)),
    "GET /api/v1/referrals/{referral_id}": Row(E(404, anon=401)),
    "GET /api/v1/partner/referrals": Row(E(403, partner=200, anon=401)),
    "GET /api/v1/partner/referrals/{referral_id}": Row(
        E(403, partner=200, anon=401), E(403, partner=404, anon=401), obj="referral"
    ),
    "GET /api/v1/regions": Row(E(200)),
    "GET /api/v1/regions/{code}": Row(E(200), E(200), obj="region"),
    "GET /api/v1/requests": Row(E(200, anon=401)),
    "GET /api/v1/requests/{request_id}": Row(
        E(200, observer=404, ngo=404, volunteer=404, stranger=404, anon=401),
        E(404, federal=200, anon=401),
        obj="request",
    ),
    "GET /api/v1/requests/{request_id}/recommendations": Row(
        E(404, federal=200, coord=200, liaison=403, veteran=403, relative=403, anon=401),
        E(404, federal=200, anon=401),
        obj="request",
    ),
    "GET /api/v1/service-types": Row(E(200)),
    "GET /api/v1/settlements": Row(E(200)),
    "GET /api/v1/veterans": Row(E(200, anon=401)),
    "GET /api/v1/veterans/{veteran_id}": Row(
        E(200, observer=404, ngo=404, volunteer=404, stranger=404, anon=401),
        E(404, federal=200, anon=401),
        obj="veteran",
    ),
    "GET /api/v1/veterans/{veteran_id}/consents": Row(
        E(200, observer=404, ngo=404, volunteer=404, stranger=404, anon=401),
        E(404, federal=200, anon=401),
        obj="veteran",
    ),
    "GET /api/v1/entitlements/measures": Row(E(200)),
    "GET /api/v1/entitlements/measures/{code}": Row(E(404), E(404), obj="region"),
    "GET /api/v1/veterans/{veteran_id}/checklist": Row(
        E(404, federal=200, coord=200, veteran=200, relative=200, anon=401),
        E(404, federal=200, anon=401),
        obj="veteran",
    ),
    "GET /api/v1/volunteers": Row(E(200, anon=401)),
    "GET /api/v1/volunteers/me/eligibility": Row(E(422, anon=401)),
    "GET /api/v1/volunteers/{volunteer_id}": Row(
        E(200, observer=404, veteran=404, relative=404, stranger=404, anon=401),
        E(404, federal=200, anon=401),
        obj="volunteer",
    ),
    "POST /api/v1/complaints/{complaint_id}/answer": Row(E(422, anon=401)),
    "POST /api/v1/consents/{consent_id}/withdraw": Row(
        E(404, veteran=200, relative=200, anon=401), E(404, anon=401), obj="consent"
    ),
    "POST /api/v1/admissions": Row(E(422, anon=401)),
    "POST /api/v1/matching/runs": Row(E(403, federal=202, anon=401)),
    "POST /api/v1/matching/runs/{run_id}/accept": Row(E(404, anon=401)),
    "POST /api/v1/openings": Row(E(422, anon=401)),
    "POST /api/v1/referrals": Row(E(422, anon=401)),
    "POST /api/v1/veterans/{veteran_id}/checklist/{code}": Row(E(422, anon=401)),
    "POST /api/v1/veterans/{veteran_id}/payment-issues": Row(E(422, anon=401)),
    "PUT /api/v1/veterans/{veteran_id}/circumstances": Row(E(422, anon=401)),
    "POST /api/v1/referrals/{referral_id}/moves": Row(E(422, anon=401)),
    "POST /api/v1/partner/referrals/{referral_id}/moves": Row(
        E(403, partner=200, anon=401),
        E(403, partner=404, anon=401),
        obj="referral",
        body={"action": "accept"},
    ),
    "POST /api/v1/openings/{opening_id}/applications": Row(E(404, anon=401)),
    "POST /api/v1/openings/{opening_id}/applications/{application_id}/accept": Row(
        E(404, anon=401)
    ),
    "POST /api/v1/openings/{opening_id}/applications/{application_id}/decline": Row(
        E(404, anon=401)
    ),
    "POST /api/v1/openings/{opening_id}/close": Row(E(404, anon=401)),
    "POST /api/v1/requests": Row(E(422, anon=401)),
    "POST /api/v1/requests/{request_id}/feedback": Row(
        E(404, federal=OK, coord=OK, liaison=OK, veteran=OK, relative=OK, anon=401),
        E(404, federal=OK, anon=401),
        obj="request",
        body={"done": True, "respectful": True},
    ),
    "POST /api/v1/requests/{request_id}/{action}": Row(
        E(404, federal=OK, coord=OK, liaison=OK, veteran=OK, relative=OK, anon=401),
        E(404, federal=OK, anon=401),
        obj="request",
        params={"action": "cancel"},
        body={"note": "matrix"},
    ),
    "POST /api/v1/veterans/{veteran_id}/consent-code": Row(
        E(404, federal=422, coord=422, liaison=422, veteran=403, relative=403, anon=401),
        E(404, federal=422, anon=401),
        obj="veteran",
        body={"code": "123456"},
    ),
    "POST /api/v1/veterans/{veteran_id}/discharge": Row(
        E(404, federal=200, coord=200, liaison=200, veteran=403, relative=403, anon=401),
        E(404, federal=200, anon=401),
        obj="veteran",
        body={"on": TODAY},
    ),
    "POST /api/v1/veterans/{veteran_id}/transfer": Row(
        E(404, federal=422, coord=422, liaison=422, veteran=403, relative=403, anon=401),
        E(404, federal=422, anon=401),
        obj="veteran",
        body={"institution_id": 999999, "on": TODAY},  # no such institution: 422 for ward staff
    ),
    "PUT /api/v1/veterans/{veteran_id}/what-matters": Row(
        E(404, federal=200, coord=200, veteran=200, relative=200, anon=401),
        E(404, federal=200, anon=401),
        obj="veteran",
        body={"what_matters": "matrix"},
    ),
    "POST /api/v1/veterans/{veteran_id}/consents": Row(
        E(404, veteran=OK, relative=OK, anon=401),
        E(404, anon=401),
        obj="veteran",
        body={"purpose": "care"},
    ),
}


def _key_route(key: str) -> str:
    return key.split(" ", 1)[1]


def test_every_role_of_the_roles_table_has_an_actor_in_the_matrix() -> None:
    from ryadom.accounts.models import Role

    assert set(m.ROLE_ACTORS) == set(Role.values) == set(m.SHORT)


def test_every_page_and_every_api_operation_has_a_row() -> None:
    pages = {_key_route(k) for k in PAGES}
    missing_pages = [r for r in m.page_routes() if r not in pages]
    missing_api = [r for r in m.api_routes() if r not in API]
    stale = [k for k in PAGES if _key_route(k) not in m.page_routes()] + [
        k for k in API if k not in m.api_routes()
    ]
    report = [f"  page without a row: {r}   (obj={m.guess_kind(r)!r})" for r in missing_pages]
    report += [
        f"  API operation without a row: {r}   (obj={m.guess_kind(r)!r})" for r in missing_api
    ]
    report += [f"  row for a route that no longer exists: {k}" for k in stale]
    assert not report, "Add these to tests/security/test_matrix.py:\n" + "\n".join(report)


def _check(cast: Cast, key: str, row: Row, tmp_path: Path) -> list[str]:
    method, route = key.split(" ", 1)
    objects = m.build_objects(cast) if row.obj else {}
    inside, outside = objects.get(row.obj, ({}, {})) if row.obj else ({}, {})
    cases = [("inside", inside, row.inside)]
    if row.outside is not None:
        cases.append(("outside", outside, row.outside))
    failures = []
    for actor in m.ACTORS:
        client = m.client_for(cast, actor)
        for where, ids, expect in cases:
            url = m.fill(route, {**ids, **row.params})
            got = m.call(client, method, url, row)
            if not m.matches(expect[actor], got):
                failures.append(
                    f"  {actor:<10} {where:<7} {method} {url}: expected {expect[actor]}, got {got}"
                )
    return failures


@pytest.mark.parametrize("key", sorted(PAGES))
def test_page(key: str, care_cast: Cast, settings: object, tmp_path: Path) -> None:
    settings.RYADOM_UPLOADS_DIR = tmp_path  # type: ignore[attr-defined]
    failures = _check(care_cast, key, PAGES[key], tmp_path)
    assert not failures, f"{key}:\n" + "\n".join(failures)


@pytest.mark.parametrize("key", sorted(API))
def test_api(key: str, care_cast: Cast, settings: object, tmp_path: Path) -> None:
    settings.RYADOM_UPLOADS_DIR = tmp_path  # type: ignore[attr-defined]
    failures = _check(care_cast, key, API[key], tmp_path)
    assert not failures, f"{key}:\n" + "\n".join(failures)
