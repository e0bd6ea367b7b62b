"""The discharge plan and the hand-over home, and the follow-up contacts after discharge."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ryadom.care.models import CareRequest
from ryadom.geo.models import Region, Settlement
from ryadom.organisations.models import Organisation
from ryadom.veterans.models import Consent, Stay, Veteran


class Need(models.TextChoices):
    HOME_HELP = "home_help", _("Help at home")
    TRANSPORT = "transport", _("Transport")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    PSYCHOLOGICAL = "psychological", _("Psychological support")
    PAPERWORK = "paperwork", _("Paperwork")
    WORK_STUDY = "work_study", _("Work or study")


class PlanStatus(models.TextChoices):
    # Without consent to hand over, the plan stays with the hospital's coordinators.
    WAITING_CONSENT = "waiting_consent", _("Waiting for consent to hand over")
    HANDED_OVER = "handed_over", _("Handed over home")
    STOPPED = "stopped", _("Stopped: consent withdrawn")


class DischargePlan(models.Model):
    """What the veteran needs at home after a discharge, and who at home takes it on."""

    stay = models.OneToOneField(
        Stay, on_delete=models.PROTECT, related_name="discharge_plan", verbose_name=_("stay")
    )
    veteran = models.ForeignKey(
        Veteran, on_delete=models.PROTECT, related_name="discharge_plans", verbose_name=_("veteran")
    )
    hospital_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region of the hospital")
    )
    home_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("home region")
    )
    home_settlement = models.ForeignKey(
        Settlement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("home settlement"),
    )
    needs = models.JSONField(_("needs at home"), default=list, blank=True)
    family_name = models.CharField(_("family contact"), max_length=120, blank=True)
    family_phone = models.CharField(_("family contact's phone"), max_length=20, blank=True)
    consent = models.ForeignKey(
        Consent,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("consent to hand over"),
    )
    status = models.CharField(
        _("status"), max_length=20, choices=PlanStatus.choices, default=PlanStatus.WAITING_CONSENT
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="home_handovers",
        verbose_name=_("home coordinator"),
    )
    handed_over_at = models.DateTimeField(_("handed over at"), null=True, blank=True)
    first_contact_due = models.DateTimeField(_("first contact due"), null=True, blank=True)
    first_contact_at = models.DateTimeField(_("first contact at"), null=True, blank=True)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("discharge plan")
        verbose_name_plural = _("discharge plans")
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="handed_over") | Q(owner__isnull=False),
                name="aftercare_handed_over_has_owner",
            ),
            models.CheckConstraint(
                condition=Q(escalation_level__lte=2), name="aftercare_plan_escalation_level"
            ),
        ]
        indexes = [
            # The home coordinator's hand-overs, and the fewest-open count that picks them.
            models.Index(fields=["owner", "status"]),
            models.Index(fields=["home_region", "status"]),
        ]

    def __str__(self) -> str:
        return f"{self.veteran} → {self.home_region}"

    def need_labels(self) -> list[str]:
        return [str(Need(n).label) for n in self.needs if n in Need.values]


class ContactOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    NO_ANSWER = "no_answer", _("No answer")
    DECLINED = "declined", _("Declined")
    NEW_NEEDS = "new_needs", _("New needs found")
    STOPPED = "stopped", _("Stopped: consent withdrawn")


# What one attempt can find; a contact closes on any of them but "no answer".
ATTEMPT_RESULTS = [
    ContactOutcome.REACHED,
    ContactOutcome.NO_ANSWER,
    ContactOutcome.DECLINED,
    ContactOutcome.NEW_NEEDS,
]


class FollowUpContact(models.Model):
    """A planned call some days after discharge, owned by the home coordinator or an NGO."""

    plan = models.ForeignKey(
        DischargePlan, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("plan")
    )
    days_after = models.PositiveSmallIntegerField(_("days after discharge"))
    due_on = models.DateField(_("due on"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("owner"),
    )
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="followup_contacts",
        verbose_name=_("delegated to"),
    )
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=ContactOutcome.choices, blank=True
    )
    failed_attempts = models.PositiveSmallIntegerField(_("failed attempts"), default=0)
    escalation_level = models.PositiveSmallIntegerField(_("escalation level"), default=0)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    care_request = models.ForeignKey(
        CareRequest,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("request for the new needs"),
    )

    class Meta:
        ordering = ["due_on", "pk"]
        verbose_name = _("follow-up contact")
        verbose_name_plural = _("follow-up contacts")
        constraints = [
            models.UniqueConstraint(fields=["plan", "days_after"], name="aftercare_contact_once"),
            models.CheckConstraint(
                condition=Q(outcome="") | Q(closed_at__isnull=False),
                name="aftercare_contact_closed_has_time",
            ),
        ]
        indexes = [models.Index(fields=["owner", "outcome", "due_on"])]

    def __str__(self) -> str:
        return f"{self.plan_id}: +{self.days_after}"


class ContactAttempt(models.Model):
    """One call (or visit) of a follow-up contact, and what it found."""

    contact = models.ForeignKey(
        FollowUpContact,
        on_delete=models.CASCADE,
        related_name="attempts",
        verbose_name=_("contact"),
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("by")
    )
    result = models.CharField(_("result"), max_length=20, choices=ContactOutcome.choices)
    note = models.TextField(_("note"), max_length=1000, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("contact attempt")
        verbose_name_plural = _("contact attempts")

    def __str__(self) -> str:
        return f"{self.contact_id}: {self.result}"
