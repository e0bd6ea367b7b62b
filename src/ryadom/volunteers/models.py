"""Volunteers: where they live, what they can and like to do, when, and with which NGO."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ryadom.catalogue.models import ServiceType, Skill
from ryadom.core.geo_fields import GeoPoint
from ryadom.core.weekly import WeeklyInterval
from ryadom.geo.models import Region, Settlement
from ryadom.organisations.models import Organisation


class Gender(models.TextChoices):
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")


class Volunteer(GeoPoint):
    """A person who helps. The point is home, from which the travel radius counts."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="volunteer",
        verbose_name=_("user"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="volunteers", verbose_name=_("region")
    )
    settlement = models.ForeignKey(
        Settlement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="volunteers",
        verbose_name=_("settlement"),
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    birth_year = models.PositiveSmallIntegerField(_("year of birth"), null=True, blank=True)
    skills = models.ManyToManyField(
        Skill, blank=True, related_name="volunteers", verbose_name=_("skills")
    )
    interests = models.ManyToManyField(
        ServiceType, blank=True, related_name="interested_volunteers", verbose_name=_("interests")
    )
    languages = models.JSONField(
        _("languages"), default=list, blank=True, help_text=_("ISO 639-1 codes, e.g. ru, en, tt")
    )
    travel_radius_km = models.PositiveSmallIntegerField(_("travel radius, km"), default=15)
    weekly_task_cap = models.PositiveSmallIntegerField(_("tasks a week at most"), default=3)
    # Set by the volunteer's NGO manager to keep people from burning out; empty: no limit.
    weekly_hour_limit = models.PositiveSmallIntegerField(
        _("hours a week at most"),
        null=True,
        blank=True,
        help_text=_("Set by the NGO manager. Empty means no limit."),
    )
    is_veteran = models.BooleanField(_("is a veteran"), default=False)
    is_veteran_relative = models.BooleanField(_("is a veteran's relative"), default=False)
    organisations: models.ManyToManyField[Organisation, Membership] = models.ManyToManyField(
        Organisation,
        through="Membership",
        related_name="volunteers",
        verbose_name=_("NGOs"),
    )
    created_at = models.DateTimeField(_("joined"), default=timezone.now)

    class Meta(GeoPoint.Meta):
        verbose_name = _("volunteer")
        verbose_name_plural = _("volunteers")
        constraints = [
            *GeoPoint.Meta.constraints,
            models.CheckConstraint(
                condition=Q(travel_radius_km__gte=1, travel_radius_km__lte=500),
                name="volunteers_radius_range",
            ),
            models.CheckConstraint(
                condition=Q(weekly_task_cap__gte=1, weekly_task_cap__lte=50),
                name="volunteers_task_cap_range",
            ),
            models.CheckConstraint(
                condition=Q(weekly_hour_limit__isnull=True)
                | Q(weekly_hour_limit__gte=1, weekly_hour_limit__lte=80),
                name="volunteers_hour_limit_range",
            ),
        ]

    def __str__(self) -> str:
        return str(self.user.get_full_name() or self.user.username)


class Availability(WeeklyInterval):
    """A weekly window when the volunteer can help, in their region's local time."""

    volunteer = models.ForeignKey(
        Volunteer,
        on_delete=models.CASCADE,
        related_name="availability",
        verbose_name=_("volunteer"),
    )

    class Meta(WeeklyInterval.Meta):
        verbose_name = _("availability")
        verbose_name_plural = _("availability")


class MembershipStatus(models.TextChoices):
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    LEFT = "left", _("Left")


class Membership(models.Model):
    """A volunteer's membership of an NGO; the NGO manager approves it."""

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("volunteer")
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("NGO")
    )
    status = models.CharField(
        _("status"),
        max_length=20,
        choices=MembershipStatus.choices,
        default=MembershipStatus.PENDING,
    )
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)

    class Meta:
        verbose_name = _("NGO membership")
        verbose_name_plural = _("NGO memberships")
        constraints = [
            models.UniqueConstraint(
                fields=["volunteer", "organisation"], name="volunteers_membership_unique"
            )
        ]
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"{self.volunteer} — {self.organisation}"


class CheckKind(models.TextChoices):
    IDENTITY = "identity", _("Identity verified")
    TRAINING = "training", _("Training course completed")
    MEDICAL = "medical", _("Medical clearance")
    AGREEMENT = "agreement", _("Volunteer agreement signed")
    SCREENING = "screening", _("Security screening")


class CheckStatus(models.TextChoices):
    REQUESTED = "requested", _("Requested")
    IN_PROGRESS = "in_progress", _("In progress")
    PASSED = "passed", _("Passed")
    REFUSED = "refused", _("Refused")


class Check(models.Model):
    """One check of a volunteer, with who verified it and until when it holds.

    Only the result of a security screening is stored, never what it looked into.
    """

    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="checks", verbose_name=_("volunteer")
    )
    kind = models.CharField(_("check"), max_length=20, choices=CheckKind.choices)
    status = models.CharField(
        _("status"), max_length=20, choices=CheckStatus.choices, default=CheckStatus.REQUESTED
    )
    detail = models.CharField(
        _("detail"), max_length=200, blank=True, help_text=_("E.g. the training course name.")
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("verified by"),
    )
    verified_at = models.DateTimeField(_("verified at"), null=True, blank=True)

    class Meta:
        verbose_name = _("check")
        verbose_name_plural = _("checks")
        constraints = [
            models.UniqueConstraint(fields=["volunteer", "kind"], name="volunteers_check_unique")
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_status_display()}"


class ExpiryWarningRun(models.Model):
    """One row per day the expiring-checks sweep has run: of two sweeps of the same day
    (a task enqueued twice), the second finds the row and ends its chain."""

    day = models.DateField(_("day"), unique=True)
    ran_at = models.DateTimeField(_("ran at"), default=timezone.now)
    warned = models.PositiveIntegerField(_("checks warned about"), default=0)

    class Meta:
        verbose_name = _("expiring checks sweep")
        verbose_name_plural = _("expiring checks sweeps")

    def __str__(self) -> str:
        return f"{self.day}: {self.warned}"
