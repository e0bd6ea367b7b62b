"""Pages of notifications: status links, calendar feeds."""

from __future__ import annotations

from django.urls import path

from ryadom.notifications import views

app_name = "notifications"

urlpatterns = [
    path("s/<str:token>/", views.status_page, name="status"),
    path("calendar/", views.calendar_home, name="calendar"),
    path("calendar/new/", views.calendar_issue, name="calendar_issue"),
    path("calendar/<int:feed_id>/revoke/", views.calendar_revoke, name="calendar_revoke"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
]
