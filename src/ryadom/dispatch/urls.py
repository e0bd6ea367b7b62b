"""Pages of matching runs."""

from __future__ import annotations

from django.urls import path

from ryadom.dispatch import views

app_name = "dispatch"

urlpatterns = [
    path("matching/", views.runs, name="runs"),
    path("matching/runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("matching/runs/<int:pk>/accept/", views.run_accept, name="run_accept"),
]
