from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from ryadom.accounts import views as accounts_views
from ryadom.config.api import api
from ryadom.core.unavailable import server_error
from ryadom.web import views as web_views

# A database that cannot be reached answers 503 with Retry-After (core/unavailable.py).
handler500 = server_error

urlpatterns = [
    path("", web_views.home, name="home"),
    # Before care's generic "requests/<pk>/<action>/" route, which would otherwise match it.
    path("", include("ryadom.attachments.urls")),
    path("", include("ryadom.care.urls")),
    path("", include("ryadom.dispatch.urls")),
    path("", include("ryadom.notifications.urls")),
    path("", include("ryadom.telegram.urls")),
    path("", include("ryadom.openings.urls")),
    path("", include("ryadom.veterans.urls")),
    path("", include("ryadom.aftercare.urls")),
    path("", include("ryadom.entitlements.urls")),
    path("", include("ryadom.privacy.urls")),
    path("", include("ryadom.referrals.urls")),
    path("imports/", include("ryadom.imports.urls")),
    path("dashboard/", include("ryadom.analytics.urls")),
    path("regions/", web_views.region_list, name="region-list"),
    path("regions/<slug:code>/", web_views.region_detail, name="region-detail"),
    path(
        "institutions/<int:institution_id>/",
        web_views.institution_detail,
        name="institution-detail",
    ),
    path("find/", web_views.find, name="find"),
    path("", include("ryadom.volunteers.urls")),
    path("profile/", accounts_views.profile, name="profile"),
    path("profile/tokens/<int:token_id>/revoke/", accounts_views.token_revoke, name="token-revoke"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("account/2fa/", include("ryadom.security.urls")),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("fhir/", include("ryadom.interop.fhir.urls")),
]
