"""The navigator in the demo: answers and checklists for veterans with their own accounts, and
the demo `veteran` account's own checklist with a payment question to Moscow's named person.
All through the navigator's services, so the audit rows and the care request are the real
ones. The generated data asks no payment question: its requests are exactly the plan's, and
the same seed gives the same rows (a question asked now would carry the clock's time)."""

from __future__ import annotations

import datetime
from typing import cast

from ryadom.accounts.models import User
from ryadom.care.models import CareRequest
from ryadom.demo.context import Context
from ryadom.entitlements.models import Circumstances, Mark, Measure
from ryadom.entitlements.selectors import checklist_get_for_user
from ryadom.entitlements.services import (
    PAYMENT_ISSUE,
    checklist_mark,
    circumstances_record,
    payment_contact_set,
    payment_issue_report,
)
from ryadom.veterans.models import Veteran

# Veterans with their own account who answer the questions: a share of them, at most this many
# (each answer is a few service calls).
SHARE, MOST = 0.3, 150
STATUSES = ("svo_participant",) * 6 + ("combat_veteran",) * 3 + ("family_member",)
WHY = "Ежемесячная выплата за прошлый месяц не пришла."


def create(ctx: Context) -> None:
    """Answers and marks for some veterans with accounts."""
    veterans = list(
        Veteran.objects.filter(user__isnull=False, stays__discharged_on__isnull=True)
        .select_related("user", "home_region")
        .order_by("pk")
    )
    chosen = veterans[: min(MOST, max(3, int(len(veterans) * SHARE)))]
    for veteran in chosen:
        _answer(ctx, veteran)
    ctx.loader.say(f"entitlements: {len(chosen):,} veterans answered, with their checklists")


def _answer(ctx: Context, veteran: Veteran) -> None:
    rng, actor = ctx.rng, cast(User, veteran.user)  # chosen among those with an account
    served_to = ctx.today - datetime.timedelta(days=rng.randint(10, 200))
    circumstances_record(
        actor=actor,
        veteran=veteran,
        status=rng.choice(STATUSES),
        region=veteran.home_region,
        disability_group=rng.choice((0, 0, 0, 2, 3)),
        married=rng.random() < 0.6,
        children=rng.choice((0, 0, 1, 2, 3)),
        dependants=rng.choice((0, 0, 1)),
        served_from=served_to - datetime.timedelta(days=rng.randint(60, 700)),
        served_to=served_to,
        wounded=rng.random() < 0.7,
    )
    checklist = checklist_get_for_user(actor=actor, veteran_id=veteran.pk, today=ctx.today)
    # Some measures already applied for, some granted; the rest stay to apply for.
    for entry in checklist.to_apply[: rng.randint(0, 2)]:
        mark = Mark.APPLIED if rng.random() < 0.6 else Mark.GRANTED
        checklist_mark(actor=actor, veteran=veteran, measure=entry.measure, status=mark)


def for_demo_accounts(*, veteran: Veteran, relative: User, coordinator: User) -> None:
    """The demo veteran's answers (a Moscow participant, wounded, two children), one measure
    granted and one applied for, the rest to apply for; the Moscow coordinator answers
    payment questions, and one is waiting. Idempotent."""
    payment_contact_set(actor=None, region=veteran.home_region, user=coordinator)
    if not Circumstances.objects.filter(veteran=veteran).exists():
        circumstances_record(
            actor=veteran.user if veteran.user else relative,
            veteran=veteran,
            status="svo_participant",
            region=veteran.home_region,
            disability_group=0,
            married=True,
            children=2,
            served_from=datetime.date(2024, 2, 1),
            served_to=datetime.date(2025, 9, 30),
            wounded=True,
        )
        for code, mark in (("federal.veteran_certificate", Mark.GRANTED),):
            measure = Measure.objects.filter(code=code).first()
            if measure is not None:
                checklist_mark(actor=relative, veteran=veteran, measure=measure, status=mark)
    asked = CareRequest.objects.filter(veteran=veteran, service_type__code=PAYMENT_ISSUE)
    if not asked.exists():
        payment_issue_report(actor=relative, veteran=veteran, measure=None, details=WHY)
