"""Pages of the discharge plan and the follow-up contacts."""

from __future__ import annotations

from django.urls import path

from ryadom.aftercare import views

app_name = "aftercare"

urlpatterns = [
    path("aftercare/", views.home, name="home"),
    path("aftercare/discharges/<int:stay_id>/plan/", views.plan_new, name="plan_new"),
    path("aftercare/plans/<int:plan_id>/", views.plan, name="plan"),
    path("aftercare/plans/<int:plan_id>/hand-over/", views.plan_hand_over, name="plan_hand_over"),
    path("aftercare/contacts/<int:contact_id>/", views.contact, name="contact"),
    path(
        "aftercare/contacts/<int:contact_id>/delegate/",
        views.contact_delegate,
        name="contact_delegate",
    ),
]
