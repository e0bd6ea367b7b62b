"""Veterans in care, minimised: how to address them, where they are, what matters to them.

Never diagnoses, unit or military details: only what helpers need to help well.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ryadom.core.uploads import private_storage
from ryadom.geo.models import Region
from ryadom.institutions.models import Department, Institution
from ryadom.volunteers.models import Gender


class ContactRoute(models.TextChoices):
    OWN_PHONE = "own_phone", _("Own phone")
    RELATIVE = "relative", _("Through a relative")
    WARD = "ward", _("Through the ward staff")


class HelperGender(models.TextChoices):
    ANY = "any", _("Does not matter")
    FEMALE = "f", _("Female")
    MALE = "m", _("Male")


class Veteran(models.Model):
    """A person in care. `addressed_as` is the name they want to be called by."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="veteran",
        verbose_name=_("own account"),
    )
    addressed_as = models.CharField(
        _("how to address"), max_length=120, help_text=_("The name they want to be called by.")
    )
    gender = models.CharField(_("gender"), max_length=1, choices=Gender.choices)
    home_region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="veterans", verbose_name=_("home region")
    )
    contact_route = models.CharField(
        _("contact route"), max_length=20, choices=ContactRoute.choices, default=ContactRoute.WARD
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    what_matters = models.TextField(
        _("what matters to me"),
        blank=True,
        help_text=_("In their own words: habits, wishes, what helps them feel like themselves."),
    )
    communication_needs = models.TextField(
        _("communication needs"), blank=True, help_text=_("E.g. hard of hearing: write notes.")
    )
    mobility_needs = models.TextField(
        _("mobility needs"), blank=True, help_text=_("E.g. wheelchair user, one working hand.")
    )
    preferred_helper_gender = models.CharField(
        _("preferred helper for personal care"),
        max_length=3,
        choices=HelperGender.choices,
        default=HelperGender.ANY,
    )
    created_at = models.DateTimeField(_("registered"), default=timezone.now)
    # A keyed hash of the code written on the admission slip or bracelet: with it the veteran
    # claims this record as theirs when they sign up. Emptied once used.
    claim_code_hash = models.CharField(_("claim code hash"), max_length=64, blank=True)
    # Set once the personal data is wiped; the row stays so statistics keep their counts.
    anonymised_at = models.DateTimeField(_("anonymised at"), null=True, blank=True)

    class Meta:
        verbose_name = _("veteran")
        verbose_name_plural = _("veterans")

    def __str__(self) -> str:
        return self.addressed_as


class Stay(models.Model):
    """A period of treatment in one institution. A transfer ends one stay and starts the next."""

    veteran = models.ForeignKey(
        Veteran, on_delete=models.CASCADE, related_name="stays", verbose_name=_("veteran")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="stays", verbose_name=_("institution")
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="stays",
        verbose_name=_("department"),
    )
    admitted_on = models.DateField(_("admitted on"))
    discharged_on = models.DateField(_("discharged on"), null=True, blank=True)
    transferred_from = models.OneToOneField(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transferred_to",
        verbose_name=_("transferred from"),
    )

    class Meta:
        ordering = ["veteran", "-admitted_on"]
        verbose_name = _("stay")
        verbose_name_plural = _("stays")
        constraints = [
            models.CheckConstraint(
                condition=Q(discharged_on__isnull=True) | Q(discharged_on__gte=F("admitted_on")),
                name="veterans_stay_discharged_after_admitted",
            ),
            # At most one current stay per veteran. Overlaps of closed stays are checked in
            # clean() and by stay_create under a lock on the veteran's row.
            models.UniqueConstraint(
                fields=["veteran"],
                condition=Q(discharged_on__isnull=True),
                name="veterans_one_current_stay",
            ),
        ]
        indexes = [models.Index(fields=["institution", "discharged_on"])]

    def __str__(self) -> str:
        return f"{self.veteran} — {self.institution} ({self.admitted_on:%d.%m.%Y})"

    def clean(self) -> None:
        super().clean()
        if self.discharged_on and self.admitted_on and self.discharged_on < self.admitted_on:
            raise ValidationError({"discharged_on": _("Discharge is before admission.")})
        if self.department is not None and self.institution_id:
            if self.department.institution_id != self.institution_id:
                raise ValidationError(
                    {"department": _("This department belongs to another institution.")}
                )
        if self.veteran_id and self.admitted_on:
            overlapping = self.overlapping_stays().first()
            if overlapping is not None:
                raise ValidationError(
                    {
                        "admitted_on": _(
                            "This stay overlaps another stay of the same veteran: %(stay)s. "
                            "A person is in one place at a time; end the other stay first."
                        )
                        % {"stay": overlapping}
                    }
                )

    def overlapping_stays(self) -> models.QuerySet[Stay]:
        """Other stays of this veteran whose dates overlap this one's (a transfer day may touch)."""
        far_future = datetime.date.max
        end = self.discharged_on or far_future
        others = Stay.objects.filter(veteran_id=self.veteran_id).exclude(pk=self.pk)
        # Two periods overlap when each starts before the other ends. The day of a transfer
        # ends one stay and starts the next, so touching ends are allowed.
        return others.filter(admitted_on__lt=end).filter(
            Q(discharged_on__isnull=True) | Q(discharged_on__gt=self.admitted_on)
        )


class ProxyStatus(models.TextChoices):
    ASKED = "asked", _("Waiting for the veteran's approval")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


class Proxy(models.Model):
    """A relative who may act for the veteran (ask for help, confirm, give consent).

    A relative who signs up asks first (`asked`, may not act); the veteran approves on their
    phone, or the ward staff record the veteran's spoken approval.
    """

    veteran = models.ForeignKey(
        Veteran, on_delete=models.CASCADE, related_name="proxies", verbose_name=_("veteran")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="proxy_for",
        verbose_name=_("relative"),
    )
    relation = models.CharField(_("relation"), max_length=60, help_text=_("E.g. mother, wife."))
    may_act = models.BooleanField(_("may act for the veteran"), default=True)
    status = models.CharField(
        _("status"), max_length=10, choices=ProxyStatus.choices, default=ProxyStatus.APPROVED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("added"), default=timezone.now)

    class Meta:
        verbose_name = _("relative")
        verbose_name_plural = _("relatives")
        constraints = [
            models.UniqueConstraint(fields=["veteran", "user"], name="veterans_proxy_unique"),
            # Nobody acts for a veteran before the veteran has approved.
            models.CheckConstraint(
                condition=Q(may_act=False) | Q(status="approved"),
                name="veterans_proxy_acts_only_when_approved",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.relation}) → {self.veteran}"


class ConsentPurpose(models.TextChoices):
    CARE = "care", _("Arranging social and household help")
    CONTACT = "contact", _("Being contacted about requests")
    PROXY = "proxy", _("A relative acting on my behalf")
    HANDOVER = "handover", _("Handing my case to the coordinator of my home region at discharge")
    PARTNER = "partner", _("Sharing my details with a service I am referred to")


class ConsentMethod(models.TextChoices):
    ONLINE = "online", _("Given online by the person")
    CODE = "code", _("Confirmed with a code sent to the veteran's phone")
    WITNESS = "witness", _("Signed on paper before a witness")
    SPOKEN = "spoken", _("Said aloud to the ward staff")


class Consent(models.Model):
    """Consent to processing for a stated purpose, given by the veteran or a relative."""

    veteran = models.ForeignKey(
        Veteran, on_delete=models.CASCADE, related_name="consents", verbose_name=_("veteran")
    )
    purpose = models.CharField(_("purpose"), max_length=20, choices=ConsentPurpose.choices)
    given_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("given by"),
        help_text=_("Empty when the veteran gave it in person to the recorder."),
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    given_at = models.DateTimeField(_("given at"))
    method = models.CharField(
        _("how it was given"),
        max_length=10,
        choices=ConsentMethod.choices,
        default=ConsentMethod.ONLINE,
    )
    witnessed_by = models.CharField(_("witness"), max_length=120, blank=True)
    form_scan = models.FileField(
        _("scan of the signed form"),
        storage=private_storage,
        upload_to="consents/%Y/%m/",
        blank=True,
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        ordering = ["veteran", "-given_at"]
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_at__gte=F("given_at")),
                name="veterans_consent_withdrawn_after_given",
            ),
            models.UniqueConstraint(
                fields=["veteran", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="veterans_one_active_consent_per_purpose",
            ),
            models.CheckConstraint(
                condition=~Q(method="witness") | ~Q(witnessed_by=""),
                name="veterans_consent_witness_named",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.veteran}: {self.get_purpose_display()}"


class DeletionStatus(models.TextChoices):
    ASKED = "asked", _("Asked")
    DONE = "done", _("Done: the personal data is wiped")
    CANCELLED = "cancelled", _("Withdrawn by the person")


class DeletionRequest(models.Model):
    """A veteran (or a relative acting for them) asks that their personal data be erased."""

    veteran = models.ForeignKey(
        Veteran,
        on_delete=models.CASCADE,
        related_name="deletion_requests",
        verbose_name=_("veteran"),
    )
    asked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("asked by"),
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=DeletionStatus.choices, default=DeletionStatus.ASKED
    )
    executed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("executed by"),
    )
    executed_at = models.DateTimeField(_("executed at"), null=True, blank=True)

    class Meta:
        ordering = ["-asked_at", "-pk"]
        verbose_name = _("deletion request")
        verbose_name_plural = _("deletion requests")
        constraints = [
            models.UniqueConstraint(
                fields=["veteran"],
                condition=Q(status="asked"),
                name="veterans_one_pending_deletion_request",
            )
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"


class ClaimStatus(models.TextChoices):
    ASKED = "asked", _("Waiting for the ward staff")
    CONFIRMED = "confirmed", _("Linked")
    REFUSED = "refused", _("Not matched")


class AdmissionClaim(models.Model):
    """A person who signed up without the admission slip's code asks the ward staff to match
    them to their admission: they name the hospital and themselves. The staff confirm the
    match (choosing the patient) or refuse it; until then the person sees nothing of anyone."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="admission_claims",
        verbose_name=_("person asking"),
    )
    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="admission_claims",
        verbose_name=_("institution"),
    )
    name = models.CharField(_("name as given"), max_length=120)
    status = models.CharField(
        _("status"), max_length=10, choices=ClaimStatus.choices, default=ClaimStatus.ASKED
    )
    veteran = models.ForeignKey(
        Veteran,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="admission_claims",
        verbose_name=_("matched to"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    created_at = models.DateTimeField(_("asked at"), default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("admission claim")
        verbose_name_plural = _("admission claims")
        constraints = [
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(status="asked"),
                name="veterans_one_waiting_admission_claim",
            ),
            # A confirmed claim names the patient it was matched to; no other does.
            models.CheckConstraint(
                condition=Q(status="confirmed", veteran__isnull=False)
                | (~Q(status="confirmed") & Q(veteran__isnull=True)),
                name="veterans_admission_claim_matched_when_confirmed",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} ({self.get_status_display()})"
