"""Dashboard pages."""

from __future__ import annotations

from django.urls import path

from ryadom.analytics import views

app_name = "analytics"

urlpatterns = [
    path("", views.federal, name="federal"),
    path("regions/<slug:code>/", views.region, name="region"),
    path("institutions/<int:institution_id>/", views.institution, name="institution"),
    path("ngo/<int:organisation_id>/", views.ngo, name="ngo"),
]
