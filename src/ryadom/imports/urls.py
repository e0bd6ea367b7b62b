from __future__ import annotations

from django.urls import path

from ryadom.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.start, name="start"),
    path("templates/<slug:kind>.<slug:fmt>", views.template, name="template"),
    path("directory/<slug:kind>.xlsx", views.directory, name="directory"),
    path("<int:batch_id>/", views.batch, name="batch"),
    path("<int:batch_id>/confirm/", views.confirm, name="confirm"),
    path("<int:batch_id>/report.xlsx", views.report_view, name="report"),
]
