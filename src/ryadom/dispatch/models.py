"""Matching runs: what the engine proposed for a region (or the country), and what came of it.

Nothing here assigns anyone: a run holds proposals until a coordinator accepts them, and
acceptance goes through `care.services.coordination.request_assign` like any other assignment.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ryadom.care.models import CareRequest
from ryadom.geo.models import Region
from ryadom.volunteers.models import Volunteer


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to be solved")
    RUNNING = "running", _("Being solved")
    FAILED = "failed", _("Failed")
    PROPOSED = "proposed", _("Waiting for the coordinator")
    ACCEPTED = "accepted", _("Accepted")
    PARTLY_ACCEPTED = "partly_accepted", _("Partly accepted")
    DRY_RUN = "dry_run", _("Dry run (not to be accepted)")


# A run is solved by a task: queued -> running -> proposed (dry_run) or failed. Only these
# two are "not finished yet"; every other status has its proposals stored.
PENDING_RUN = (RunStatus.QUEUED, RunStatus.RUNNING)
# A country takes minutes to solve; a run still unsolved after this has lost its worker.
RUN_GIVEN_UP_AFTER = datetime.timedelta(minutes=30)
# Solved: the statuses a finished solve leaves, before any acceptance.
SOLVED = (RunStatus.PROPOSED, RunStatus.DRY_RUN)


class MatchingRun(models.Model):
    """One solve of the open requests of a region (or, with no region, of the country)."""

    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matching_runs",
        verbose_name=_("region"),
        help_text=_("Empty for a national run."),
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("started by"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    dry_run = models.BooleanField(_("dry run"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=RunStatus.choices, default=RunStatus.QUEUED
    )
    started_at = models.DateTimeField(_("solving started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    error = models.TextField(_("why it failed"), blank=True)
    requests = models.PositiveIntegerField(_("open requests"), default=0)
    volunteers = models.PositiveIntegerField(_("volunteers considered"), default=0)
    matched = models.PositiveIntegerField(_("matched"), default=0)
    unserved = models.PositiveIntegerField(_("unserved"), default=0)
    total_km = models.FloatField(_("total km"), default=0.0)
    objective = models.BigIntegerField(_("objective, points"), default=0)
    load_seconds = models.FloatField(_("database load, s"), default=0.0)
    solve_seconds = models.FloatField(_("solve, s"), default=0.0)

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name = _("matching run")
        verbose_name_plural = _("matching runs")
        indexes = [models.Index(fields=["region", "created_at"])]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="dry_run") | Q(dry_run=True),
                name="dispatch_run_dry_status",
            ),
            models.CheckConstraint(
                condition=~Q(status="failed") | ~Q(error=""),
                name="dispatch_run_failed_says_why",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.region or '—'} {self.created_at:%Y-%m-%d %H:%M}"

    @property
    def stuck(self) -> bool:
        """Still unsolved long after it was started: its worker has most likely stopped."""
        return self.status in PENDING_RUN and timezone.now() - self.created_at > RUN_GIVEN_UP_AFTER


class ProposalStatus(models.TextChoices):
    PENDING = "pending", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    STALE = "stale", _("No longer possible")


class Proposal(models.Model):
    """The engine's choice of one volunteer for one request, with its reasons."""

    run = models.ForeignKey(
        MatchingRun, on_delete=models.CASCADE, related_name="proposals", verbose_name=_("run")
    )
    request = models.ForeignKey(
        CareRequest, on_delete=models.CASCADE, related_name="+", verbose_name=_("request")
    )
    volunteer = models.ForeignKey(
        Volunteer, on_delete=models.CASCADE, related_name="+", verbose_name=_("volunteer")
    )
    cost = models.IntegerField(_("cost, points"))
    km = models.FloatField(_("distance, km"))
    # [{"code": ReasonCode, "value": number or null}, ...], most telling first.
    reasons = models.JSONField(_("reasons"), default=list)
    status = models.CharField(
        _("status"), max_length=20, choices=ProposalStatus.choices, default=ProposalStatus.PENDING
    )
    accepted_at = models.DateTimeField(_("accepted at"), null=True, blank=True)
    outcome = models.TextField(_("why not accepted"), blank=True)

    class Meta:
        ordering = ["run", "pk"]
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        constraints = [
            models.UniqueConstraint(fields=["run", "request"], name="dispatch_proposal_one_per"),
            models.CheckConstraint(
                condition=~Q(status="accepted") | Q(accepted_at__isnull=False),
                name="dispatch_proposal_accepted_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.request} → {self.volunteer_id}"


class UnservedRequest(models.Model):
    """A request the run could not serve, and the engine's reason why."""

    run = models.ForeignKey(MatchingRun, on_delete=models.CASCADE, related_name="unserved_requests")
    request = models.ForeignKey(CareRequest, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("reason"), max_length=60)  # an UnservedReason code

    class Meta:
        ordering = ["run", "pk"]
        verbose_name = _("unserved request")
        verbose_name_plural = _("unserved requests")
        constraints = [
            models.UniqueConstraint(fields=["run", "request"], name="dispatch_unserved_one_per")
        ]

    def __str__(self) -> str:
        return f"{self.request}: {self.reason}"
