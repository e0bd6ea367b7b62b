"""Support measures (federal and regional), a veteran's answers about their circumstances,
their checklist marks, and the person answering payment questions in each region."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ryadom.accounts.models import Role, RoleAssignment
from ryadom.core.i18n import in_language
from ryadom.entitlements import conditions as rules
from ryadom.geo.models import Region
from ryadom.veterans.models import Veteran


class Level(models.TextChoices):
    FEDERAL = "federal", _("Federal")
    REGIONAL = "regional", _("Regional")


class Measure(models.Model):
    """One support measure. Its code never changes: checklists refer to it."""

    code = models.CharField(
        _("code"),
        max_length=60,
        unique=True,
        help_text=_("Stable code, e.g. federal.monthly_payment"),
    )
    level = models.CharField(_("level"), max_length=10, choices=Level.choices)
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("region"),
        help_text=_("Only for a regional measure."),
    )
    title_ru = models.CharField(_("title (Russian)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    gives_ru = models.TextField(_("what it gives (Russian)"))
    gives_en = models.TextField(_("what it gives (English)"), blank=True)
    documents = models.TextField(_("documents needed"), blank=True)
    how_to_apply = models.TextField(_("where and how to apply"), blank=True)
    legal_basis = models.TextField(_("legal act it rests on"), blank=True)
    effective_from = models.DateField(_("in force from"), null=True, blank=True)
    effective_to = models.DateField(_("in force until"), null=True, blank=True)
    conditions = models.JSONField(
        _("conditions"),
        default=list,
        blank=True,
        help_text=_(
            'A list of {"field", "op", "value"}; all must hold. Fields: status, region, '
            "disability_group, married, children, dependants, days_served, served_from, "
            "served_to, wounded."
        ),
    )
    is_demo_sample = models.BooleanField(
        _("demo sample"),
        default=False,
        help_text=_("Shown with the warning that it is a demo sample, not legal advice."),
    )

    class Meta:
        ordering = ["level", "code"]
        verbose_name = _("support measure")
        verbose_name_plural = _("support measures")
        constraints = [
            models.CheckConstraint(
                condition=Q(level="federal", region__isnull=True)
                | Q(level="regional", region__isnull=False),
                name="entitlements_measure_region_by_level",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True)
                | Q(effective_from__isnull=True)
                | Q(effective_to__gte=models.F("effective_from")),
                name="entitlements_measure_dates_order",
            ),
            models.CheckConstraint(
                condition=Q(code__regex=r"^[a-z0-9_]+(\.[a-z0-9_]+)+$"),
                name="entitlements_measure_code_format",
            ),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_language(self.title_ru, self.title_en)

    @property
    def gives(self) -> str:
        return in_language(self.gives_ru, self.gives_en)

    def rule(self) -> rules.Rule:
        return rules.Rule(
            conditions=self.conditions or [],
            region=self.region.code if self.region_id and self.region else None,
            effective_from=self.effective_from,
            effective_to=self.effective_to,
        )

    def clean(self) -> None:
        errors: dict[str, list[str]] = {}
        if found := rules.problems(self.conditions):
            errors["conditions"] = found
        if self.level == Level.REGIONAL and self.region_id is None:
            errors["region"] = [str(_("A regional measure needs its region."))]
        if self.level == Level.FEDERAL and self.region_id is not None:
            errors["region"] = [str(_("A federal measure has no region."))]
        if self.effective_from and self.effective_to and self.effective_to < self.effective_from:
            errors["effective_to"] = [str(_("It ends before it comes into force."))]
        if errors:
            raise ValidationError(errors)


class Status(models.TextChoices):
    SVO_PARTICIPANT = "svo_participant", _("Participant of the special military operation")
    COMBAT_VETERAN = "combat_veteran", _("Combat veteran")
    FAMILY_MEMBER = "family_member", _("Family member of a participant")


class Circumstances(models.Model):
    """What the veteran (a relative, or the coordinator for them) answered: one per veteran."""

    veteran = models.OneToOneField(
        Veteran,
        on_delete=models.CASCADE,
        related_name="circumstances",
        verbose_name=_("veteran"),
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region of residence")
    )
    disability_group = models.PositiveSmallIntegerField(
        _("disability group"),
        choices=[(0, _("None")), (1, _("Group I")), (2, _("Group II")), (3, _("Group III"))],
        default=0,
    )
    married = models.BooleanField(_("married"), default=False)
    children = models.PositiveSmallIntegerField(_("children under 18"), default=0)
    dependants = models.PositiveSmallIntegerField(_("other dependants"), default=0)
    served_from = models.DateField(_("served from"), null=True, blank=True)
    served_to = models.DateField(_("served until"), null=True, blank=True)
    wounded = models.BooleanField(_("wounded or injured in service"), default=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )

    class Meta:
        verbose_name = _("circumstances")
        verbose_name_plural = _("circumstances")
        constraints = [
            models.CheckConstraint(
                condition=Q(disability_group__lte=3), name="entitlements_disability_group"
            ),
            models.CheckConstraint(
                condition=Q(served_to__isnull=True)
                | Q(served_from__isnull=True)
                | Q(served_to__gte=models.F("served_from")),
                name="entitlements_service_dates_order",
            ),
        ]

    def __str__(self) -> str:
        return str(self.veteran)

    def answers(self) -> rules.Answers:
        return rules.Answers(
            status=self.status,
            region=self.region.code,
            disability_group=self.disability_group,
            married=self.married,
            children=self.children,
            dependants=self.dependants,
            served_from=self.served_from,
            served_to=self.served_to,
            wounded=self.wounded,
        )


class Mark(models.TextChoices):
    APPLIED = "applied", _("Applied")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class ChecklistItem(models.Model):
    """Where the veteran is with one measure: applied, granted or refused."""

    veteran = models.ForeignKey(
        Veteran, on_delete=models.CASCADE, related_name="checklist", verbose_name=_("veteran")
    )
    measure = models.ForeignKey(
        Measure, on_delete=models.PROTECT, related_name="+", verbose_name=_("measure")
    )
    status = models.CharField(_("status"), max_length=10, choices=Mark.choices)
    marked_at = models.DateTimeField(_("marked at"), default=timezone.now)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("marked by"),
    )

    class Meta:
        verbose_name = _("checklist item")
        verbose_name_plural = _("checklist items")
        constraints = [
            models.UniqueConstraint(fields=["veteran", "measure"], name="entitlements_one_mark")
        ]
        # The open-questions count: applied and not answered, by how long they have waited.
        indexes = [models.Index(fields=["status", "marked_at"])]

    def __str__(self) -> str:
        return f"{self.veteran} · {self.measure.code}: {self.status}"


class PaymentContact(models.Model):
    """The named person in a region who answers "a payment is late or wrong"."""

    region = models.OneToOneField(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("responsible person"),
        help_text=_("A coordinator of this region."),
    )

    class Meta:
        verbose_name = _("responsible person for payments")
        verbose_name_plural = _("responsible persons for payments")

    def __str__(self) -> str:
        return f"{self.region}: {self.user}"

    def clean(self) -> None:
        if self.user_id is None or self.region_id is None:
            return
        coordinates = RoleAssignment.objects.filter(
            user_id=self.user_id, role=Role.REGIONAL_COORDINATOR, scope_id=self.region_id
        ).exists()
        if not coordinates:
            raise ValidationError(
                {"user": _("The responsible person must be a coordinator of this region.")}
            )
