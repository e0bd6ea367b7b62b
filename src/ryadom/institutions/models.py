"""Hospitals, rehabilitation centres and sanatoria; their wards, hours and access rules."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from ryadom.core.geo_fields import GeoPoint
from ryadom.core.i18n import BilingualName
from ryadom.core.weekly import WeeklyInterval
from ryadom.geo.models import Region, Settlement


class Agency(BilingualName, models.Model):
    """The owning agency of an institution (Ministry of Defence, Ministry of Health...)."""

    code = models.SlugField(_("code"), max_length=30, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=200)
    name_en = models.CharField(_("name (English)"), max_length=200)

    class Meta:
        ordering = ["code"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")

    def __str__(self) -> str:
        return self.name


class InstitutionKind(models.TextChoices):
    MILITARY_HOSPITAL = "military_hospital", _("Military hospital")
    CIVILIAN_HOSPITAL = "civilian_hospital", _("Civilian hospital")
    REHABILITATION = "rehabilitation", _("Rehabilitation centre")
    SANATORIUM = "sanatorium", _("Sanatorium")
    HOSPICE = "hospice", _("Hospice")


class AccessLevel(models.TextChoices):
    OPEN = "open", _("Open")
    PASS = "pass", _("Pass required")
    SCREENING = "screening", _("Security screening required")


class Institution(GeoPoint):
    """A place where veterans are treated. Its point is where volunteers travel to."""

    name = models.CharField(_("name"), max_length=300)
    # The registry code the region gives it: what a bulk import finds it by (imports/).
    code = models.CharField(
        _("code"),
        max_length=20,
        unique=True,
        null=True,
        blank=True,
        help_text=_("The institution's registry code, e.g. 77-0001: the key of bulk imports."),
    )
    kind = models.CharField(_("kind"), max_length=30, choices=InstitutionKind.choices)
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("agency")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="institutions", verbose_name=_("region")
    )
    settlement = models.ForeignKey(
        Settlement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="institutions",
        verbose_name=_("settlement"),
    )
    address = models.CharField(_("address"), max_length=300)
    access_level = models.CharField(
        _("access level"), max_length=20, choices=AccessLevel.choices, default=AccessLevel.OPEN
    )
    volunteer_rules = models.TextField(
        _("rules for volunteers"),
        blank=True,
        help_text=_("In plain words: what to bring, where to go, what is not allowed."),
    )
    contact_name = models.CharField(_("contact person"), max_length=200, blank=True)
    contact_phone = models.CharField(_("contact phone"), max_length=30, blank=True)
    contact_email = models.EmailField(_("contact e-mail"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta(GeoPoint.Meta):
        ordering = ["region__code", "name"]
        verbose_name = _("institution")
        verbose_name_plural = _("institutions")
        indexes = [models.Index(fields=["region", "kind"])]

    def __str__(self) -> str:
        return self.name

    @property
    def is_military(self) -> bool:
        return self.kind == InstitutionKind.MILITARY_HOSPITAL


class Department(models.Model):
    """A department or ward of an institution; requests and stays point at one."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="departments",
        verbose_name=_("institution"),
    )
    name = models.CharField(_("name"), max_length=200)

    class Meta:
        ordering = ["institution", "name"]
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "name"], name="institutions_department_unique_name"
            )
        ]

    def __str__(self) -> str:
        return self.name


class VisitingHours(WeeklyInterval):
    """When visitors may come, in the local time of the institution's region."""

    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="visiting_hours",
        verbose_name=_("institution"),
    )

    class Meta(WeeklyInterval.Meta):
        verbose_name = _("visiting hours")
        verbose_name_plural = _("visiting hours")
