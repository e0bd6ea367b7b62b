from __future__ import annotations

from django.urls import path

from ryadom.entitlements import views

app_name = "entitlements"

urlpatterns = [
    path("entitlements/", views.catalogue, name="catalogue"),
    path("my/entitlements/", views.mine, name="mine"),
    path("veterans/<int:veteran_id>/entitlements/", views.checklist, name="checklist"),
    path("veterans/<int:veteran_id>/entitlements/answers/", views.answers, name="answers"),
    path(
        "veterans/<int:veteran_id>/entitlements/payment-issue/",
        views.payment_issue,
        name="payment_issue",
    ),
    path("veterans/<int:veteran_id>/entitlements/<str:code>/mark/", views.mark, name="mark"),
]
