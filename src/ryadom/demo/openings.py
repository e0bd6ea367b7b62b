"""Openings the NGOs post for their institutions, and volunteers' applications to them.

Everything goes through the openings services, as on the pages: the manager of an NGO with an
agreement posts, cleared members apply (the service checks they may), the manager accepts
some and leaves the rest waiting. Dates count from the real today (the services refuse a
first day in the past), so generate on the day the demo is used.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from ryadom.demo.context import Context, Member
from ryadom.demo.institutions import VISITING_HOURS
from ryadom.institutions.models import Institution
from ryadom.openings.eligibility import opening_missing_steps
from ryadom.openings.models import Opening, Recurrence
from ryadom.openings.services import application_accept, application_create, opening_create
from ryadom.volunteers.eligibility import REQUIRED_CHECKS
from ryadom.volunteers.models import Volunteer

# (title, every week or once, places, description)
KINDS = (
    ("Прогулки с пациентами", Recurrence.WEEKLY, 2, "Вывезти на прогулку тех, кто на коляске."),
    ("Чтение вслух в отделении", Recurrence.WEEKLY, 1, "Газеты, письма, книги — что попросят."),
    ("Шахматы и настольные игры", Recurrence.WEEKLY, 2, "Доски и фигуры есть в холле."),
    ("Помощь с видеозвонками родным", Recurrence.WEEKLY, 1, "Телефоны и планшеты пациентов."),
    ("Концерт для отделения", Recurrence.ONCE, 3, "Нужны те, кто поёт или играет."),
    ("Разбор книг для библиотеки отделения", Recurrence.ONCE, 2, "Рассортировать подаренное."),
)
APPLICANTS = (0, 1, 2, 3, 4)


def create(ctx: Context) -> None:
    """One or two openings for the plan's share of institutions with a partner NGO, with
    their applications."""
    if not ctx.plan.volunteers:
        ctx.loader.say("openings: none (the plan has no volunteers to answer them)")
        return
    openings = applications = 0
    for institution in ctx.world.institutions:
        partners = ctx.world.partners.get(institution.pk, [])
        if not partners or not _posts(ctx):
            continue
        with transaction.atomic():
            for _n in range(ctx.rng.randint(1, 2)):
                org_id = ctx.rng.choice(partners)
                applications += _opening(ctx, institution, org_id, partners)
                openings += 1
    ctx.loader.say(f"openings: {openings:,} with {applications:,} applications")


def _posts(ctx: Context) -> bool:
    """Whether this institution gets openings (a plan posting everywhere draws nothing)."""
    return ctx.plan.openings_share >= 1 or ctx.rng.random() < ctx.plan.openings_share


def _opening(ctx: Context, institution: Institution, org_id: int, partners: Sequence[int]) -> int:
    rng, manager = ctx.rng, ctx.world.managers[org_id]
    title, recurrence, needed, description = rng.choice(KINDS)
    day, opens, closes = _visiting_day(ctx, institution)
    starts = datetime.time(rng.randint(opens, max(opens, closes - 2)))
    ends = datetime.time(min(starts.hour + 2, closes))
    opening = opening_create(
        actor=manager,
        title=title,
        institution=institution,
        starts_on=day,
        start_time=starts,
        end_time=ends,
        recurrence=recurrence,
        ends_on=day + datetime.timedelta(weeks=rng.randint(4, 12))
        if recurrence == Recurrence.WEEKLY
        else None,
        needed=needed,
        description=description,
    )
    applied = []
    for volunteer in _applicants(ctx, opening, partners):
        applied.append(application_create(actor=volunteer.user, opening=opening))
    # The manager has answered some; the rest wait on /openings/ for an answer.
    for application in applied[: rng.randint(0, min(needed, len(applied)))]:
        application_accept(actor=manager, application=application)
    return len(applied)


def _visiting_day(ctx: Context, institution: Institution) -> tuple[datetime.date, int, int]:
    """A day in the next two weeks with visiting hours, and that window's hours."""
    hours = VISITING_HOURS[institution.kind]
    for offset in ctx.rng.sample(range(1, 15), 14):
        day = ctx.days_ago(-offset)
        windows = [(s, e) for weekday, s, e in hours if weekday == day.weekday()]
        if windows:
            opens, closes = ctx.rng.choice(windows)
            return day, opens, closes
    raise LookupError(f"{institution.name} has no visiting hours.")


def _applicants(ctx: Context, opening: Opening, partners: Sequence[int]) -> list[Volunteer]:
    """A few members of the institution's partner NGOs who may do it on its next day, by
    the rule applying asks (`openings.eligibility.opening_missing_steps`)."""
    institution = opening.institution
    needed = set(REQUIRED_CHECKS[institution.access_level])
    seen: dict[int, Member] = {}
    for org_id in partners:
        for m in ctx.world.members.get(org_id, []):
            if needed <= ctx.world.cleared.get(m.volunteer_id, frozenset()):
                seen.setdefault(m.volunteer_id, m)
    members = sorted(seen.values(), key=lambda m: m.volunteer_id)
    ctx.rng.shuffle(members)
    wanted, day = ctx.rng.choice(APPLICANTS), opening.next_day(timezone.localdate())
    found: list[Volunteer] = []
    for m in members:
        if len(found) >= wanted or day is None:
            break
        volunteer = (
            Volunteer.objects.select_related("user")
            .prefetch_related("checks", "skills")
            .get(pk=m.volunteer_id)
        )
        if not opening_missing_steps(volunteer=volunteer, opening=opening, on=day):
            found.append(volunteer)
    return found
