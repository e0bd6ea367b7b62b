"""Discharges with plans, hand-overs home and follow-up contacts, through aftercare's services.

Some veterans without a request are discharged on a day of their stay; most get a plan with
consent said aloud to the liaison (some wait for consent given online, a few have no plan
yet, so the queue shows them). Patients treated in Moscow are often from Kursk. Each region
gets a coordinator to take its hand-overs. The contacts due by today are made, each attempt
answered with a chance of one in three, so about 70 % of contacts reach the veteran within
three attempts (the VA's Solid Start reached 71 %). The services date what they write by the
real clock; the story's moments (hand-over on the discharge day, attempts on the due day and
the days after) are then written onto those rows, as the request history is.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db.models import Count
from django.utils import timezone

from ryadom.accounts.models import Role, RoleAssignment, User
from ryadom.aftercare.contacts import contact_attempt_record
from ryadom.aftercare.models import (
    ContactAttempt,
    ContactOutcome,
    DischargePlan,
    FollowUpContact,
    Need,
    PlanStatus,
)
from ryadom.aftercare.services import CONSENT_LATER, PlanInput, plan_record
from ryadom.care.deadlines import deadline_for
from ryadom.care.lifecycle import OPEN_STATES
from ryadom.care.models import CareRequest, Event
from ryadom.catalogue.models import ServiceType
from ryadom.demo.accounts import PEOPLE
from ryadom.demo.context import Context
from ryadom.demo.people import person
from ryadom.demo.users import grant, new_user
from ryadom.geo.models import Region
from ryadom.veterans.models import Consent, Stay
from ryadom.veterans.stays import stay_discharge

ANSWERED = 1 / 3  # a call is answered; three calls reach about 70 %
EARLY_FIRST_CALL = 0.8
NO_PLAN = 10  # one discharge in ten still waits for a plan
LATER = 7  # one plan in seven waits for consent given online
KURSK, MOSCOW = "46", "77"
DEMO_COORDINATORS = {"77": "coord-moscow", "61": "coord-rostov", "46": "coord-kursk"}


def create(ctx: Context) -> None:
    """Discharge some veterans with plans, hand them over home and make the contacts due."""
    _coordinators(ctx)
    stays = _to_discharge(ctx)
    kursk = next((r for r in ctx.ref.regions if r.code == KURSK), None)
    home_help = ServiceType.objects.get(code="after_discharge.home_help")
    plans, from_moscow = [], 0
    for n, stay in enumerate(stays):
        # Every other patient of a Moscow hospital goes home to Kursk; the first one with a
        # plan and consent, so the demo always shows that hand-over.
        in_moscow = stay.institution.region.code == MOSCOW
        to_kursk = kursk if in_moscow and from_moscow % 2 == 0 else None
        plans.append(_discharge(ctx, stay, to_kursk, 0 if in_moscow and not from_moscow else n))
        from_moscow += in_moscow
    handed = [p for p in plans if p is not None and p.status == PlanStatus.HANDED_OVER]
    attempts = sum(_contacts(ctx, plan, home_help) for plan in handed)
    ctx.loader.say(
        f"aftercare: {len(stays)} discharges, {sum(p is not None for p in plans)} plans, "
        f"{len(handed)} handed over, {attempts} contact attempts"
    )


def _coordinators(ctx: Context) -> None:
    """A regional coordinator for each region that has none, to own its hand-overs."""
    held = set(
        RoleAssignment.objects.filter(role=Role.REGIONAL_COORDINATOR).values_list(
            "scope_id", flat=True
        )
    )
    regions = [r for r in ctx.ref.regions if r.pk not in held]
    users = []
    for r in regions:
        # Moscow's, Rostov's and Kursk's are the demo accounts' (`ensure_demo_accounts` gives
        # them a password later), so hand-overs there can be followed on the pages.
        username = DEMO_COORDINATORS.get(r.code, f"coordinator-{r.code}")
        user = new_user(
            ctx,
            username,
            person(ctx.names, ctx.rng.choice("mf")),
            joined=ctx.days_ago(400),
            phone=f"+7900{ctx.rng.randint(1_000_000, 9_999_999)}",
        )
        if username in PEOPLE:
            user.first_name, user.last_name, _try = PEOPLE[username]
        users.append(user)
    ctx.loader.insert(users)
    grant(ctx, users, Role.REGIONAL_COORDINATOR, [r.pk for r in regions])


def _to_discharge(ctx: Context) -> list[Stay]:
    """Current stays of veterans with no request open (the requests' stories stay as drawn:
    a discharge cancels only open ones), about one in six, at most 2,000."""
    open_count = dict(
        CareRequest.objects.filter(status__in=OPEN_STATES, veteran__isnull=False)
        .values("veteran_id")
        .annotate(n=Count("pk"))
        .values_list("veteran_id", "n")
    )
    asked = set(open_count)
    free = [s for s in ctx.world.stays if s.veteran_id not in asked and s.admitted_on < ctx.today]
    count = min(len(free), ctx.plan.veterans // 6, 2000)
    chosen = ctx.rng.sample(free, count)
    # At least one from a Moscow hospital: the hand-over from Moscow to Kursk is the story.
    # Moscow's patients are busy: then the one with the fewest open requests (a discharge
    # cancels those, as it would).
    moscow = sorted(
        (
            s
            for s in ctx.world.stays
            if s.institution.region.code == MOSCOW and s.admitted_on < ctx.today
        ),
        key=lambda s: (s.veteran_id in asked, open_count.get(s.veteran_id, 0), s.pk),
    )[:1]
    if moscow and moscow[0] not in chosen and chosen:
        chosen[-1] = moscow[0]
    return sorted(chosen, key=lambda s: s.pk)


def _discharge(ctx: Context, stay: Stay, home: Region | None, n: int) -> DischargePlan | None:
    """Discharge on a day of the stay and, unless the n-th waits, record the plan (home:
    the veteran's home region unless given)."""
    liaison = User.objects.get(pk=ctx.world.liaisons[stay.institution_id])
    last = ctx.days_ago(1)  # the story ends at the midnight that began today
    span = max((last - stay.admitted_on).days, 1)
    on = max(
        min(stay.admitted_on + datetime.timedelta(days=ctx.rng.randint(1, span)), last),
        stay.admitted_on,
    )
    since = timezone.now()
    stay_discharge(actor=liaison, veteran=stay.veteran, on=on)
    stay.discharged_on = on
    if n % NO_PLAN == NO_PLAN - 1:
        _restamp(stay.veteran_id, since, ctx.moment(on, 14))
        return None
    home = home or stay.veteran.home_region
    later = n % LATER == 1
    plan = plan_record(
        actor=liaison,
        stay=stay,
        data=PlanInput(
            home_region=home,
            home_settlement=ctx.rng.choice(ctx.ref.settlements[home.pk] or [None]),
            needs=ctx.rng.sample(Need.values, ctx.rng.randint(1, 3)),
            family_name=person(ctx.names, ctx.rng.choice("mf")).full,
            family_phone=f"+7900{ctx.rng.randint(1_000_000, 9_999_999)}",
            consent_method=CONSENT_LATER if later else "spoken",
            witness="" if later else person(ctx.names, "f").full,
        ),
    )
    recorded = ctx.moment(on, 14)
    values = {"recorded_at": recorded}
    if plan.status == PlanStatus.HANDED_OVER:
        values |= {
            "handed_over_at": recorded,
            "first_contact_due": recorded + (plan.first_contact_due - plan.handed_over_at),  # type: ignore[operator]
        }
    DischargePlan.objects.filter(pk=plan.pk).update(**values)
    plan.refresh_from_db()
    _restamp(stay.veteran_id, since, recorded, plan.first_contact_due)
    return plan


def _contacts(ctx: Context, plan: DischargePlan, service: ServiceType) -> int:
    """Make the plan's contacts due by today; returns the attempts made."""
    made = 0
    owner = plan.owner
    last = ctx.days_ago(1)
    handed_over_day = plan.recorded_at.date()
    for n, contact in enumerate(plan.contacts.filter(due_on__lte=last).order_by("due_on")):
        days: list[int] = []
        # Most home coordinators call first within the 72 hours after the hand-over rather
        # than wait for the 7-day contact; some are late (and the deadline escalates).
        first = handed_over_day + datetime.timedelta(days=1)
        starts = first if n == 0 and ctx.rng.random() < EARLY_FIRST_CALL else contact.due_on
        for attempt in range(3):
            day = min(starts + datetime.timedelta(days=attempt), last)
            answered = ctx.rng.random() < ANSWERED
            result = _answer(ctx) if answered else ContactOutcome.NO_ANSWER
            since = timezone.now()
            contact_attempt_record(
                actor=owner,  # type: ignore[arg-type]
                contact=contact,
                result=result,
                service_type=service if result == ContactOutcome.NEW_NEEDS else None,
                details="",
            )
            days.append((day - contact.due_on).days)
            _restamp(plan.veteran_id, since, ctx.moment(day, 11))
            made += 1
            contact.refresh_from_db()
            if contact.outcome:
                break
        _dated(ctx, contact, days)
    return made


def _restamp(
    veteran_id: int,
    since: datetime.datetime,
    at: datetime.datetime,
    handed_over_due: datetime.datetime | None = None,
) -> None:
    """Put what the services just wrote about the veteran's requests and consents (by the
    real clock, from `since`) on the story's moment `at`, so the same seed gives the same
    rows: timeline events, changes, new requests with their deadline from `at`, requests
    handed over with the first contact's deadline."""
    requests = CareRequest.objects.filter(veteran_id=veteran_id)
    Event.objects.filter(request__in=requests, at__gte=since).update(at=at)
    Consent.objects.filter(veteran_id=veteran_id, given_at__gte=since).update(given_at=at)
    for request in requests.filter(updated_at__gte=since).select_related("service_type"):
        values: dict[str, datetime.datetime] = {"updated_at": at}
        if request.created_at >= since:
            start = {"created_at": at}
            values |= start | {
                "deadline": deadline_for(
                    service_type=request.service_type, urgency=request.urgency, start=at
                )
            }
        elif handed_over_due is not None and request.deadline >= since:
            values["deadline"] = handed_over_due
        CareRequest.objects.filter(pk=request.pk).update(**values)


def _answer(ctx: Context) -> str:
    roll = ctx.rng.random()
    if roll < 0.12:
        return ContactOutcome.NEW_NEEDS
    return ContactOutcome.DECLINED if roll < 0.2 else ContactOutcome.REACHED


def _dated(ctx: Context, contact: FollowUpContact, days: Sequence[int]) -> None:
    """Put the attempts on the days of the story: the due day and the days after it."""
    attempts = list(contact.attempts.order_by("pk"))
    for attempt, offset in zip(attempts, days, strict=True):
        at = ctx.moment(contact.due_on + datetime.timedelta(days=offset), 11)
        ContactAttempt.objects.filter(pk=attempt.pk).update(at=at)
        attempt.at = at
    if contact.outcome:
        FollowUpContact.objects.filter(pk=contact.pk).update(closed_at=attempts[-1].at)
    reached = [a.at for a in attempts if a.result != ContactOutcome.NO_ANSWER]
    if reached:
        plan = DischargePlan.objects.get(pk=contact.plan_id)
        first = min([reached[0], *([plan.first_contact_at] if plan.first_contact_at else [])])
        DischargePlan.objects.filter(pk=plan.pk).update(first_contact_at=first)
