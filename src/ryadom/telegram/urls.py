"""The bot's webhook, linking, notification settings and failed messages."""

from __future__ import annotations

from django.urls import path

from ryadom.telegram import views

urlpatterns = [
    path("telegram/webhook/<str:secret>/", views.webhook, name="telegram-webhook"),
    path("profile/telegram/link/", views.link_code, name="telegram-link"),
    path("profile/telegram/unlink/", views.unlink, name="telegram-unlink"),
    path("profile/notifications/", views.preferences, name="notification-preferences"),
    path("queue/messages/failed/", views.failed_messages, name="failed-messages"),
    path(
        "queue/messages/failed/<int:message_id>/resend/",
        views.failed_message_resend,
        name="failed-message-resend",
    ),
]
