"""Pages of the second factor."""

from __future__ import annotations

from django.urls import path

from ryadom.security import views

app_name = "security"

urlpatterns = [
    path("verify/", views.verify, name="verify"),
    path("setup/", views.setup, name="setup"),
    path("backup-codes/", views.backup_codes, name="backup_codes"),
]
