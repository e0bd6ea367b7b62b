from __future__ import annotations

from django.urls import path

from ryadom.privacy import views

app_name = "privacy"

urlpatterns = [
    path("my/access-log/", views.access_log, name="access_log"),
    path("audit/export/", views.export, name="export"),
]
