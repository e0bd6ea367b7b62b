"""Pages of volunteers, NGO managers and liaisons, and signing up at /join/."""

from __future__ import annotations

from django.urls import path

from ryadom.volunteers import join, views

urlpatterns = [
    path("join/", join.join, name="join"),
    path("join/code/", join.join_code, name="join-code"),
    path("join/profile/", views.profile, name="join-profile"),
    path("join/ngo/", views.join_ngo, name="join-ngo"),
    path("volunteer/checklist/", views.checklist, name="volunteer-checklist"),
    path("ngo/members/", views.ngo_members, name="ngo-members"),
    path(
        "ngo/members/<int:membership_id>/decide/",
        views.membership_decide,
        name="membership-decide",
    ),
    path("volunteers/<int:volunteer_id>/checks/", views.check_record, name="check-record"),
    path("volunteers/<int:volunteer_id>/hour-limit/", views.hour_limit, name="hour-limit"),
    path("institution/volunteers/", views.institution_volunteers, name="institution-volunteers"),
]
