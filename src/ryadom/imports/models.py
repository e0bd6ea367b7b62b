"""An uploaded file on its way in (checked, then imported), and the consent recorded for
each volunteer a file brought in."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportKind(models.TextChoices):
    INSTITUTIONS = "institutions", _("Institutions")
    ORGANISATIONS = "organisations", _("NGOs")
    AGREEMENTS = "agreements", _("Agreements")
    VOLUNTEERS = "volunteers", _("Volunteers")
    CHECKS = "checks", _("Volunteers' checks")
    MEASURES = "measures", _("Support measures")
    PARTNER_SERVICES = "partner_services", _("Partner services")


class BatchStatus(models.TextChoices):
    CHECKING = "checking", _("Being checked")
    CHECKED = "checked", _("Checked: ready to import")
    FAILED_CHECK = "failed_check", _("Checked: has errors")
    IMPORTING = "importing", _("Being imported")
    DONE = "done", _("Imported")
    FAILED = "failed", _("Import stopped")


class ImportBatch(models.Model):
    """One uploaded file: its content, what the dry run found, and how far the import got."""

    kind = models.CharField(_("kind"), max_length=20, choices=ImportKind.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    language = models.CharField(_("language"), max_length=5, default="ru")
    filename = models.CharField(_("file name"), max_length=200)
    content = models.BinaryField(_("content"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    status = models.CharField(
        _("status"), max_length=20, choices=BatchStatus.choices, default=BatchStatus.CHECKING
    )
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    done_rows = models.PositiveIntegerField(_("rows done"), default=0)
    # {"create": n, "update": n, "unchanged": n} from the dry run, then from the import.
    counts = models.JSONField(_("counts"), default=dict, blank=True)
    # [[row, column key, value, message], ...], at most base.MAX_PROBLEMS of them.
    problems = models.JSONField(_("problems"), default=list, blank=True)
    problem_count = models.PositiveIntegerField(_("problems in all"), default=0)
    # A clean dry run's rows as read (parsed.py), planned again by the import; emptied then.
    parsed = models.BinaryField(_("rows as read"), default=b"", blank=True)
    message = models.TextField(_("message"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.filename}"

    @property
    def running(self) -> bool:
        return self.status in (BatchStatus.CHECKING, BatchStatus.IMPORTING)

    @property
    def percent(self) -> int:
        return int(100 * self.done_rows / self.total_rows) if self.total_rows else 0


class VolunteerConsent(models.Model):
    """The consent to process personal data a volunteer gave their NGO or region, as an
    import file recorded it: a volunteer is imported only with one."""

    volunteer = models.OneToOneField(
        "volunteers.Volunteer",
        on_delete=models.CASCADE,
        related_name="import_consent",
        verbose_name=_("volunteer"),
    )
    given_on = models.DateField(_("given on"))
    batch = models.ForeignKey(
        ImportBatch,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by the import"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        verbose_name = _("volunteer's consent")
        verbose_name_plural = _("volunteers' consents")

    def __str__(self) -> str:
        return f"{self.volunteer_id}: {self.given_on}"
