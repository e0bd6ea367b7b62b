"""Looking after volunteers: the weekly hour limit their NGO sets, and the debrief after a visit.

The limit counts every hour planned in a week (Monday to Sunday in the volunteer's region):
visits (their real length once checked out) and the shifts of openings they were accepted
for. Claims, scheduling, assignment and accepting an opening ask `hour_limit_check` first.
"""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.services import audit_record
from ryadom.care import events
from ryadom.care.models import Debrief, Feeling, Visit
from ryadom.core.errors import ApplicationError, ConflictError, NotFoundError
from ryadom.volunteers.models import Membership, MembershipStatus, Volunteer

# A claim has no time yet; it is counted as the shortest visit we plan for.
CLAIM_HOURS = 1.0
# Visits older than this are not asked about any more.
DEBRIEF_WITHIN = datetime.timedelta(days=14)


def week_of(day: datetime.date) -> tuple[datetime.date, datetime.date]:
    """Monday and Sunday of the week `day` falls in."""
    monday = day - datetime.timedelta(days=day.weekday())
    return monday, monday + datetime.timedelta(days=6)


def week_hours(
    *, volunteer: Volunteer, day: datetime.date, exclude_request_id: int | None = None
) -> float:
    """Hours planned for the volunteer in the week of `day` (visits and opening shifts).

    Not yet started visits of `exclude_request_id` are left out: scheduling replaces them.
    """
    zone = volunteer.region.zone
    monday, sunday = week_of(day)
    start = datetime.datetime.combine(monday, datetime.time(), tzinfo=zone)
    end = start + datetime.timedelta(days=7)
    visits = Visit.objects.filter(volunteer=volunteer, starts__gte=start, starts__lt=end)
    if exclude_request_id is not None:
        visits = visits.exclude(request_id=exclude_request_id, checked_in_at__isnull=True)
    total = 0.0
    for starts, ends, checked_in, checked_out in visits.values_list(
        "starts", "ends", "checked_in_at", "checked_out_at"
    ):
        if checked_in is not None and checked_out is not None:
            total += (checked_out - checked_in).total_seconds() / 3600
        else:
            total += (ends - starts).total_seconds() / 3600
    # Other work planned that week (the shifts of accepted openings), as its owners count it.
    total += sum(
        events.other_planned_hours.publish(volunteer=volunteer, monday=monday, sunday=sunday)
    )
    return total


def _hours(value: float) -> str:
    return f"{value:g}" if value == int(value) else f"{value:.1f}"


def hour_limit_check(
    *,
    volunteer: Volunteer,
    day: datetime.date,
    adding: float,
    exclude_request_id: int | None = None,
) -> None:
    """Refuse, saying why, when `adding` hours would take the week over the NGO's limit."""
    limit = volunteer.weekly_hour_limit
    if limit is None:
        return
    planned = week_hours(volunteer=volunteer, day=day, exclude_request_id=exclude_request_id)
    if planned + adding > limit + 1e-9:
        monday, _sunday = week_of(day)
        raise ApplicationError(
            _(
                "This would make %(total)s h in the week of %(monday)s, more than the "
                "weekly limit of %(limit)s h your NGO has set to look after you "
                "(%(planned)s h already planned)."
            )
            % {
                "total": _hours(planned + adding),
                "monday": monday.strftime("%d.%m.%Y"),
                "limit": limit,
                "planned": _hours(planned),
            },
            field="volunteer",
        )


# --- the debrief ---------------------------------------------------------------------------


def debriefs_due(*, volunteer: Volunteer) -> QuerySet[Visit]:
    """The volunteer's finished visits of the last two weeks not yet answered about."""
    return (
        Visit.objects.filter(
            volunteer=volunteer,
            checked_out_at__isnull=False,
            checked_out_at__gte=timezone.now() - DEBRIEF_WITHIN,
            debrief__isnull=True,
        )
        .select_related("request__service_type", "request__institution")
        .order_by("-checked_out_at")
    )


@transaction.atomic
def debrief_visit_get(*, volunteer: Volunteer, visit_id: int) -> Visit:
    """One of the volunteer's visits to say "How was it?" about (the service says when it is
    too early or already answered), or NotFoundError."""
    visit = debriefs_due(volunteer=volunteer).filter(pk=visit_id).first()
    if visit is None:
        visit = Visit.objects.filter(pk=visit_id, volunteer=volunteer).first()
    if visit is None:
        raise NotFoundError("Not found.")
    return visit


def debrief_submit(*, actor: User, visit: Visit, feeling: str, note: str = "") -> Debrief:
    """The volunteer says how the visit was; "upset" tells the managers of their NGOs."""
    volunteer = visit.volunteer
    if volunteer is None or volunteer.user_id != actor.pk or visit.checked_out_at is None:
        raise NotFoundError("Not found.")
    if feeling not in Feeling.values:
        raise ApplicationError(_("Choose how it was."), field="feeling")
    if len(note) > 2000:
        raise ApplicationError(_("Please keep it under 2000 characters."), field="note")
    try:
        with transaction.atomic():  # a savepoint: a double click inserts once
            debrief = Debrief.objects.create(
                visit=visit, volunteer=volunteer, feeling=feeling, note=note.strip()
            )
    except IntegrityError as exc:
        raise ConflictError(_("You have already told us about this visit.")) from exc
    audit_record(
        actor=actor,
        action="debrief.submitted",
        target=debrief,
        region_id=volunteer.region_id,
        # The answer's words stay out of the log; whether help was asked for goes in.
        changes={"feeling": feeling},
    )
    if debrief.distress:
        events.debrief_upset.publish(debrief=debrief)
    return debrief


def distress_flags(*, actor: User) -> QuerySet[Debrief]:
    """Debriefs asking for support from volunteers of the actor's NGOs, newest first."""
    scope = scope_of(actor)
    if not scope.has(Role.NGO_MANAGER) or not scope.organisation_ids:
        return Debrief.objects.none()
    members = Membership.objects.filter(
        organisation_id__in=scope.organisation_ids, status=MembershipStatus.APPROVED
    ).values("volunteer_id")
    return (
        Debrief.objects.filter(feeling=Feeling.UPSET, volunteer_id__in=members)
        .select_related(
            "volunteer__user", "visit__request__institution", "visit__request__service_type"
        )
        .order_by("acknowledged_at", "-at")
    )


def distress_flag_get(*, actor: User, debrief_id: int) -> Debrief:
    """One distress flag the actor may follow up, or NotFoundError."""
    debrief = distress_flags(actor=actor).filter(pk=debrief_id).first()
    if debrief is None:
        raise NotFoundError("Not found.")
    return debrief


@transaction.atomic
def debrief_acknowledge(*, actor: User, debrief: Debrief) -> Debrief:
    """The NGO manager has been in touch with the volunteer."""
    debrief = distress_flag_get(actor=actor, debrief_id=debrief.pk)
    changed = Debrief.objects.filter(pk=debrief.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now(), acknowledged_by=actor
    )
    if changed != 1:
        raise ConflictError(_("Someone has already followed this up."))
    debrief.refresh_from_db()
    audit_record(
        actor=actor,
        action="debrief.acknowledged",
        target=debrief,
        region_id=debrief.volunteer.region_id,
    )
    return debrief
