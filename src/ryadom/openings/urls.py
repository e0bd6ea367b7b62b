"""Pages of openings and of "For you"."""

from __future__ import annotations

from django.urls import path

from ryadom.openings import views

app_name = "openings"

urlpatterns = [
    path("openings/", views.opening_list, name="list"),
    path("openings/new/", views.opening_new, name="new"),
    path("openings/<int:pk>/", views.opening_detail, name="detail"),
    path("openings/<int:pk>/apply/", views.opening_apply, name="apply"),
    path("openings/<int:pk>/manage/", views.opening_manage, name="manage"),
    path("openings/<int:pk>/close/", views.opening_close, name="close"),
    path(
        "openings/<int:pk>/applications/<int:application_id>/<slug:verb>/",
        views.application_decide,
        name="decide",
    ),
    path(
        "openings/applications/<int:pk>/withdraw/",
        views.application_withdraw,
        name="withdraw",
    ),
    path("volunteer/for-you/", views.for_you, name="for_you"),
]
