"""Pages of care requests."""

from __future__ import annotations

from django.urls import path

from ryadom.care import views, volunteer_views

app_name = "care"

WARD = "ward/<int:institution_id>/<int:department_id>/"

urlpatterns = [
    path("ask/", views.ask, name="ask"),
    path(WARD, views.ward, name="ward"),
    path(f"{WARD}poster/", views.ward_poster, name="ward_poster"),
    # No trailing slash: the name says what it is to a browser and to a printer driver.
    path(WARD.rstrip("/") + "/poster.png", views.ward_qr, name="ward_qr"),
    path("requests/new/", views.request_new, name="request_new"),
    path("requests/<int:pk>/", views.request_detail, name="request_detail"),
    # Before the generic action route, which would otherwise match it.
    path("requests/<int:pk>/feedback/", views.request_feedback, name="request_feedback"),
    path(
        "requests/<int:pk>/complaints/<int:complaint_id>/answer/",
        views.complaint_answer,
        name="complaint_answer",
    ),
    path("requests/<int:pk>/<slug:action>/", views.request_act, name="request_act"),
    path("queue/", views.queue, name="queue"),
    path("queue/triage/", views.queue_triage, name="queue_triage"),
    path("volunteer/", views.volunteer_home, name="volunteer"),
    path("volunteer/record/", volunteer_views.record_page, name="record"),
    path("volunteer/record.csv", volunteer_views.record_csv, name="record_csv"),
    path("volunteer/record.pdf", volunteer_views.record_pdf, name="record_pdf"),
    path("volunteer/visits/<int:visit_id>/debrief/", volunteer_views.debrief, name="debrief"),
    path("ngo/wellbeing/", volunteer_views.ngo_wellbeing, name="ngo_wellbeing"),
    path(
        "ngo/wellbeing/<int:debrief_id>/followed-up/",
        volunteer_views.ngo_wellbeing_acknowledge,
        name="ngo_wellbeing_acknowledge",
    ),
    path("my/", views.my_requests, name="my"),
]
