"""Partner services in every demo region, the veterans' consent to share with them, and
referrals with a realistic mix of answers.

The directory goes through `referrals.services.partner_create` during generation. Referrals
need a coordinator to make them, so they are made when the demo accounts exist
(`ensure_demo_referrals`, called by `ensure_demo_accounts`): the Moscow and Rostov
coordinators refer in their regions, the federal coordinator elsewhere, through
`referral_create`; partners answer through `referral_move` as their link does. The moments
are then set back over the last eight weeks (the services date them now), and the answer
sweep reminds and escalates what is due, as it would have.
"""

from __future__ import annotations

import datetime
import random
from collections.abc import Sequence

from django.db import transaction

from ryadom.accounts.models import User
from ryadom.core.errors import ApplicationError
from ryadom.demo.context import Context
from ryadom.geo.models import Region
from ryadom.referrals.models import (
    Need,
    Outcome,
    PartnerKind,
    PartnerService,
    Referral,
    ReferralEvent,
)
from ryadom.referrals.selectors import serves_q
from ryadom.referrals.services import partner_create, referral_create, referral_move
from ryadom.referrals.tasks import sweep_now
from ryadom.veterans.models import Consent, ConsentPurpose, Stay

SEED = 16
CONSENTING = 0.6  # share of veterans who agreed to share their details with partners
PER_REGION = 10  # referrals a region's coordinator has made (fewer where fewer consented)
# (kind, name with {town}, what it offers, quotas, the need it meets, the outcome it reports)
PARTNERS = (
    (PartnerKind.EMPLOYMENT, "Центр занятости населения, г. {town}",
     "Подбор вакансий, профессиональное обучение и переобучение, помощь в открытии своего дела.",
     "", Need.WORK, Outcome.EMPLOYED),
    (PartnerKind.EDUCATION, "Колледж технологий и сервиса, г. {town}",
     "Очное и заочное обучение по рабочим специальностям, подготовительные курсы.",
     "10 бюджетных мест в год для участников СВО и членов их семей.", Need.STUDY,
     Outcome.ENROLLED),
    (PartnerKind.REHABILITATION, "Центр медицинской реабилитации «Возвращение», г. {town}",
     "Восстановительное лечение, протезирование, адаптивная физкультура.", "",
     Need.REHABILITATION, Outcome.TREATMENT_STARTED),
    (PartnerKind.PSYCHOLOGICAL, "Центр психологической помощи «Опора», г. {town}",
     "Консультации психолога, группы поддержки, помощь семьям.", "", Need.PSYCHOLOGICAL,
     Outcome.TREATMENT_STARTED),
    (PartnerKind.LEGAL, "Бесплатная юридическая консультация адвокатской палаты, г. {town}",
     "Консультации по выплатам, статусу ветерана, трудовым и жилищным вопросам.", "",
     Need.LEGAL, Outcome.HELP_GIVEN),
    (PartnerKind.SOCIAL_FUND, "Фонд «Защитники Отечества»: социальный координатор, г. {town}",
     "Сопровождение ветерана и семьи: выплаты, льготы, лечение, работа.", "", Need.BENEFITS,
     Outcome.HELP_GIVEN),
)  # fmt: skip
CONTACTS = ("Анна Сергеевна", "Ольга Викторовна", "Ирина Павловна", "Сергей Николаевич")
# How referrals older than the answer window ended up, in turn (each region starts three
# further on): most loops close, and every ending shows in a small demo.
ENDINGS = (
    "done", "declined", "done", "in_progress", "done", "cancelled", "done", "accepted", "done",
    "sent", "declined", "done",
)  # fmt: skip
HOUR = datetime.timedelta(hours=1)


def create(ctx: Context) -> None:
    """Six partner services in each region (one of each kind), and consents to share."""
    count = 0
    with transaction.atomic():
        for region in ctx.ref.regions:
            for n, (kind, name, offers, quota, _need, _outcome) in enumerate(PARTNERS):
                partner_create(
                    actor=None,
                    name=name.format(town=region.centre_ru),
                    kind=kind,
                    region=region,
                    address=f"ул. {ctx.fake.street_name()}, {ctx.rng.randint(1, 120)}",
                    contact_person=CONTACTS[(n + int(region.code)) % len(CONTACTS)],
                    phone=f"+7 ({ctx.rng.randint(300, 999)}) {ctx.rng.randint(100, 999)}-"
                    f"{ctx.rng.randint(10, 99)}-{ctx.rng.randint(10, 99)}",
                    email=f"{kind}-{region.code}@example.org",
                    offers=offers,
                    quota_info=quota,
                )
                count += 1
        _consents(ctx)
    ctx.loader.say(f"referrals: {count} partner services")


def _consents(ctx: Context) -> None:
    rows = []
    for stay in ctx.world.stays:
        if ctx.rng.random() < CONSENTING:
            recorder = ctx.world.liaisons[stay.institution_id]
            given = ctx.moment(stay.admitted_on, 12)
            rows.append(
                Consent(
                    veteran_id=stay.veteran_id,
                    purpose=ConsentPurpose.PARTNER,
                    recorded_by_id=recorder,
                    given_at=given,
                )
            )
    ctx.loader.insert(rows)


def ensure_demo_referrals(*, users: dict[str, User], now: datetime.datetime) -> int:
    """Referrals in every region with partners (none made twice); how many were made."""
    if Referral.objects.exists():
        return 0
    rng = random.Random(SEED)  # noqa: S311 - repeatable demo data, not secrets
    made = 0
    regions = Region.objects.filter(pk__in=PartnerService.objects.values("region_id"))
    for n, region in enumerate(sorted(regions, key=lambda r: r.code)):
        coordinator = {"77": users["coord-moscow"], "61": users["coord-rostov"]}.get(
            region.code, users["federal"]
        )
        with transaction.atomic():
            made += _region(rng, region, coordinator, now, PER_REGION, 3 * n)
    sweep_now()
    return made


def _veterans_of(region: Region) -> list[int]:
    consenting = Consent.objects.filter(
        purpose=ConsentPurpose.PARTNER, withdrawn_at__isnull=True
    ).values("veteran_id")
    stays = Stay.objects.filter(
        discharged_on__isnull=True, institution__region=region, veteran_id__in=consenting
    )
    return sorted(stays.values_list("veteran_id", flat=True))


def _region(
    rng: random.Random,
    region: Region,
    coordinator: User,
    now: datetime.datetime,
    wanted: int,
    turn: int,
) -> int:
    partners = list(PartnerService.objects.filter(serves_q([region.pk])).order_by("pk"))
    veterans = _veterans_of(region)
    if not partners or not veterans:
        return 0
    made = 0
    for veteran_id in rng.sample(veterans, min(wanted, len(veterans))):
        partner = rng.choice(partners)
        kind = next(p for p in PARTNERS if p[0] == partner.kind)
        try:
            referral = referral_create(
                actor=coordinator,
                veteran=Stay.objects.get(veteran_id=veteran_id, discharged_on__isnull=True).veteran,
                partner=partner,
                need=kind[4],
                note=rng.choice(NOTES[kind[4]]),
                share_phone=rng.random() < 0.7,
            )
        except ApplicationError:
            continue  # not this veteran for this coordinator: the rules said no
        age = datetime.timedelta(hours=rng.randint(2, 8 * 7 * 24))
        _answer(rng, referral, coordinator, kind[5], age, ENDINGS[(turn + made) % len(ENDINGS)])
        _set_back(referral, now - age, now)
        made += 1
    return made


def _answer(
    rng: random.Random,
    referral: Referral,
    coordinator: User,
    outcome: str,
    age: datetime.timedelta,
    ending: str,
) -> None:
    """The partner's answers so far: `ending`, unless the referral is young and may still
    wait."""
    if age < 72 * HOUR:
        ending = rng.choice(("sent", "sent", "accepted"))
    steps: Sequence[tuple[User | None, str, str, str]] = {
        "sent": (),
        "accepted": ((None, "accept", "", ""),),
        "in_progress": ((None, "accept", "", ""), (None, "start", "", "")),
        "done": ((None, "accept", "", ""), (None, "finish", outcome, "")),
        "declined": ((None, "decline", "", rng.choice(DECLINES)),),
        "cancelled": ((coordinator, "cancel", "", "Ветеран переехал в другой регион."),),
    }[ending]
    for actor, action, result, note in steps:
        referral_move(actor=actor, referral=referral, action=action, outcome=result, note=note)


def _set_back(referral: Referral, created: datetime.datetime, now: datetime.datetime) -> None:
    """Date the referral and its timeline as if sent `created`, answers spread after it."""
    events = list(ReferralEvent.objects.filter(referral=referral).order_by("pk"))
    step = min(30 * HOUR, (now - created) / (len(events) + 1))
    for i, event in enumerate(events):
        event.at = created + step * i
    ReferralEvent.objects.bulk_update(events, ["at"])
    Referral.objects.filter(pk=referral.pk).update(
        created_at=created,
        updated_at=events[-1].at,
        answer_due=created + 72 * HOUR,
    )


NOTES = {
    Need.WORK: ("Водитель категории C, ищет работу рядом с домом.",
                "Хочет переучиться на оператора станков с ЧПУ.",
                "Нужна работа без подъёма тяжестей."),
    Need.STUDY: ("Хочет получить специальность электромонтажника.",
                 "Интересуется заочным обучением.", "Нужна доступная среда: ходит с тростью."),
    Need.REHABILITATION: ("После ранения ноги, нужен курс восстановления.",
                          "Нужна консультация по протезированию."),
    Need.PSYCHOLOGICAL: ("Плохо спит, просит о встрече с психологом.",
                         "Семья просит помочь с адаптацией после возвращения."),
    Need.LEGAL: ("Вопрос о статусе ветерана боевых действий.",
                 "Задержка выплаты, нужна консультация юриста."),
    Need.BENEFITS: ("Не знает, какие льготы положены семье.",
                    "Нужна помощь с оформлением выплат."),
}  # fmt: skip
DECLINES = ("Нет подходящих вакансий в районе.", "Мест на этот год нет.",
            "Не наш профиль: передали коллегам.")  # fmt: skip
