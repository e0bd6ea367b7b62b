"""Regions (federal subjects) and settlements."""

from __future__ import annotations

import zoneinfo

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from ryadom.core.geo_fields import GeoPoint
from ryadom.core.i18n import BilingualName, in_language


class FederalDistrict(models.TextChoices):
    CENTRAL = "central", _("Central")
    NORTHWESTERN = "northwestern", _("Northwestern")
    SOUTHERN = "southern", _("Southern")
    NORTH_CAUCASIAN = "north_caucasian", _("North Caucasian")
    VOLGA = "volga", _("Volga")
    URAL = "ural", _("Ural")
    SIBERIAN = "siberian", _("Siberian")
    FAR_EASTERN = "far_eastern", _("Far Eastern")


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(
            _("“%(value)s” is not a known time zone (use an IANA name such as Europe/Moscow)."),
            params={"value": value},
        ) from exc


class Region(BilingualName, GeoPoint):
    """A federal subject; the point is its administrative centre."""

    code = models.CharField(_("subject code"), max_length=2, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)
    federal_district = models.CharField(
        _("federal district"), max_length=20, choices=FederalDistrict.choices
    )
    centre_ru = models.CharField(_("administrative centre (Russian)"), max_length=120)
    centre_en = models.CharField(_("administrative centre (English)"), max_length=120)
    timezone = models.CharField(_("time zone"), max_length=40, validators=[validate_timezone])

    class Meta(GeoPoint.Meta):
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            *GeoPoint.Meta.constraints,
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[0-9]{2}$"), name="geo_region_code_two_digits"
            ),
        ]

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)

    @property
    def centre(self) -> str:
        """The administrative centre in the language the user reads."""
        return in_language(self.centre_ru, self.centre_en)


class Settlement(BilingualName, GeoPoint):
    """A city, town or village; volunteers and institutions are placed near one."""

    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="settlements", verbose_name=_("region")
    )
    name_ru = models.CharField(_("name (Russian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    is_centre = models.BooleanField(_("administrative centre"), default=False)

    class Meta(GeoPoint.Meta):
        ordering = ["region__code", "-is_centre", "name_ru"]
        verbose_name = _("settlement")
        verbose_name_plural = _("settlements")
        constraints = [
            *GeoPoint.Meta.constraints,
            models.UniqueConstraint(
                fields=["region", "name_ru"], name="geo_settlement_unique_name"
            ),
        ]
