"""Reads of the navigator: the public catalogue, a veteran's checklist (an audited read of
personal data), and the open entitlement questions of the regions a coordinator sees."""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.services import audit_record
from ryadom.care.lifecycle import OPEN_STATES
from ryadom.care.models import CareRequest
from ryadom.core.errors import ApplicationError, NotFoundError
from ryadom.entitlements import conditions
from ryadom.entitlements.models import ChecklistItem, Circumstances, Mark, Measure
from ryadom.geo.models import Region
from ryadom.veterans.consent import acts_for
from ryadom.veterans.models import Stay, Veteran
from ryadom.veterans.reads import is_watched_reader
from ryadom.veterans.selectors import is_coordinator, veteran_list

PAYMENT_ISSUE = "benefits.payment_issue"


def measure_list(*, today: datetime.date | None = None) -> QuerySet[Measure]:
    """Measures in force today, federal first (public: the catalogue is reference data)."""
    today = today or timezone.localdate()
    return (
        Measure.objects.select_related("region")
        .filter(Q(effective_from__isnull=True) | Q(effective_from__lte=today))
        .filter(Q(effective_to__isnull=True) | Q(effective_to__gte=today))
        .order_by("level", "region__code", "code")
    )


def measure_get(*, code: str) -> Measure:
    """One measure in force by its code, or NotFoundError."""
    measure = measure_list().filter(code=code).first()
    if measure is None:
        raise NotFoundError("Not found.")
    return measure


def region_by_code(*, code: str) -> Region:
    """A region by its subject code, or a refusal naming the field."""
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise ApplicationError(_("No region has this code."), field="region")
    return region


def may_answer_for(*, actor: User | AnonymousUser | None, veteran: Veteran) -> bool:
    """The veteran, a relative acting for them, or a coordinator who sees them."""
    if not isinstance(actor, User):
        return False
    if acts_for(actor, veteran):
        return True
    return is_coordinator(actor) and veteran_list(actor=actor).filter(pk=veteran.pk).exists()


@dataclasses.dataclass(frozen=True)
class Entry:
    measure: Measure
    mark: ChecklistItem | None


@dataclasses.dataclass(frozen=True)
class Checklist:
    """A veteran's personal checklist: measures to apply for, and those already marked."""

    veteran: Veteran
    circumstances: Circumstances | None
    to_apply: list[Entry]
    marked: list[Entry]

    @property
    def shows_demo(self) -> bool:
        return any(e.measure.is_demo_sample for e in self.to_apply + self.marked)


def veteran_for_navigator(*, actor: User | AnonymousUser | None, veteran_id: int) -> Veteran:
    """A veteran whose navigator the actor may open, or NotFoundError (also for the outsider)."""
    veteran = veteran_list(actor=actor).filter(pk=veteran_id).select_related("home_region").first()
    if veteran is None or not may_answer_for(actor=actor, veteran=veteran):
        raise NotFoundError("Not found.")
    return veteran


def circumstances_of(*, veteran: Veteran) -> Circumstances | None:
    """The veteran's answers (the caller has the veteran from `veteran_for_navigator`)."""
    return Circumstances.objects.select_related("region").filter(veteran=veteran).first()


def _read_log(actor: User | AnonymousUser | None, veteran: Veteran) -> None:
    """A watched reader's read of the answers goes to the audit log, in the region where the
    veteran is treated, else their home region (as `veteran_get_for_user` logs)."""
    if not is_watched_reader(actor):
        return
    current = Stay.objects.filter(veteran=veteran, discharged_on__isnull=True)
    region_id = current.values_list("institution__region_id", flat=True).first()
    audit_record(
        actor=actor,
        action="checklist.viewed",
        target=veteran,
        region_id=region_id or veteran.home_region_id,
        veteran_id=veteran.pk,
    )


def checklist_get_for_user(
    *, actor: User | AnonymousUser | None, veteran_id: int, today: datetime.date | None = None
) -> Checklist:
    """The veteran's answers and checklist: every measure marked, and those in force that the
    answers match and are not marked yet. A watched reader's read is logged."""
    veteran = veteran_for_navigator(actor=actor, veteran_id=veteran_id)
    _read_log(actor, veteran)
    today = today or timezone.localdate()
    circumstances = Circumstances.objects.select_related("region").filter(veteran=veteran).first()
    marks = {
        item.measure_id: item
        for item in ChecklistItem.objects.filter(veteran=veteran).select_related("measure__region")
    }
    to_apply: list[Entry] = []
    if circumstances is not None:
        answers = circumstances.answers()
        for measure in measure_list(today=today):
            if measure.pk not in marks and conditions.applies(measure.rule(), answers, today):
                to_apply.append(Entry(measure, None))
    marked = [Entry(item.measure, item) for item in marks.values()]
    marked.sort(key=lambda e: (e.measure.level, e.measure.code))
    return Checklist(veteran, circumstances, to_apply, marked)


@dataclasses.dataclass(frozen=True)
class OpenQuestions:
    """A region's entitlement questions not yet answered."""

    region: Region
    payment_issues: int
    applied_waiting: int

    @property
    def total(self) -> int:
        return self.payment_issues + self.applied_waiting


def open_questions_by_region(
    *, actor: User | AnonymousUser | None, region: Region | None = None
) -> list[OpenQuestions]:
    """Per region the actor coordinates (or only `region`, if they coordinate it): open
    payment questions, and measures applied for and not yet answered (by the region the
    veteran lives in). Two grouped queries, and the regions unless one is given."""
    scope = scope_of(actor)
    if not is_coordinator(actor):
        return []
    regions: Any = Region.objects.order_by("code")
    if not scope.federal:
        regions = regions.filter(pk__in=scope.region_ids)
    if region is not None:
        regions = [region] if scope.federal or region.pk in scope.region_ids else []
    issues = dict(
        CareRequest.objects.filter(
            service_type__code=PAYMENT_ISSUE, status__in=OPEN_STATES, region__in=regions
        )
        .values_list("region_id")
        .annotate(n=Count("pk"))
        .values_list("region_id", "n")
    )
    waiting = dict(
        Circumstances.objects.filter(region__in=regions, veteran__checklist__status=Mark.APPLIED)
        .values_list("region_id")
        .annotate(n=Count("veteran__checklist"))
        .values_list("region_id", "n")
    )
    return [
        OpenQuestions(region, issues.get(region.pk, 0), waiting.get(region.pk, 0))
        for region in regions
        if region.pk in issues or region.pk in waiting
    ]
