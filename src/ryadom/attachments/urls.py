from __future__ import annotations

from django.urls import path

from ryadom.attachments import views

app_name = "attachments"

urlpatterns = [
    path("requests/<int:pk>/attachments/", views.upload, name="upload"),
    path("attachments/<int:attachment_id>/", views.download, name="download"),
]
