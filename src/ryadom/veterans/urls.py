"""Pages of the ward staff, of people signing up, of a veteran's own data, and the
coordinators' erasure requests."""

from __future__ import annotations

from django.urls import path

from ryadom.veterans import signup_views, views, ward_views

app_name = "veterans"

urlpatterns = [
    path("start/", signup_views.start, name="start"),
    path("admissions/new/", ward_views.admission_new, name="admission_new"),
    path("veterans/<int:veteran_id>/", ward_views.veteran_page, name="veteran"),
    path(
        "veterans/<int:veteran_id>/consent-code/",
        ward_views.consent_by_code,
        name="consent_by_code",
    ),
    path(
        "veterans/<int:veteran_id>/consent-code/resend/",
        ward_views.consent_code_resend,
        name="consent_code_resend",
    ),
    path(
        "veterans/<int:veteran_id>/transfer/",
        ward_views.stay_move,
        {"move": "transfer"},
        name="transfer",
    ),
    path(
        "veterans/<int:veteran_id>/discharge/",
        ward_views.stay_move,
        {"move": "discharge"},
        name="discharge",
    ),
    path("veterans/<int:veteran_id>/what-matters/", views.what_matters, name="what_matters"),
    path("my/claim/", signup_views.claim, name="claim"),
    path("my/claim/ask/", signup_views.claim_ask, name="claim_ask"),
    path("admissions/claims/", ward_views.admission_claims, name="admission_claims"),
    path(
        "admissions/claims/<int:claim_id>/confirm/",
        ward_views.admission_claim_confirm,
        name="admission_claim_confirm",
    ),
    path(
        "admissions/claims/<int:claim_id>/refuse/",
        ward_views.admission_claim_refuse,
        name="admission_claim_refuse",
    ),
    path("my/relatives/", signup_views.relatives, name="relatives"),
    path("my/relatives/ask/", signup_views.relative_ask, name="relative_ask"),
    path(
        "relatives/<int:proxy_id>/<str:answer>/",
        signup_views.proxy_decide,
        name="proxy_decide",
    ),
    path("my/consents/", views.consents, name="consents"),
    path("my/consents/give/", views.consent_give, name="consent_give"),
    path("my/consents/<int:consent_id>/withdraw/", views.consent_withdraw, name="consent_withdraw"),
    path("my/data/", views.my_data, name="my_data"),
    path("my/data/<int:veteran_id>/export.json", views.export_json, name="export_json"),
    path("my/data/<int:veteran_id>/export.pdf", views.export_pdf, name="export_pdf"),
    path("my/data/<int:veteran_id>/erase/", views.erase_ask, name="erase_ask"),
    path("privacy/deletions/", views.deletion_list, name="deletions"),
    path(
        "privacy/deletions/<int:deletion_id>/execute/",
        views.deletion_execute,
        name="deletion_execute",
    ),
]
