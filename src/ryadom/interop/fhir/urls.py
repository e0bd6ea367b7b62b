"""/fhir/: the FHIR R4 endpoint (docs/fhir.md). Ids are matched loosely here and refused
with an OperationOutcome by the views, so a bad id reads as FHIR, not as an HTML 404."""

from __future__ import annotations

from django.urls import path

from ryadom.interop.fhir import views

app_name = "fhir"

urlpatterns = [
    path("", views.transaction, name="transaction"),
    path("metadata", views.metadata, name="metadata"),
    path("CodeSystem/<str:name>", views.code_system, name="code-system"),
    path("Task", views.tasks, name="task"),
    path("Task/<str:task_id>", views.task, name="task-read"),
    path("ServiceRequest/<str:request_id>", views.service_request, name="service-request-read"),
]
