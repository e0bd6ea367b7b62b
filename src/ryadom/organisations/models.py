"""NGOs: identity (INN/OGRN), statuses with dates, agreements with institutions."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from stdnum.exceptions import ValidationError as StdnumError
from stdnum.ru import inn as stdnum_inn
from stdnum.ru import ogrn as stdnum_ogrn

from ryadom.catalogue.models import ServiceType
from ryadom.geo.models import Region
from ryadom.institutions.models import Institution


def validate_inn(value: str) -> None:
    """An NGO is a legal entity: a 10-digit INN with a valid check digit."""
    if len(value) != 10 or not stdnum_inn.is_valid(value):
        raise ValidationError(
            _(
                "“%(value)s” is not a valid INN of an organisation: 10 digits with a correct "
                "check digit are expected."
            ),
            params={"value": value},
            code="invalid_inn",
        )


def validate_ogrn(value: str) -> None:
    """A legal entity's OGRN: 13 digits with a valid check digit."""
    try:
        stdnum_ogrn.validate(value)
    except StdnumError as exc:
        raise ValidationError(
            _(
                "“%(value)s” is not a valid OGRN: 13 digits with a correct check digit are "
                "expected."
            ),
            params={"value": value},
            code="invalid_ogrn",
        ) from exc
    if len(value) != 13:
        raise ValidationError(
            _("“%(value)s” is an OGRNIP of a sole trader; an NGO has a 13-digit OGRN."),
            params={"value": value},
            code="invalid_ogrn",
        )


class OrganisationKind(models.TextChoices):
    ANO = "ano", _("Autonomous non-profit organisation")
    FOUNDATION = "foundation", _("Charitable foundation")
    PUBLIC_ASSOCIATION = "public_association", _("Public association")
    RELIGIOUS = "religious", _("Religious organisation")
    VETERANS_UNION = "veterans_union", _("Veterans' organisation")
    COSSACK = "cossack", _("Cossack society")
    OTHER = "other", _("Other non-profit")


class Organisation(models.Model):
    """A socially oriented NGO that delivers services through its volunteers and staff."""

    name = models.CharField(_("name"), max_length=300)
    inn = models.CharField(_("INN"), max_length=10, unique=True, validators=[validate_inn])
    ogrn = models.CharField(_("OGRN"), max_length=13, unique=True, validators=[validate_ogrn])
    kind = models.CharField(_("kind"), max_length=30, choices=OrganisationKind.choices)
    home_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("registered in")
    )
    regions = models.ManyToManyField(
        Region, related_name="organisations", verbose_name=_("regions served")
    )
    service_types = models.ManyToManyField(
        ServiceType, blank=True, related_name="organisations", verbose_name=_("services offered")
    )
    weekly_capacity = models.PositiveIntegerField(
        _("weekly capacity"), default=0, help_text=_("How many requests a week it can take.")
    )
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    website = models.URLField(_("website"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("NGO")
        verbose_name_plural = _("NGOs")
        constraints = [
            models.CheckConstraint(
                condition=Q(inn__regex=r"^[0-9]{10}$"), name="organisations_inn_ten_digits"
            ),
            models.CheckConstraint(
                condition=Q(ogrn__regex=r"^[0-9]{13}$"), name="organisations_ogrn_13_digits"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StatusKind(models.TextChoices):
    SONKO_REGISTER = "sonko_register", _("In the register of socially oriented NGOs")
    USEFUL_SERVICES = "useful_services", _("Provider of socially useful services")


def valid_on_q(day: datetime.date, via: str = "") -> Q:
    """Rows valid on `day`; `via` is the path to them from another model ("agreements__")."""
    return Q(**{f"{via}valid_from__lte": day}) & (
        Q(**{f"{via}valid_to__isnull": True}) | Q(**{f"{via}valid_to__gte": day})
    )


class DatedQuerySet(models.QuerySet[Any]):
    def valid_on(self, day: datetime.date) -> DatedQuerySet:
        """The rows valid on that day (agreements in force, statuses held)."""
        return self.filter(valid_on_q(day))


class DatedValidity(models.Model):
    """Valid from a date, until a date or open-ended."""

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    objects = DatedQuerySet.as_manager()

    class Meta:
        abstract = True
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="%(app_label)s_%(class)s_valid_to_after_from",
            )
        ]

    def clean(self) -> None:
        super().clean()
        if self.valid_from and self.valid_to and self.valid_to < self.valid_from:
            raise ValidationError({"valid_to": _("The end date is before the start date.")})

    def is_valid_on(self, day: datetime.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class OrganisationStatus(DatedValidity):
    """A status an NGO holds for a period (register entries, provider status)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="statuses", verbose_name=_("NGO")
    )
    kind = models.CharField(_("status"), max_length=30, choices=StatusKind.choices)

    class Meta(DatedValidity.Meta):
        ordering = ["organisation", "kind", "-valid_from"]
        verbose_name = _("NGO status")
        verbose_name_plural = _("NGO statuses")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.valid_from:%d.%m.%Y})"


class Agreement(DatedValidity):
    """An agreement under which an NGO's volunteers may work in an institution."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="agreements", verbose_name=_("NGO")
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.CASCADE,
        related_name="agreements",
        verbose_name=_("institution"),
    )
    number = models.CharField(_("number"), max_length=50, blank=True)

    class Meta(DatedValidity.Meta):
        ordering = ["-valid_from"]
        verbose_name = _("agreement")
        verbose_name_plural = _("agreements")
        indexes = [models.Index(fields=["institution", "organisation"])]

    def __str__(self) -> str:
        return f"{self.organisation} — {self.institution}"
