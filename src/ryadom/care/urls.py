"""Pages of care requests."""

from __future__ import annotations

from django.urls import path

from ryadom.care.views import coordination, intake, request_page, requester, volunteer

app_name = "care"

WARD = "ward/<int:institution_id>/<int:department_id>/"

urlpatterns = [
    path("ask/", intake.ask, name="ask"),
    path(WARD, intake.ward, name="ward"),
    path(f"{WARD}poster/", intake.ward_poster, name="ward_poster"),
    # No trailing slash: the name says what it is to a browser and to a printer driver.
    path(WARD.rstrip("/") + "/poster.png", intake.ward_qr, name="ward_qr"),
    path("requests/new/", intake.request_new, name="request_new"),
    path("requests/<int:pk>/", request_page.request_detail, name="request_detail"),
    # Before the generic action route, which would otherwise match it.
    path("requests/<int:pk>/feedback/", requester.request_feedback, name="request_feedback"),
    path(
        "requests/<int:pk>/complaints/<int:complaint_id>/answer/",
        coordination.complaint_answer,
        name="complaint_answer",
    ),
    path("requests/<int:pk>/<slug:action>/", request_page.request_act, name="request_act"),
    path("queue/", coordination.queue, name="queue"),
    path("queue/triage/", coordination.queue_triage, name="queue_triage"),
    path("volunteer/", volunteer.volunteer_home, name="volunteer"),
    path("volunteer/record/", volunteer.record_page, name="record"),
    path("volunteer/record.csv", volunteer.record_csv, name="record_csv"),
    path("volunteer/record.pdf", volunteer.record_pdf, name="record_pdf"),
    path("volunteer/visits/<int:visit_id>/debrief/", volunteer.debrief, name="debrief"),
    path("ngo/wellbeing/", volunteer.ngo_wellbeing, name="ngo_wellbeing"),
    path(
        "ngo/wellbeing/<int:debrief_id>/followed-up/",
        volunteer.ngo_wellbeing_acknowledge,
        name="ngo_wellbeing_acknowledge",
    ),
    path("my/", requester.my_requests, name="my"),
]
