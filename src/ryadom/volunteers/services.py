"""Writes on volunteers: the profile, joining an NGO, the checks recorded by NGOs and
institutions, the weekly hour limit, and warnings of checks about to expire."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.accounts.services import role_assign
from ryadom.audit.services import audit_record
from ryadom.catalogue.models import ServiceType, Skill
from ryadom.core.errors import ApplicationError, ConflictError, PermissionDeniedError
from ryadom.core.validation import full_clean_or_raise
from ryadom.geo.models import Region, Settlement
from ryadom.organisations.models import Agreement, Organisation
from ryadom.volunteers import events
from ryadom.volunteers.models import (
    Availability,
    Check,
    CheckKind,
    CheckStatus,
    Membership,
    MembershipStatus,
    Volunteer,
)

# A weekly window: (weekday 0–6, starts, ends), in the volunteer's local time.
Window = tuple[int, datetime.time, datetime.time]

PROFILE_FIELDS = (
    "region",
    "settlement",
    "gender",
    "birth_year",
    "languages",
    "travel_radius_km",
    "weekly_task_cap",
    "is_veteran",
    "is_veteran_relative",
    "lat",
    "lon",
)


def _languages(codes: Iterable[str]) -> list[str]:
    cleaned = [c.strip().lower() for c in codes if c.strip()]
    bad = [c for c in cleaned if not (c.isascii() and c.isalpha() and len(c) in (2, 3))]
    if bad:
        raise ApplicationError(
            _("Languages are two-letter codes such as ru, en, tt: “%(bad)s” is not one.")
            % {"bad": bad[0]},
            field="languages",
        )
    return list(dict.fromkeys(cleaned))


def _availability_replace(volunteer: Volunteer, windows: Sequence[Window]) -> None:
    rows = [Availability(volunteer=volunteer, weekday=d, starts=s, ends=e) for d, s, e in windows]
    for row in rows:
        full_clean_or_raise(row, exclude=["volunteer"])
    volunteer.availability.all().delete()
    Availability.objects.bulk_create(rows)


@transaction.atomic
def volunteer_profile_save(
    *,
    actor: User,
    region: Region,
    settlement: Settlement | None,
    gender: str,
    first_name: str,
    last_name: str = "",
    birth_year: int | None = None,
    skills: Iterable[Skill] = (),
    interests: Iterable[ServiceType] = (),
    languages: Iterable[str] = ("ru",),
    availability: Sequence[Window] = (),
    travel_radius_km: int = 15,
    weekly_task_cap: int = 3,
    is_veteran: bool = False,
    is_veteran_relative: bool = False,
) -> Volunteer:
    """Create or update the actor's own volunteer profile; the first save makes them a
    volunteer. Home is the settlement (or the region's centre): the travel radius counts
    from there."""
    if settlement is not None and settlement.region_id != region.pk:
        raise ApplicationError(_("This town is in another region."), field="settlement")
    if not first_name.strip():
        raise ApplicationError(_("Tell us your first name."), field="first_name")
    home = settlement if settlement is not None and settlement.lat is not None else region
    volunteer = Volunteer.objects.select_for_update().filter(user=actor).first()
    created = volunteer is None
    if volunteer is None:
        volunteer = Volunteer(user=actor)
    old = {f: str(getattr(volunteer, f, "")) for f in PROFILE_FIELDS} if not created else {}
    volunteer.region, volunteer.settlement, volunteer.gender = region, settlement, gender
    volunteer.birth_year, volunteer.languages = birth_year, _languages(languages)
    volunteer.travel_radius_km, volunteer.weekly_task_cap = travel_radius_km, weekly_task_cap
    volunteer.is_veteran, volunteer.is_veteran_relative = is_veteran, is_veteran_relative
    volunteer.lat, volunteer.lon = home.lat, home.lon
    full_clean_or_raise(volunteer, exclude=["user", "weekly_hour_limit"])
    volunteer.save()
    volunteer.skills.set(list(skills))
    volunteer.interests.set(list(interests))
    _availability_replace(volunteer, availability)
    actor.first_name, actor.last_name = first_name.strip()[:150], last_name.strip()[:150]
    actor.save(update_fields=["first_name", "last_name"])
    if created:
        role_assign(actor=actor, user=actor, role=Role.VOLUNTEER)
    new = {f: str(getattr(volunteer, f)) for f in PROFILE_FIELDS}
    changes: dict[str, object] = (
        dict(new) if created else {k: [old[k], new[k]] for k in new if old[k] != new[k]}
    )
    audit_record(
        actor=actor,
        action="volunteer.created" if created else "volunteer.updated",
        target=volunteer,
        region_id=region.pk,
        changes=changes,
    )
    return volunteer


def _manages(actor: User, volunteer: Volunteer) -> bool:
    """Whether the actor manages an NGO the volunteer belongs to (or asked to join)."""
    scope = scope_of(actor)
    return scope.has(Role.NGO_MANAGER) and (
        Membership.objects.filter(
            volunteer=volunteer,
            organisation_id__in=scope.organisation_ids,
            status__in=[MembershipStatus.APPROVED, MembershipStatus.PENDING],
        ).exists()
    )


@transaction.atomic
def volunteer_hour_limit_set(*, actor: User, volunteer: Volunteer, hours: int | None) -> Volunteer:
    """The volunteer's NGO manager sets how many hours a week they may work (None: no limit)."""
    if not _manages(actor, volunteer):
        raise PermissionDeniedError(_("Only a manager of the volunteer's NGO sets this limit."))
    if hours is not None and not 1 <= hours <= 80:
        raise ApplicationError(
            _("The limit is between 1 and 80 hours a week."), field="weekly_hour_limit"
        )
    old = volunteer.weekly_hour_limit
    Volunteer.objects.filter(pk=volunteer.pk).update(weekly_hour_limit=hours)
    volunteer.weekly_hour_limit = hours
    audit_record(
        actor=actor,
        action="volunteer.hour_limit_set",
        target=volunteer,
        region_id=volunteer.region_id,
        changes={"weekly_hour_limit": [old, hours]},
    )
    return volunteer


@transaction.atomic
def membership_request(*, actor: User, organisation: Organisation) -> Membership:
    """A volunteer asks to join an NGO; its manager decides."""
    volunteer = Volunteer.objects.filter(user=actor).first()
    if volunteer is None:
        raise PermissionDeniedError(_("Only volunteers can join an NGO."))
    membership, created = Membership.objects.get_or_create(
        volunteer=volunteer, organisation=organisation
    )
    if not created and membership.status in (MembershipStatus.PENDING, MembershipStatus.APPROVED):
        return membership
    if not created:
        membership.status, membership.decided_at = MembershipStatus.PENDING, None
        membership.requested_at = timezone.now()
        membership.save(update_fields=["status", "decided_at", "requested_at"])
    audit_record(
        actor=actor, action="membership.requested", target=membership, region_id=volunteer.region_id
    )
    events.membership_requested.publish(membership=membership)
    return membership


@transaction.atomic
def membership_decide(*, actor: User, membership: Membership, approve: bool) -> Membership:
    """The NGO's manager approves or rejects a pending membership."""
    scope = scope_of(actor)
    if not (scope.has(Role.NGO_MANAGER) and membership.organisation_id in scope.organisation_ids):
        raise PermissionDeniedError(_("Only a manager of this NGO decides on its members."))
    status = MembershipStatus.APPROVED if approve else MembershipStatus.REJECTED
    changed = Membership.objects.filter(pk=membership.pk, status=MembershipStatus.PENDING).update(
        status=status, decided_at=timezone.now()
    )
    if changed != 1:
        raise ConflictError(_("This membership has already been decided."))
    membership.refresh_from_db()
    audit_record(
        actor=actor,
        action="membership.decided",
        target=membership,
        changes={"status": [MembershipStatus.PENDING, status]},
    )
    events.membership_decided.publish(membership=membership)
    return membership


def _may_record_checks(actor: User, volunteer: Volunteer) -> bool:
    """NGO managers record checks of their members; liaisons of institutions where one of
    the volunteer's NGOs has a valid agreement record them too (training on site, passes)."""
    scope = scope_of(actor)
    members = Membership.objects.filter(
        volunteer=volunteer, status__in=[MembershipStatus.APPROVED, MembershipStatus.PENDING]
    )
    if (
        scope.has(Role.NGO_MANAGER)
        and members.filter(organisation_id__in=scope.organisation_ids).exists()
    ):
        return True
    if scope.has(Role.INSTITUTION_LIAISON):
        today = timezone.localdate()
        return (
            Agreement.objects.valid_on(today)
            .filter(
                institution_id__in=scope.institution_ids,
                organisation_id__in=members.filter(status=MembershipStatus.APPROVED).values(
                    "organisation_id"
                ),
            )
            .exists()
        )
    return False


# A security screening moves requested → in progress → passed or refused; only the result is
# kept, never what was looked into. A passed screening is renewed when the new result comes
# (passed again with a later expiry), so the volunteer stays cleared meanwhile; a new round
# starts with "requested" after a refusal or an expiry. Repeating the current status is a no-op
# step (a double submit).
SCREENING_NEXT: dict[str | None, frozenset[str]] = {
    None: frozenset({CheckStatus.REQUESTED}),
    CheckStatus.REQUESTED: frozenset(
        {CheckStatus.REQUESTED, CheckStatus.IN_PROGRESS, CheckStatus.REFUSED}
    ),
    CheckStatus.IN_PROGRESS: frozenset(
        {CheckStatus.IN_PROGRESS, CheckStatus.PASSED, CheckStatus.REFUSED}
    ),
    CheckStatus.PASSED: frozenset({CheckStatus.PASSED, CheckStatus.REFUSED, CheckStatus.REQUESTED}),
    CheckStatus.REFUSED: frozenset({CheckStatus.REQUESTED}),
}


def _screening_step_or_raise(current: str | None, status: str) -> None:
    if status not in SCREENING_NEXT[current]:
        labels = dict(CheckStatus.choices)
        raise ConflictError(
            _("A screening that is “%(current)s” cannot become “%(status)s”.")
            % {"current": labels.get(current or "", _("not started")), "status": labels[status]},
        )


@transaction.atomic
def check_record(
    *,
    actor: User,
    volunteer: Volunteer,
    kind: str,
    status: str,
    valid_until: datetime.date | None = None,
    detail: str = "",
) -> Check:
    """Record the state of one check, with who verified it and until when it holds."""
    if not _may_record_checks(actor, volunteer):
        raise PermissionDeniedError(_("You may not record checks of this volunteer."))
    if kind not in CheckKind.values:
        raise ApplicationError(_("Unknown check."), field="kind")
    if status not in CheckStatus.values:
        raise ApplicationError(_("Unknown check status."), field="status")
    if status == CheckStatus.PASSED and kind == CheckKind.SCREENING and valid_until is None:
        raise ApplicationError(_("A passed screening needs its expiry date."), field="valid_until")
    if valid_until is not None and valid_until < timezone.localdate():
        raise ApplicationError(_("The expiry date is in the past."), field="valid_until")
    if kind == CheckKind.SCREENING and detail.strip():
        raise ApplicationError(
            _("Only the result of a screening is recorded: leave the note empty."), field="detail"
        )
    if kind == CheckKind.TRAINING and status == CheckStatus.PASSED and not detail.strip():
        raise ApplicationError(_("Name the training course."), field="detail")
    existing = Check.objects.select_for_update().filter(volunteer=volunteer, kind=kind).first()
    if kind == CheckKind.SCREENING:
        _screening_step_or_raise(existing.status if existing else None, status)
    check = existing or Check(volunteer=volunteer, kind=kind)
    old = {"status": check.status, "valid_until": str(check.valid_until or "")}
    check.status, check.valid_until, check.detail = status, valid_until, detail.strip()[:200]
    check.verified_by, check.verified_at = actor, timezone.now()
    check.save()
    audit_record(
        actor=actor,
        action="check.recorded",
        target=check,
        region_id=volunteer.region_id,
        changes={
            "kind": kind,
            "status": [old["status"], status],
            "valid_until": [old["valid_until"], str(valid_until or "")],
        },
    )
    return check


WARN_AHEAD = datetime.timedelta(days=30)


@transaction.atomic
def expiring_checks_warn(*, on: datetime.date) -> int:
    """Tell each volunteer whose passed check expires within WARN_AHEAD of `on`, and the
    managers of their NGOs. Once per check and expiry date: running it again (the next day,
    or twice the same day) sends nothing new; a renewed check is warned about again."""

    expiring = (
        Check.objects.filter(
            status=CheckStatus.PASSED, valid_until__gte=on, valid_until__lte=on + WARN_AHEAD
        )
        .select_related("volunteer__user")
        .order_by("valid_until", "pk")
    )
    count = 0
    for check in expiring:
        events.check_expiring.publish(check=check)
        count += 1
    return count
