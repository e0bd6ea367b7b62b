"""Pages of referrals; the partner's page lives at /p/r/<signed token>/, the pages of a
regular partner's staff (with an account) under /partner/."""

from __future__ import annotations

from django.urls import path

from ryadom.referrals import views

app_name = "referrals"

urlpatterns = [
    path("referrals/", views.referral_list, name="list"),
    path("referrals/new/", views.referral_new, name="new"),
    path("referrals/partners/", views.partner_list, name="partners"),
    path("referrals/closure/", views.closure, name="closure"),
    path("referrals/<int:pk>/", views.referral_detail, name="detail"),
    path("referrals/<int:pk>/<slug:action>/", views.referral_act, name="act"),
    path("p/r/<str:token>/", views.partner_page, name="partner"),
    path("partner/", views.member_list, name="member_list"),
    path("partner/referrals/<int:pk>/", views.member_referral, name="member_referral"),
]
