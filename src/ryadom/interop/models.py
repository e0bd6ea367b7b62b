"""What interop keeps of its own: the FHIR referrals hospitals sent and the requests they became."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ryadom.care.models import CareRequest


class Referral(models.Model):
    """A hospital's FHIR Task (with its ServiceRequest and Patient) and the care request it
    became. Its identifier from the same client names the same referral: a repeated POST
    finds this row instead of making a second request."""

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("integration client"),
    )
    request = models.OneToOneField(
        CareRequest, on_delete=models.PROTECT, related_name="+", verbose_name=_("care request")
    )
    identifier_system = models.CharField(_("Task identifier system"), max_length=255)
    identifier_value = models.CharField(_("Task identifier value"), max_length=255)
    # The hospital's own identifier of the patient, so its next referral finds the same
    # veteran; blanked when the veteran's data is anonymised.
    patient_system = models.CharField(_("patient identifier system"), max_length=255)
    patient_value = models.CharField(_("patient identifier value"), max_length=255)
    # What the hospital sent that we give back as it was: its identifiers of the Task and the
    # ServiceRequest, and who asked (practitioner or department, as displayed).
    echo = models.JSONField(_("as received"), default=dict)
    body_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("FHIR referral")
        verbose_name_plural = _("FHIR referrals")
        constraints = [
            models.UniqueConstraint(
                fields=["client", "identifier_system", "identifier_value"],
                name="interop_referral_identifier",
            )
        ]
        indexes = [models.Index(fields=["client", "patient_system", "patient_value"])]

    def __str__(self) -> str:
        return f"{self.identifier_system}|{self.identifier_value}"
