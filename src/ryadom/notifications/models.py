"""The outbox of messages to people, and each person's choice of channels and quiet hours."""

from __future__ import annotations

import datetime
import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ryadom.geo.models import Region


class ChannelName(models.TextChoices):
    EMAIL = "email", _("E-mail")
    SMS = "sms", _("SMS")
    TELEGRAM = "telegram", _("Telegram")


class MessageStatus(models.TextChoices):
    PENDING = "pending", _("Waiting to be sent")
    SENDING = "sending", _("Being sent")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Could not be delivered")


class Message(models.Model):
    """One message to one person through one channel: a row of the outbox."""

    # Stable across attempts and installations: the e-mail Message-ID and the SMS gateway's
    # idempotency key, so a resend after a crash can be recognised as the same message.
    uid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("recipient"),
    )
    # The recipient's region when the message was written: whose coordinators see a failure.
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
    )
    kind = models.CharField(_("kind"), max_length=40)
    channel = models.CharField(_("channel"), max_length=20, choices=ChannelName.choices)
    address = models.CharField(_("address"), max_length=254)
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("text"))
    dedupe_key = models.CharField(_("deduplication key"), max_length=200)
    urgent = models.BooleanField(_("urgent"), default=False)
    status = models.CharField(
        _("status"), max_length=10, choices=MessageStatus.choices, default=MessageStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    due_at = models.DateTimeField(_("next attempt not before"), default=timezone.now)
    lease_until = models.DateTimeField(_("being sent until"), null=True, blank=True)
    last_error = models.TextField(_("last error"), blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    failed_at = models.DateTimeField(_("failed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        constraints = [
            # Running a producer twice must not send twice. Its (recipient, dedupe_key) prefix
            # also serves the "already written?" lookup in notify().
            models.UniqueConstraint(
                fields=["recipient", "dedupe_key", "channel"], name="notifications_message_dedupe"
            ),
            # A message being sent always says until when, so a dead worker's claim expires.
            models.CheckConstraint(
                condition=~Q(status="sending") | Q(lease_until__isnull=False),
                name="notifications_message_sending_has_lease",
            ),
            models.CheckConstraint(
                condition=~Q(status="sent") | Q(sent_at__isnull=False),
                name="notifications_message_sent_has_time",
            ),
        ]
        indexes = [
            # The failures list of a region's coordinators.
            models.Index(fields=["region", "status"]),
            # The requeue sweep: pending messages long past due, expired leases.
            models.Index(fields=["status", "due_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.kind} → {self.recipient_id} ({self.channel}, {self.status})"


def default_channels() -> list[str]:
    return [ChannelName.EMAIL.value]


DEFAULT_QUIET_FROM = datetime.time(22)
DEFAULT_QUIET_UNTIL = datetime.time(8)


class Preference(models.Model):
    """How a person wants to be reached, and when not to be disturbed (local time)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notification_preference",
        verbose_name=_("user"),
    )
    channels = models.JSONField(
        _("channels"),
        default=default_channels,
        help_text=_("Each chosen channel gets its own copy of every message."),
    )
    telegram_chat_id = models.CharField(_("Telegram chat id"), max_length=40, blank=True)
    quiet_from = models.TimeField(
        _("quiet hours from"), null=True, blank=True, default=DEFAULT_QUIET_FROM
    )
    quiet_until = models.TimeField(
        _("quiet hours until"), null=True, blank=True, default=DEFAULT_QUIET_UNTIL
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")
        constraints = [
            models.CheckConstraint(
                condition=Q(quiet_from__isnull=True, quiet_until__isnull=True)
                | Q(quiet_from__isnull=False, quiet_until__isnull=False),
                name="notifications_preference_quiet_hours_both_or_none",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user_id}: {', '.join(self.channels)}"


class VolunteerAlert(models.Model):
    """A volunteer was told of an open request: the record that rotation and rate limits read."""

    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("volunteer"),
    )
    request = models.ForeignKey(
        "care.CareRequest",
        on_delete=models.CASCADE,
        related_name="alerts",
        verbose_name=_("request"),
    )
    created_at = models.DateTimeField(_("alerted at"), default=timezone.now)

    class Meta:
        verbose_name = _("volunteer alert")
        verbose_name_plural = _("volunteer alerts")
        constraints = [
            # A volunteer hears of a request once, however often it reopens.
            models.UniqueConstraint(
                fields=["request", "volunteer"], name="notifications_alert_once"
            )
        ]
        indexes = [
            # "When was each candidate last alerted, how often today": the rotation's read.
            models.Index(fields=["volunteer", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.request_id} → {self.volunteer_id}"


class CalendarFeed(models.Model):
    """A private iCalendar feed of a volunteer's or an institution's visits.

    The address carries a random token; only its SHA-256 is stored, so a database leak does
    not open anyone's calendar. Revoked feeds answer 404.
    """

    volunteer = models.ForeignKey(
        "volunteers.Volunteer",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
        verbose_name=_("volunteer"),
    )
    institution = models.ForeignKey(
        "institutions.Institution",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="calendar_feeds",
        verbose_name=_("institution"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    last_used_at = models.DateTimeField(_("last read at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")
        constraints = [
            models.CheckConstraint(
                condition=Q(volunteer__isnull=False, institution__isnull=True)
                | Q(volunteer__isnull=True, institution__isnull=False),
                name="notifications_feed_one_owner",
            ),
            # One live address per owner: issuing a new one revokes the old.
            models.UniqueConstraint(
                fields=["volunteer"],
                condition=Q(revoked_at__isnull=True, volunteer__isnull=False),
                name="notifications_feed_one_live_per_volunteer",
            ),
            models.UniqueConstraint(
                fields=["institution"],
                condition=Q(revoked_at__isnull=True, institution__isnull=False),
                name="notifications_feed_one_live_per_institution",
            ),
        ]

    def __str__(self) -> str:
        owner = f"volunteer {self.volunteer_id}" if self.volunteer_id else f"{self.institution_id}"
        return f"calendar of {owner}"


class DigestDay(models.Model):
    """The daily digests of one day have been planned: one row per day, so however many
    chains of digest tasks exist, each day is planned once."""

    day = models.DateField(_("day"), unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    dispatched_at = models.DateTimeField(_("planned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("digest day")
        verbose_name_plural = _("digest days")

    def __str__(self) -> str:
        return str(self.day)
