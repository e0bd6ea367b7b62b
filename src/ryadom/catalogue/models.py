"""Service types with stable codes, their quality standard and who may deliver them."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from ryadom.core.i18n import BilingualName


class Category(models.TextChoices):
    PURCHASES = "purchases", _("Purchases and delivery")
    HYGIENE = "hygiene", _("Personal hygiene help")
    ESCORT = "escort", _("Accompaniment and escort")
    LAUNDRY = "laundry", _("Laundry and personal items")
    TECH = "tech", _("Letters, phone and tech help")
    PAPERWORK = "paperwork", _("Documents and benefits paperwork")
    LEGAL = "legal", _("Legal consultation")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    LEISURE = "leisure", _("Leisure and conversation")
    FAMILY = "family", _("Family contact and visits")
    AFTER_DISCHARGE = "after_discharge", _("Help after discharge at home")


class Skill(BilingualName, models.Model):
    """Something a volunteer can do that a service may require (driving, sign language...)."""

    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_ru = models.CharField(_("name (Russian)"), max_length=120)
    name_en = models.CharField(_("name (English)"), max_length=120)

    class Meta:
        ordering = ["code"]
        verbose_name = _("skill")
        verbose_name_plural = _("skills")

    def __str__(self) -> str:
        return self.name


class ServiceType(BilingualName, models.Model):
    """A social or household service. Its code never changes once requests use it."""

    code = models.CharField(
        _("code"), max_length=40, unique=True, help_text=_("Stable code, e.g. purchases.groceries")
    )
    name_ru = models.CharField(_("name (Russian)"), max_length=160)
    name_en = models.CharField(_("name (English)"), max_length=160)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    standard_ru = models.TextField(_("quality standard (Russian)"))
    standard_en = models.TextField(_("quality standard (English)"))
    standard_hours = models.PositiveIntegerField(
        _("normal time to deliver, hours"),
        help_text=_("The standard's time for a request of normal urgency."),
    )
    required_skills = models.ManyToManyField(
        Skill, blank=True, related_name="service_types", verbose_name=_("required skills")
    )
    needs_professional = models.BooleanField(_("needs a professional"), default=False)
    same_gender_helper = models.BooleanField(_("needs a helper of the same gender"), default=False)
    needs_security_screening = models.BooleanField(
        _("needs a security-screened helper"), default=False
    )
    is_active = models.BooleanField(_("offered"), default=True)

    class Meta:
        ordering = ["category", "code"]
        verbose_name = _("service type")
        verbose_name_plural = _("service types")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(standard_hours__gte=1), name="catalogue_standard_hours_positive"
            ),
            models.CheckConstraint(
                condition=models.Q(code__regex=r"^[a-z_]+\.[a-z_]+$"),
                name="catalogue_service_code_format",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def standard(self) -> str:
        if (get_language() or "ru").startswith("en"):
            return self.standard_en
        return self.standard_ru
