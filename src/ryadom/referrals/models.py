"""Partner services beyond volunteering (employment centres, colleges, rehabilitation,
psychological help, legal aid, the state fund's social coordinators) and the referrals of
veterans to them, each with its own closed-loop lifecycle and timeline."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ryadom.geo.models import Region, Settlement
from ryadom.veterans.models import Veteran


class PartnerKind(models.TextChoices):
    EMPLOYMENT = "employment", _("Employment centre")
    EDUCATION = "education", _("College or university")
    REHABILITATION = "rehabilitation", _("Rehabilitation centre")
    PSYCHOLOGICAL = "psychological", _("Psychological help")
    LEGAL = "legal", _("Legal aid")
    SOCIAL_FUND = "social_fund", _("State fund social coordinator")
    OTHER = "other", _("Other")


class PartnerService(models.Model):
    """One service a veteran can be referred to: who they are, where, whom to contact."""

    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=20, choices=PartnerKind.choices)
    inn = models.CharField(
        _("INN"), max_length=12, blank=True, help_text=_("10 or 12 digits, if known.")
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    service_area = models.ManyToManyField(
        Region,
        blank=True,
        related_name="+",
        verbose_name=_("regions served"),
        help_text=_("Empty: its own region only."),
    )
    settlement = models.ForeignKey(
        Settlement,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("settlement"),
    )
    address = models.CharField(_("address"), max_length=300, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=200, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(
        _("e-mail"), blank=True, help_text=_("Referrals and reminders are sent here.")
    )
    offers = models.TextField(_("what it offers"), blank=True)
    quota_info = models.TextField(
        _("quotas"), blank=True, help_text=_("For colleges and universities: places for veterans.")
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        ordering = ["region__code", "name"]
        verbose_name = _("partner service")
        verbose_name_plural = _("partner services")
        constraints = [
            models.UniqueConstraint(fields=["region", "name"], name="referrals_partner_name"),
            models.UniqueConstraint(
                fields=["inn"], condition=~Q(inn=""), name="referrals_partner_inn"
            ),
            models.CheckConstraint(
                condition=Q(inn="") | Q(inn__regex=r"^([0-9]{10}|[0-9]{12})$"),
                name="referrals_partner_inn_digits",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Need(models.TextChoices):
    WORK = "work", _("Work")
    STUDY = "study", _("Study")
    REHABILITATION = "rehabilitation", _("Rehabilitation")
    PSYCHOLOGICAL = "psychological", _("Psychological help")
    LEGAL = "legal", _("Legal help")
    BENEFITS = "benefits", _("Payments and benefits")


class Status(models.TextChoices):
    # "referral" context: a referral's words agree with its own gender in Russian.
    SENT = "sent", pgettext_lazy("referral", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("referral", "Accepted")
    DECLINED = "declined", pgettext_lazy("referral", "Declined")
    IN_PROGRESS = "in_progress", pgettext_lazy("referral", "In progress")
    DONE = "done", pgettext_lazy("referral", "Done")
    CANCELLED = "cancelled", pgettext_lazy("referral", "Cancelled")


class Outcome(models.TextChoices):
    EMPLOYED = "employed", _("Employed")
    ENROLLED = "enrolled", _("Enrolled")
    TREATMENT_STARTED = "treatment_started", _("Treatment started")
    HELP_GIVEN = "help_given", _("Help given")
    OTHER = "other", _("Other")


class Referral(models.Model):
    """A veteran referred to a partner service by a coordinator, until the partner reports
    an outcome (or declines, or the referral is cancelled)."""

    veteran = models.ForeignKey(
        Veteran, on_delete=models.PROTECT, related_name="referrals", verbose_name=_("veteran")
    )
    partner = models.ForeignKey(
        PartnerService,
        on_delete=models.PROTECT,
        related_name="referrals",
        verbose_name=_("partner service"),
    )
    need = models.CharField(_("need"), max_length=20, choices=Need.choices)
    note = models.TextField(_("note for the partner"), blank=True)
    share_phone = models.BooleanField(_("give the partner the veteran's phone"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("referred by"),
    )
    # The partner's region: its coordinators follow the referral.
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="+", verbose_name=_("region")
    )
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.SENT
    )
    outcome = models.CharField(_("outcome"), max_length=20, choices=Outcome.choices, blank=True)
    answer_note = models.TextField(_("partner's note"), blank=True)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)
    answer_due = models.DateTimeField(_("answer due"))
    reminded_at = models.DateTimeField(_("partner reminded at"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("escalated at"), null=True, blank=True)
    # Part of the partner's signed link: a new key makes earlier links stop working.
    link_key = models.CharField(_("link key"), max_length=32)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("referral")
        verbose_name_plural = _("referrals")
        indexes = [
            # The answer sweep: referrals still waiting, by when their answer is due.
            models.Index(fields=["status", "answer_due"], name="referrals_waiting"),
            models.Index(fields=["region", "status"], name="referrals_region_status"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(outcome="") | Q(status="done"), name="referrals_outcome_when_done"
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.get_need_display()} → {self.partner}"


class ReferralEvent(models.Model):
    """One line of a referral's timeline: who moved it, from what to what, and why."""

    referral = models.ForeignKey(
        Referral, on_delete=models.CASCADE, related_name="events", verbose_name=_("referral")
    )
    at = models.DateTimeField(_("at"), default=timezone.now)
    # None: the partner through the signed link, or the system (a reminder, an escalation).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    action = models.CharField(_("action"), max_length=20)
    from_status = models.CharField(_("from"), max_length=20, blank=True)
    to_status = models.CharField(_("to"), max_length=20, blank=True)
    note = models.TextField(_("note"), blank=True)

    class Meta:
        ordering = ["at", "pk"]
        verbose_name = _("referral event")
        verbose_name_plural = _("referral events")

    def __str__(self) -> str:
        return f"{self.referral_id} {self.action}"


class PartnerMember(models.Model):
    """A partner's staff member who answers its referrals with an account instead of the
    signed links (a regular partner). One person may work for several services."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="partner_memberships",
        verbose_name=_("user"),
    )
    partner = models.ForeignKey(
        PartnerService,
        on_delete=models.CASCADE,
        related_name="members",
        verbose_name=_("partner service"),
    )
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("added by"),
    )
    added_at = models.DateTimeField(_("added"), default=timezone.now)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["partner__name", "user__username"]
        verbose_name = _("partner's staff member")
        verbose_name_plural = _("partner's staff members")
        constraints = [
            models.UniqueConstraint(fields=["user", "partner"], name="referrals_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.partner}"
