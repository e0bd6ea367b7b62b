"""Openings: regular or one-off work that an institution or an NGO asks volunteers for."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ryadom.catalogue.models import ServiceType, Skill
from ryadom.geo.models import Region
from ryadom.institutions.models import Department, Institution
from ryadom.organisations.models import Organisation
from ryadom.volunteers.models import Volunteer

MAX_DESCRIPTION_LENGTH = 2000


class Recurrence(models.TextChoices):
    ONCE = "once", _("Once")
    WEEKLY = "weekly", _("Every week")


class OpeningStatus(models.TextChoices):
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")


class Opening(models.Model):
    """Work for `needed` volunteers at an institution: once, or weekly between two dates.

    Times are the institution's local time (its region's zone), like visiting hours.
    """

    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), max_length=MAX_DESCRIPTION_LENGTH, blank=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="openings", verbose_name=_("region")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="openings",
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
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="openings",
        verbose_name=_("NGO"),
        help_text=_("The NGO that posted it; empty when the institution did."),
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("posted by"),
    )
    service_type = models.ForeignKey(
        ServiceType,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="openings",
        verbose_name=_("kind of help"),
    )
    required_skills = models.ManyToManyField(
        Skill, blank=True, related_name="openings", verbose_name=_("skills needed")
    )
    recurrence = models.CharField(
        _("how often"), max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    starts_on = models.DateField(_("first day"))
    ends_on = models.DateField(
        _("last day"), null=True, blank=True, help_text=_("For weekly work; empty: no end date.")
    )
    start_time = models.TimeField(_("from"))
    end_time = models.TimeField(_("until"))
    needed = models.PositiveSmallIntegerField(_("volunteers needed"), default=1)
    status = models.CharField(
        _("status"), max_length=10, choices=OpeningStatus.choices, default=OpeningStatus.OPEN
    )
    created_at = models.DateTimeField(_("posted at"), default=timezone.now)

    class Meta:
        ordering = ["starts_on", "start_time", "pk"]
        verbose_name = _("opening")
        verbose_name_plural = _("openings")
        constraints = [
            models.CheckConstraint(
                condition=Q(end_time__gt=F("start_time")), name="openings_time_order"
            ),
            models.CheckConstraint(
                condition=Q(needed__gte=1, needed__lte=100), name="openings_needed_range"
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=F("starts_on")),
                name="openings_dates_order",
            ),
            # A one-off opening is one day.
            models.CheckConstraint(
                condition=~Q(recurrence="once") | Q(ends_on__isnull=True),
                name="openings_once_has_no_end",
            ),
        ]
        indexes = [
            # The list volunteers see: a region's open openings by date.
            models.Index(fields=["region", "status", "starts_on"]),
            models.Index(fields=["institution", "status"]),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def hours(self) -> float:
        """Length of one shift, in hours."""
        start = datetime.datetime.combine(datetime.date.min, self.start_time)
        end = datetime.datetime.combine(datetime.date.min, self.end_time)
        return (end - start).total_seconds() / 3600

    @property
    def weekday(self) -> int:
        return self.starts_on.weekday()

    def last_day(self) -> datetime.date | None:
        """The last day it happens; None for weekly work without an end."""
        if self.recurrence == Recurrence.ONCE:
            return self.starts_on
        return self.ends_on

    def next_day(self, on: datetime.date) -> datetime.date | None:
        """The first day it happens on or after `on`, or None when it is over."""
        if self.recurrence == Recurrence.ONCE:
            return self.starts_on if self.starts_on >= on else None
        day = max(on, self.starts_on)
        day += datetime.timedelta(days=(self.weekday - day.weekday()) % 7)
        last = self.last_day()
        return day if last is None or day <= last else None

    def days_between(self, first: datetime.date, last: datetime.date) -> list[datetime.date]:
        """The days it happens from `first` to `last`, both included."""
        days = []
        day = self.next_day(first)
        while day is not None and day <= last:
            days.append(day)
            if self.recurrence == Recurrence.ONCE:
                break
            day = self.next_day(day + datetime.timedelta(days=1))
        return days


class ApplicationStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for an answer")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Application(models.Model):
    """A volunteer offers to do an opening; its poster accepts or declines."""

    opening = models.ForeignKey(
        Opening, on_delete=models.CASCADE, related_name="applications", verbose_name=_("opening")
    )
    volunteer = models.ForeignKey(
        Volunteer,
        on_delete=models.CASCADE,
        related_name="opening_applications",
        verbose_name=_("volunteer"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=ApplicationStatus.choices,
        default=ApplicationStatus.PENDING,
    )
    message = models.TextField(_("message"), max_length=1000, blank=True)
    applied_at = models.DateTimeField(_("applied at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    reason = models.CharField(_("reason"), max_length=500, blank=True)

    class Meta:
        ordering = ["applied_at", "pk"]
        verbose_name = _("application")
        verbose_name_plural = _("applications")
        constraints = [
            models.UniqueConstraint(
                fields=["opening", "volunteer"], name="openings_application_unique"
            )
        ]
        indexes = [models.Index(fields=["volunteer", "status"])]

    def __str__(self) -> str:
        return f"{self.volunteer} → {self.opening}"
