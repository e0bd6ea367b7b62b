"""Pages of a veteran's own data, and the coordinator's erasure requests."""

from __future__ import annotations

from django.urls import path

from ryadom.veterans import views

app_name = "veterans"

urlpatterns = [
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
