"""Writes on volunteers: the profile, joining an NGO, the checks recorded by NGOs and
institutions, the weekly hour limit, and warnings of checks about to expire."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.accounts.services import role_assign
from ryadom.audit.services import audit_event, audit_record, audit_record_many
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


def _may_record_checks(pairs: Sequence[tuple[User, Volunteer]]) -> set[tuple[int, int]]:
    """Which (actor id, volunteer id) pairs may record checks: NGO managers record checks
    of their members (approved or asking to join); liaisons of institutions where one of the
    volunteer's NGOs has a valid agreement record them too (training on site, passes).
    Two queries however many pairs, and one per actor whose scope is not yet read."""
    member_of: dict[int, dict[int, str]] = {}  # volunteer -> NGO -> membership status
    for volunteer_id, organisation_id, status in Membership.objects.filter(
        volunteer_id__in={v.pk for _a, v in pairs},
        status__in=[MembershipStatus.APPROVED, MembershipStatus.PENDING],
    ).values_list("volunteer_id", "organisation_id", "status"):
        member_of.setdefault(volunteer_id, {})[organisation_id] = status
    liaison_of = {
        i
        for a, _v in pairs
        if scope_of(a).has(Role.INSTITUTION_LIAISON)
        for i in scope_of(a).institution_ids
    }
    agreed: set[tuple[int, int]] = set()  # (institution, NGO) with an agreement valid today
    if liaison_of:
        approved = {
            o
            for orgs in member_of.values()
            for o, s in orgs.items()
            if s == MembershipStatus.APPROVED
        }
        agreed = set(
            Agreement.objects.valid_on(timezone.localdate())
            .filter(institution_id__in=liaison_of, organisation_id__in=approved)
            .values_list("institution_id", "organisation_id")
        )
    allowed: set[tuple[int, int]] = set()
    for actor, volunteer in pairs:
        scope, orgs = scope_of(actor), member_of.get(volunteer.pk, {})
        manages = scope.has(Role.NGO_MANAGER) and not scope.organisation_ids.isdisjoint(orgs)
        hosts = scope.has(Role.INSTITUTION_LIAISON) and any(
            (i, o) in agreed
            for i in scope.institution_ids
            for o, s in orgs.items()
            if s == MembershipStatus.APPROVED
        )
        if manages or hosts:
            allowed.add((actor.pk, volunteer.pk))
    return allowed


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


@dataclass(frozen=True)
class CheckStep:
    """One check's new state, recorded by `actor`: a row of a batch of `checks_record`."""

    actor: User
    volunteer: Volunteer
    kind: str
    status: str
    valid_until: datetime.date | None = None
    detail: str = ""


def _check_step_or_raise(step: CheckStep, today: datetime.date) -> None:
    """What a check's new state must satisfy by itself."""
    kind, status, valid_until, detail = step.kind, step.status, step.valid_until, step.detail
    if kind not in CheckKind.values:
        raise ApplicationError(_("Unknown check."), field="kind")
    if status not in CheckStatus.values:
        raise ApplicationError(_("Unknown check status."), field="status")
    if status == CheckStatus.PASSED and kind == CheckKind.SCREENING and valid_until is None:
        raise ApplicationError(_("A passed screening needs its expiry date."), field="valid_until")
    if valid_until is not None and valid_until < today:
        raise ApplicationError(_("The expiry date is in the past."), field="valid_until")
    if kind == CheckKind.SCREENING and detail.strip():
        raise ApplicationError(
            _("Only the result of a screening is recorded: leave the note empty."), field="detail"
        )
    if kind == CheckKind.TRAINING and status == CheckStatus.PASSED and not detail.strip():
        raise ApplicationError(_("Name the training course."), field="detail")


@transaction.atomic
def checks_record(steps: Sequence[CheckStep]) -> list[Check]:
    """Record the steps in order, each with who verified it, until when it holds and its
    audit row; a later step of the same check sees the earlier one (a screening may go
    requested → in progress → passed in one batch). All or nothing: the first step refused
    (not allowed, invalid, or a screening step out of order) raises and records nothing.
    Returns each step's check. A few queries however many steps: what a bulk import or the
    demo uses, and `check_record` for one."""
    if not steps:
        return []
    allowed = _may_record_checks([(s.actor, s.volunteer) for s in steps])
    today, now = timezone.localdate(), timezone.now()
    held = {
        (c.volunteer_id, c.kind): c
        for c in Check.objects.select_for_update().filter(
            volunteer_id__in={s.volunteer.pk for s in steps}
        )
    }
    new: dict[int, Check] = {}  # id() -> a check no row holds yet
    audited: list[tuple[CheckStep, Check, dict[str, object]]] = []
    for step in steps:
        if (step.actor.pk, step.volunteer.pk) not in allowed:
            raise PermissionDeniedError(_("You may not record checks of this volunteer."))
        _check_step_or_raise(step, today)
        check = held.get((step.volunteer.pk, step.kind))
        if step.kind == CheckKind.SCREENING:
            _screening_step_or_raise(check.status if check else None, step.status)
        if check is None:
            check = Check(volunteer=step.volunteer, kind=step.kind)
            held[step.volunteer.pk, step.kind] = new[id(check)] = check
        changes: dict[str, object] = {
            "kind": step.kind,
            "status": [check.status, step.status],
            "valid_until": [str(check.valid_until or ""), str(step.valid_until or "")],
        }
        check.status, check.valid_until = step.status, step.valid_until
        check.detail = step.detail.strip()[:200]
        check.verified_by, check.verified_at = step.actor, now
        audited.append((step, check, changes))
    Check.objects.bulk_create(list(new.values()))
    fields = ["status", "valid_until", "detail", "verified_by", "verified_at"]
    touched = {id(check): check for _step, check, _changes in audited}
    Check.objects.bulk_update([c for i, c in touched.items() if i not in new], fields)
    audit_record_many(
        [
            audit_event(
                actor=step.actor,
                action="check.recorded",
                target=check,
                region_id=step.volunteer.region_id,
                changes=changes,
            )
            for step, check, changes in audited
        ]
    )
    return [check for _step, check, _changes in audited]


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
    step = CheckStep(actor, volunteer, kind, status, valid_until, detail)
    return checks_record([step])[0]


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
