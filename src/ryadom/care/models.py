"""Care requests, their timeline, visits and feedback."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ryadom.catalogue.models import ServiceType
from ryadom.core.validation import EARLIEST, LATEST
from ryadom.geo.models import Region
from ryadom.institutions.models import Department, Institution
from ryadom.organisations.models import Organisation
from ryadom.veterans.models import Veteran
from ryadom.volunteers.models import Volunteer

MAX_DETAILS_LENGTH = 2000


class Status(models.TextChoices):
    NEW = "new", _("New")
    TRIAGED = "triaged", _("Waiting for a helper")
    ASSIGNED = "assigned", _("Helper found")
    SCHEDULED = "scheduled", _("Visit scheduled")
    IN_PROGRESS = "in_progress", _("Helper is there now")
    COMPLETED = "completed", _("Done, waiting for confirmation")
    CONFIRMED = "confirmed", _("Done and confirmed")
    CANCELLED = "cancelled", _("Cancelled")


class Urgency(models.TextChoices):
    NORMAL = "normal", _("Normal")
    URGENT = "urgent", _("Urgent")
    CRITICAL = "critical", _("Very urgent")


class Channel(models.TextChoices):
    WEB = "web", _("Website")
    WARD = "ward", _("Ward staff")
    PHONE = "phone", _("Phone call to the coordinator")
    API = "api", _("API")
    HOSPITAL_SYSTEM = "hospital_system", _("Hospital information system")
    TELEGRAM = "telegram", _("Telegram")


class CareRequest(models.Model):
    """A request for one service for a veteran (or for a ward), owned by a coordinator."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="care_requests", verbose_name=_("region")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="care_requests",
        verbose_name=_("institution"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("department"),
    )
    veteran = models.ForeignKey(
        Veteran,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_requests",
        verbose_name=_("veteran"),
        help_text=_("Empty for a need of the whole ward."),
    )
    service_type = models.ForeignKey(
        ServiceType,
        on_delete=models.PROTECT,
        related_name="care_requests",
        verbose_name=_("service"),
    )
    details = models.TextField(_("details"), max_length=MAX_DETAILS_LENGTH, blank=True)
    urgency = models.CharField(
        _("urgency"), max_length=10, choices=Urgency.choices, default=Urgency.NORMAL
    )
    window_starts = models.DateTimeField(_("preferred from"), null=True, blank=True)
    window_ends = models.DateTimeField(_("preferred until"), null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=20, choices=Channel.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    requester_name = models.CharField(
        _("name of who asked"),
        max_length=120,
        blank=True,
        help_text=_("When a coordinator enters a request on someone's behalf."),
    )
    wants_previous_volunteer = models.BooleanField(_("the same volunteer again"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.NEW
    )
    coordinator = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("coordinator"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_requests",
        verbose_name=_("NGO"),
    )
    volunteer = models.ForeignKey(
        Volunteer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="care_requests",
        verbose_name=_("volunteer"),
    )
    deadline = models.DateTimeField(_("deadline"))
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    idempotency_key = models.CharField(max_length=100, blank=True)
    idempotency_hash = models.CharField(max_length=64, blank=True)
    # Set by intake, cleared by the task that tells the apps above (the requester's message,
    # rollups, the deadline's watch) in the transaction that writes their rows: a request
    # accepted is announced exactly once, even if that task is lost (care/tasks.py).
    to_announce = models.BooleanField(default=False, editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("care request")
        verbose_name_plural = _("care requests")
        constraints = [
            models.CheckConstraint(
                condition=Q(window_starts__isnull=True)
                | Q(window_ends__isnull=True)
                | Q(window_ends__gt=F("window_starts")),
                name="care_request_window_order",
            ),
            # Reads convert these to local time and PostgreSQL's driver cannot read years
            # past 9999: a window outside the calendar of core/validation.py would break every
            # page that lists the request.
            models.CheckConstraint(
                condition=(Q(window_starts__isnull=True) | Q(window_starts__gte=EARLIEST))
                & (Q(window_ends__isnull=True) | Q(window_ends__lt=LATEST)),
                name="care_request_window_in_range",
            ),
            models.CheckConstraint(
                condition=Q(escalation_level__lte=2), name="care_request_escalation_level"
            ),
            # Someone is responsible from assignment until the work is done.
            models.CheckConstraint(
                condition=~Q(status__in=["assigned", "scheduled", "in_progress"])
                | Q(volunteer__isnull=False)
                | Q(organisation__isnull=False),
                name="care_request_assigned_has_assignee",
            ),
            models.UniqueConstraint(
                fields=["requested_by", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="care_request_idempotency",
            ),
        ]
        indexes = [
            # The safety net's scan for requests whose announcement was lost: a few rows.
            models.Index(
                fields=["created_at"],
                condition=Q(to_announce=True),
                name="care_request_to_announce",
            ),
            # The coordinator queue: a region's open requests by deadline.
            models.Index(fields=["region", "status", "deadline"]),
            models.Index(fields=["institution", "status"]),
            models.Index(fields=["volunteer", "status"]),
            models.Index(fields=["deadline", "id"]),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.service_type}"

    @property
    def is_open(self) -> bool:
        return self.status not in (Status.CONFIRMED, Status.CANCELLED)


class Event(models.Model):
    """One step on a request's timeline. Rows are only ever inserted."""

    request = models.ForeignKey(
        CareRequest, on_delete=models.CASCADE, related_name="events", verbose_name=_("request")
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=30)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20)
    # What a person typed (a reason, an outcome), kept as written.
    note = models.TextField(_("note"), blank=True)
    # What the system says, as a code of care/events.py and its values, read in the reader's
    # language (`text`).
    code = models.CharField(_("code"), max_length=40, blank=True)
    params = models.JSONField(_("values"), default=dict, blank=True)

    class Meta:
        ordering = ["request", "at", "id"]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self) -> str:
        return f"{self.action}: {self.from_status} → {self.to_status}"

    @property
    def text(self) -> str:
        """The note in the active language."""
        from ryadom.care.timeline import event_text

        return event_text(self)


class Visit(models.Model):
    """A planned visit; its check-in and check-out become the volunteer's verified hours."""

    request = models.ForeignKey(
        CareRequest, on_delete=models.CASCADE, related_name="visits", verbose_name=_("request")
    )
    volunteer = models.ForeignKey(
        Volunteer,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="visits",
        verbose_name=_("volunteer"),
    )
    starts = models.DateTimeField(_("starts"))
    ends = models.DateTimeField(_("ends"))
    checked_in_at = models.DateTimeField(_("checked in"), null=True, blank=True)
    checked_out_at = models.DateTimeField(_("checked out"), null=True, blank=True)
    outcome = models.TextField(_("outcome"), blank=True, max_length=MAX_DETAILS_LENGTH)

    class Meta:
        ordering = ["starts"]
        verbose_name = _("visit")
        verbose_name_plural = _("visits")
        constraints = [
            models.CheckConstraint(condition=Q(ends__gt=F("starts")), name="care_visit_order"),
            models.CheckConstraint(
                condition=Q(starts__gte=EARLIEST, ends__lt=LATEST), name="care_visit_in_range"
            ),
            models.CheckConstraint(
                condition=Q(checked_out_at__isnull=True)
                | Q(checked_in_at__isnull=False, checked_out_at__gte=F("checked_in_at")),
                name="care_visit_checkout_after_checkin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} {self.starts:%Y-%m-%d %H:%M}"


class Feedback(models.Model):
    """What the veteran (or a relative, or the ward) said after the work was done."""

    request = models.ForeignKey(
        CareRequest, on_delete=models.CASCADE, related_name="feedback", verbose_name=_("request")
    )
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("given by"),
    )
    at = models.DateTimeField(_("when"), default=timezone.now)
    done = models.BooleanField(_("it was done"))
    rating = models.PositiveSmallIntegerField(_("rating"), null=True, blank=True)
    respectful = models.BooleanField(_("I was listened to and treated with respect"))
    comment = models.TextField(_("comment"), blank=True, max_length=MAX_DETAILS_LENGTH)

    class Meta:
        verbose_name = _("feedback")
        verbose_name_plural = _("feedback")
        constraints = [
            models.CheckConstraint(
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
                name="care_feedback_rating_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.request}: {self.rating}"


class Complaint(models.Model):
    """A "no" in feedback: the regional coordinator must answer it."""

    request = models.ForeignKey(
        CareRequest,
        on_delete=models.CASCADE,
        related_name="complaints",
        verbose_name=_("request"),
    )
    feedback = models.OneToOneField(
        Feedback, on_delete=models.CASCADE, related_name="complaint", verbose_name=_("feedback")
    )
    opened_at = models.DateTimeField(_("opened"), default=timezone.now)
    answer = models.TextField(_("answer"), blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("answered by"),
    )
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    upheld = models.BooleanField(_("upheld"), null=True, blank=True)

    class Meta:
        verbose_name = _("complaint")
        verbose_name_plural = _("complaints")

    def __str__(self) -> str:
        return f"{self.request} ({self.opened_at:%Y-%m-%d})"


class Feeling(models.TextChoices):
    FINE = "fine", _("It went well")
    HARD = "hard", _("It was hard, but I am all right")
    UPSET = "upset", _("Something upsets me; I would like to talk to someone")


class Debrief(models.Model):
    """The volunteer's answer to "How was it?" after a visit; "upset" flags them to their NGO.

    Seen only by the volunteer and the managers of their NGOs.
    """

    visit = models.OneToOneField(
        Visit, on_delete=models.CASCADE, related_name="debrief", verbose_name=_("visit")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="debriefs", verbose_name=_("volunteer")
    )
    feeling = models.CharField(_("how it was"), max_length=10, choices=Feeling.choices)
    note = models.TextField(_("anything to add"), blank=True, max_length=MAX_DETAILS_LENGTH)
    at = models.DateTimeField(_("when"), default=timezone.now)
    acknowledged_at = models.DateTimeField(_("followed up"), null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("followed up by"),
    )

    class Meta:
        verbose_name = _("debrief")
        verbose_name_plural = _("debriefs")
        indexes = [models.Index(fields=["volunteer", "feeling"])]

    def __str__(self) -> str:
        return f"{self.visit}: {self.feeling}"

    @property
    def distress(self) -> bool:
        return self.feeling == Feeling.UPSET
