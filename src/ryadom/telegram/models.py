"""A Telegram chat linked to a Ryadom account, the one-time codes that link them, and the
bookkeeping that keeps the bot's webhook safe to call twice."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    """Where a conversation is, when the bot is waiting for more than a button."""

    IDLE = "", _("Nothing asked")
    ASK_DETAILS = "ask_details", _("Waiting for the details of a request")


class TelegramLink(models.Model):
    """A private chat with the bot that acts as this user. One chat per user, one user per chat."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="telegram_link",
        verbose_name=_("user"),
    )
    chat_id = models.CharField(_("Telegram chat id"), max_length=40, unique=True)
    linked_at = models.DateTimeField(_("linked at"), default=timezone.now)
    # The conversation: a request being put together over several messages.
    step = models.CharField(_("step"), max_length=20, choices=Step.choices, blank=True)
    draft = models.JSONField(_("draft"), default=dict, blank=True)

    class Meta:
        verbose_name = _("Telegram link")
        verbose_name_plural = _("Telegram links")

    def __str__(self) -> str:
        return f"{self.user_id} ↔ {self.chat_id}"


class LinkCode(models.Model):
    """A one-time code shown on the profile page. Only its keyed hash is stored."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("user"),
    )
    code_hash = models.CharField(_("code hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("Telegram link code")
        verbose_name_plural = _("Telegram link codes")

    def __str__(self) -> str:
        return f"{self.user_id} until {self.expires_at:%Y-%m-%d %H:%M}"


class LinkAttempt(models.Model):
    """A wrong code sent from a chat: a chat that guesses is stopped after a few."""

    chat_id = models.CharField(_("Telegram chat id"), max_length=40)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("wrong Telegram code")
        verbose_name_plural = _("wrong Telegram codes")
        indexes = [models.Index(fields=["chat_id", "at"])]

    def __str__(self) -> str:
        return f"{self.chat_id} {self.at:%Y-%m-%d %H:%M}"


class ProcessedUpdate(models.Model):
    """An update the webhook has handled. Telegram sends an update again when our answer is
    late or lost; the unique id makes the second delivery change nothing."""

    update_id = models.BigIntegerField(_("update id"), unique=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("processed Telegram update")
        verbose_name_plural = _("processed Telegram updates")

    def __str__(self) -> str:
        return str(self.update_id)
