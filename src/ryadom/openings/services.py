"""Every write on openings: posting and closing them, applying, accepting and declining."""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ryadom.accounts.models import User
from ryadom.audit.services import audit_record
from ryadom.care.wellbeing import hour_limit_check
from ryadom.catalogue.models import ServiceType, Skill
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.core.validation import InvalidInput
from ryadom.institutions.models import Department, Institution
from ryadom.openings.eligibility import opening_missing_steps
from ryadom.openings.models import (
    MAX_DESCRIPTION_LENGTH,
    Application,
    ApplicationStatus,
    Opening,
    OpeningStatus,
    Recurrence,
)
from ryadom.openings.selectors import may_manage, postable_institutions, posting_organisation
from ryadom.volunteers.models import Volunteer

MAX_WEEKS_AHEAD = 52


def _tell_poster(application: Application) -> None:
    """Whoever posted the opening hears of a new application, once per application."""
    from ryadom.notifications.services import notify

    opening = application.opening
    user = application.volunteer.user
    notify(
        recipient=opening.posted_by,
        kind="opening_applied",
        context={
            "volunteer": user.get_full_name() or user.username,
            "opening": opening.title,
            "url": f"{settings.SITE_URL}{reverse('openings:manage', args=[opening.pk])}",
        },
        dedupe_key=f"opening-application:{application.pk}:{int(application.applied_at.timestamp())}",
    )


def _tell_volunteer(application: Application, day: datetime.date | None = None) -> None:
    """The volunteer hears the answer to their application."""
    from ryadom.notifications.services import notify

    opening = application.opening
    if application.status == ApplicationStatus.ACCEPTED:
        kind = "opening_accepted"
        context: dict[str, object] = {
            "opening": opening.title,
            "institution": opening.institution.name,
            "first_day": day or opening.starts_on,
            "url": f"{settings.SITE_URL}{reverse('openings:detail', args=[opening.pk])}",
        }
    else:
        kind = "opening_declined"
        context = {
            "opening": opening.title,
            "reason": application.reason or "—",
            "url": f"{settings.SITE_URL}{reverse('openings:list')}",
        }
    notify(
        recipient=application.volunteer.user,
        kind=kind,
        context=context,
        dedupe_key=f"opening-application:{application.pk}:{application.status}",
    )


def _validate(
    *,
    title: str,
    institution: Institution,
    department: Department | None,
    recurrence: str,
    starts_on: datetime.date,
    ends_on: datetime.date | None,
    start_time: datetime.time,
    end_time: datetime.time,
    needed: int,
    description: str,
) -> None:
    """Every field-level problem at once, so a form can show them all."""
    errors: dict[str, list[str]] = {}
    today = timezone.localdate()
    if not title.strip():
        errors["title"] = [_("Say in a few words what the work is.")]
    if len(description) > MAX_DESCRIPTION_LENGTH:
        errors["description"] = [
            ngettext(
                "Please keep the description under %(n)d character.",
                "Please keep the description under %(n)d characters.",
                MAX_DESCRIPTION_LENGTH,
            )
            % {"n": MAX_DESCRIPTION_LENGTH}
        ]
    if department is not None and department.institution_id != institution.pk:
        errors["department"] = [_("This ward belongs to another institution.")]
    if recurrence not in Recurrence.values:
        errors["recurrence"] = [_("Choose once or every week.")]
    if starts_on < today:
        errors["starts_on"] = [_("The first day is in the past.")]
    elif starts_on > today + datetime.timedelta(weeks=MAX_WEEKS_AHEAD):
        errors["starts_on"] = [_("Post openings at most a year ahead.")]
    if recurrence == Recurrence.ONCE and ends_on is not None and ends_on != starts_on:
        errors["ends_on"] = [_("One-off work has no last day; choose “every week”.")]
    if ends_on is not None and ends_on < starts_on:
        errors["ends_on"] = [_("The last day is before the first day.")]
    if end_time <= start_time:
        errors["end_time"] = [_("The work ends before it starts.")]
    if not 1 <= needed <= 100:
        errors["needed"] = [_("From 1 to 100 volunteers.")]
    if (
        "end_time" not in errors
        and institution.visiting_hours.exists()
        and not institution.visiting_hours.filter(
            weekday=starts_on.weekday(), starts__lte=start_time, ends__gte=end_time
        ).exists()
    ):
        errors["start_time"] = [
            _("The institution does not admit visitors then; see its visiting hours.")
        ]
    if errors:
        raise InvalidInput(errors)


@transaction.atomic
def opening_create(
    *,
    actor: User,
    title: str,
    institution: Institution,
    starts_on: datetime.date,
    start_time: datetime.time,
    end_time: datetime.time,
    recurrence: str = Recurrence.ONCE,
    ends_on: datetime.date | None = None,
    needed: int = 1,
    department: Department | None = None,
    service_type: ServiceType | None = None,
    required_skills: Iterable[Skill] = (),
    description: str = "",
) -> Opening:
    """An institution's liaison, or the manager of an NGO with an agreement, posts work."""
    if not postable_institutions(actor=actor).filter(pk=institution.pk).exists():
        raise PermissionDeniedError(
            _(
                "You may post openings for your own institution, or for one your NGO has an "
                "agreement with."
            )
        )
    if recurrence == Recurrence.ONCE:
        ends_on = None if ends_on == starts_on else ends_on
    _validate(
        title=title,
        institution=institution,
        department=department,
        recurrence=recurrence,
        starts_on=starts_on,
        ends_on=ends_on,
        start_time=start_time,
        end_time=end_time,
        needed=needed,
        description=description,
    )
    if service_type is not None and not service_type.is_active:
        raise ApplicationError(_("This service is not offered."), field="service_type")
    opening = Opening.objects.create(
        title=title.strip(),
        description=description.strip(),
        region_id=institution.region_id,
        institution=institution,
        department=department,
        organisation=posting_organisation(actor=actor, institution=institution),
        posted_by=actor,
        service_type=service_type,
        recurrence=recurrence,
        starts_on=starts_on,
        ends_on=ends_on,
        start_time=start_time,
        end_time=end_time,
        needed=needed,
    )
    opening.required_skills.set(list(required_skills))
    audit_record(
        actor=actor,
        action="opening.created",
        target=opening,
        region_id=opening.region_id,
        changes={"institution": institution.pk, "needed": needed, "recurrence": recurrence},
    )
    return opening


@transaction.atomic
def opening_close(*, actor: User, opening: Opening) -> Opening:
    """No more volunteers are wanted; accepted ones keep their place until told otherwise."""
    if not may_manage(actor=actor, opening=opening):
        raise PermissionDeniedError(_("Only whoever posted this opening may close it."))
    changed = Opening.objects.filter(pk=opening.pk, status=OpeningStatus.OPEN).update(
        status=OpeningStatus.CLOSED
    )
    if changed != 1:
        raise ConflictError(_("This opening is already closed."))
    opening.status = OpeningStatus.CLOSED
    audit_record(
        actor=actor,
        action="opening.closed",
        target=opening,
        region_id=opening.region_id,
        changes={"status": [OpeningStatus.OPEN, OpeningStatus.CLOSED]},
    )
    return opening


def _volunteer_of(actor: User) -> Volunteer:
    volunteer = (
        Volunteer.objects.filter(user=actor)
        .select_related("region")
        .prefetch_related("checks", "skills")
        .first()
    )
    if volunteer is None:
        raise PermissionDeniedError(_("Only volunteers can apply."))
    return volunteer


def _next_day_or_raise(opening: Opening) -> datetime.date:
    day = opening.next_day(timezone.localdate())
    if opening.status != OpeningStatus.OPEN or day is None:
        raise ConflictError(_("This opening is closed."))
    return day


def _eligible_or_raise(volunteer: Volunteer, opening: Opening, day: datetime.date) -> None:
    missing = opening_missing_steps(volunteer=volunteer, opening=opening, on=day)
    if missing:
        raise ApplicationError(
            _("Not yet possible: %(steps)s") % {"steps": " ".join(str(m.message) for m in missing)},
            field="volunteer",
        )


@transaction.atomic
def application_create(*, actor: User, opening: Opening, message: str = "") -> Application:
    """A volunteer offers to do the opening; they must be eligible for it on its next day.

    Applying again returns the same application; after withdrawing, it is pending again.
    """
    volunteer = _volunteer_of(actor)
    day = _next_day_or_raise(opening)
    if len(message) > 1000:
        raise ApplicationError(_("Please keep the message under 1000 characters."), field="message")
    existing = Application.objects.filter(opening=opening, volunteer=volunteer).first()
    if existing is not None and existing.status in (
        ApplicationStatus.PENDING,
        ApplicationStatus.ACCEPTED,
    ):
        return existing
    if existing is not None and existing.status == ApplicationStatus.DECLINED:
        raise ConflictError(_("Your application to this opening was declined."))
    _eligible_or_raise(volunteer, opening, day)
    if existing is not None:  # withdrawn earlier: apply again
        Application.objects.filter(pk=existing.pk).update(
            status=ApplicationStatus.PENDING,
            message=message.strip(),
            applied_at=timezone.now(),
            decided_at=None,
            decided_by=None,
            reason="",
        )
        existing.refresh_from_db()
        application = existing
    else:
        try:
            with transaction.atomic():  # a savepoint: a double click inserts once
                application = Application.objects.create(
                    opening=opening, volunteer=volunteer, message=message.strip()
                )
        except IntegrityError:
            return Application.objects.get(opening=opening, volunteer=volunteer)
    audit_record(
        actor=actor,
        action="opening.applied",
        target=application,
        region_id=opening.region_id,
        changes={"opening": opening.pk},
    )
    _tell_poster(application)
    return application


def _decide(*, actor: User, application: Application, status: str, reason: str = "") -> Application:
    """Compare-and-set from pending: of two managers deciding at once, one wins."""
    changed = Application.objects.filter(
        pk=application.pk, status=ApplicationStatus.PENDING
    ).update(status=status, decided_at=timezone.now(), decided_by=actor, reason=reason.strip())
    if changed != 1:
        raise ConflictError(_("This application has already been answered."))
    application.refresh_from_db()
    audit_record(
        actor=actor,
        action=f"opening.application_{status}",
        target=application,
        region_id=application.opening.region_id,
        changes={"status": [ApplicationStatus.PENDING, status]},
    )
    return application


@transaction.atomic
def application_accept(*, actor: User, application: Application) -> Application:
    """The poster takes the volunteer on, while places are left and the volunteer is still
    eligible and within the weekly hour limit their NGO set."""
    # Locking the opening row makes concurrent accepts of one opening take turns, so the
    # count of accepted volunteers below can be trusted.
    opening = Opening.objects.select_for_update().get(pk=application.opening_id)
    if not may_manage(actor=actor, opening=opening):
        raise PermissionDeniedError(_("Only whoever posted this opening may answer."))
    if application.status != ApplicationStatus.PENDING:
        raise ConflictError(_("This application has already been answered."))
    day = _next_day_or_raise(opening)
    accepted = opening.applications.filter(status=ApplicationStatus.ACCEPTED).count()
    if accepted >= opening.needed:
        raise ConflictError(
            ngettext(
                "The one place is taken. Close the opening or post another one.",
                "All %(n)d places are taken. Close the opening or post another one.",
                opening.needed,
            )
            % {"n": opening.needed}
        )
    volunteer = (
        Volunteer.objects.select_related("region", "user")
        .prefetch_related("checks", "skills")
        .get(pk=application.volunteer_id)
    )
    _eligible_or_raise(volunteer, opening, day)
    hour_limit_check(volunteer=volunteer, day=day, adding=opening.hours)
    accepted_one = _decide(actor=actor, application=application, status=ApplicationStatus.ACCEPTED)
    _tell_volunteer(accepted_one, day)
    return accepted_one


@transaction.atomic
def application_decline(*, actor: User, application: Application, reason: str = "") -> Application:
    """The poster says no, with a reason the volunteer sees."""
    if not may_manage(actor=actor, opening=application.opening):
        raise PermissionDeniedError(_("Only whoever posted this opening may answer."))
    declined = _decide(
        actor=actor, application=application, status=ApplicationStatus.DECLINED, reason=reason
    )
    _tell_volunteer(declined)
    return declined


@transaction.atomic
def application_withdraw(*, actor: User, application: Application) -> Application:
    """The volunteer cannot come after all; an accepted place is freed for someone else."""
    if application.volunteer.user_id != actor.pk:
        raise PermissionDeniedError(_("You may withdraw only your own application."))
    previous = application.status
    changed = Application.objects.filter(
        pk=application.pk,
        status__in=[ApplicationStatus.PENDING, ApplicationStatus.ACCEPTED],
    ).update(status=ApplicationStatus.WITHDRAWN, decided_at=timezone.now())
    if changed != 1:
        raise ConflictError(_("This application cannot be withdrawn now."))
    application.refresh_from_db()
    audit_record(
        actor=actor,
        action="opening.application_withdrawn",
        target=application,
        region_id=application.opening.region_id,
        changes={"status": [previous, ApplicationStatus.WITHDRAWN]},
    )
    return application
