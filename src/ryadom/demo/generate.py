"""The demo data generator: one call makes a whole country (or four regions of it)."""

from __future__ import annotations

import datetime
import random

from django.contrib.auth.hashers import make_password
from django.utils import timezone
from faker import Faker

from ryadom.demo import (
    aftercare,
    entitlements,
    institutions,
    openings,
    organisations,
    referrals,
    requests,
    veterans,
    volunteers,
)
from ryadom.demo.context import Context, load_reference
from ryadom.demo.loader import Loader, Output
from ryadom.demo.people import NameBook
from ryadom.demo.plan import DEFAULT_SEED, Plan
from ryadom.institutions.models import Institution
from ryadom.organisations.models import Organisation


def is_empty() -> bool:
    """Whether there is no demo (or real) data yet: no institution exists."""
    return not Institution.objects.exists()


def generate(
    *,
    plan: Plan,
    out: Output,
    seed: int = DEFAULT_SEED,
    today: datetime.date | None = None,
    batch_size: int = 2000,
) -> Loader:
    """Insert the plan's data; the same seed and day give the same rows.

    Dates are counted back from `today`, so that stays are current and agreements valid
    whenever the demo is made. What people do through the rules goes through the services:
    managers record their members' checks, post openings and answer applications, and
    volunteers apply. The bulk of the registries and the history is inserted directly (the
    services write one row at a time), each taken request by a volunteer whom
    `care.eligibility.request_missing_steps` lets take it that day. `today` must be the real
    day for the services' own date rules (tests travel to it).
    """
    rng = random.Random(seed)  # noqa: S311 - repeatable demo data, not secrets
    fake = Faker("ru_RU")
    fake.seed_instance(seed)
    loader = Loader(out=out, batch_size=batch_size)
    ctx = Context(
        plan=plan,
        rng=rng,
        fake=fake,
        names=NameBook(fake),
        today=today or timezone.localdate(),
        ref=load_reference(plan),
        loader=loader,
        # Generated people never sign in with a password: one unusable hash serves them all
        # instead of 200,000 slow hashings.
        password=make_password(None),
    )
    for inn, ogrn in Organisation.objects.values_list("inn", "ogrn"):
        ctx.taken |= {inn, ogrn}
    loader.say(f"scale {plan.name}, seed {seed}, {len(ctx.ref.regions)} regions")
    steps = (
        institutions,
        organisations,
        volunteers,
        veterans,
        requests,
        openings,
        aftercare,
        entitlements,
        referrals,
    )
    for step in steps:
        step.create(ctx)
    return loader
