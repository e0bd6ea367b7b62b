"""One demo account for every role, tied together in Moscow so each has something to see.

Idempotent: run it any number of times, on the small or the national data or on an empty
database (then it creates the minimum it needs: a Moscow hospital and an NGO working there).
"""

from __future__ import annotations

import datetime
import io
import random
from dataclasses import dataclass

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from ryadom.accounts.models import Role, User
from ryadom.accounts.services import role_assign
from ryadom.analytics.hooks import request_changed
from ryadom.audit.models import AuditEvent
from ryadom.care.models import CareRequest, Channel, Urgency
from ryadom.care.selectors import request_get_for_user, request_list
from ryadom.catalogue.models import ServiceType, Skill
from ryadom.core.errors import ApplicationError
from ryadom.core.validation import full_clean_or_raise
from ryadom.demo import entitlements, words
from ryadom.demo.context import Member
from ryadom.demo.identifiers import company_inn, company_ogrn
from ryadom.demo.institutions import VISITING_HOURS
from ryadom.demo.loader import Loader
from ryadom.demo.referrals import ensure_demo_referrals
from ryadom.demo.stories import Helper, Story, plot, visit_slot
from ryadom.demo.timelines import insert
from ryadom.geo.models import Region, Settlement
from ryadom.institutions.models import (
    AccessLevel,
    Agency,
    Department,
    Institution,
    InstitutionKind,
)
from ryadom.institutions.services import visiting_hours_add
from ryadom.organisations.models import Agreement, Organisation, OrganisationKind
from ryadom.organisations.services import agreement_create, organisation_register
from ryadom.referrals.models import Need, PartnerKind, PartnerMember, PartnerService, Referral
from ryadom.referrals.services import partner_create, partner_member_add, referral_create
from ryadom.veterans.models import Consent, ConsentPurpose, ContactRoute, Proxy, Stay, Veteran
from ryadom.veterans.stays import stay_create
from ryadom.volunteers.models import (
    Availability,
    CheckKind,
    CheckStatus,
    Membership,
    MembershipStatus,
    Volunteer,
)
from ryadom.volunteers.services import check_record

T = datetime.time

DEMO_PASSWORD = "ryadom-demo-2026"  # noqa: S105 - published on purpose: demo accounts only


@dataclass(frozen=True)
class DemoAccount:
    username: str
    role: str
    where: str
    try_this: str


@dataclass
class Anchor:
    """The Moscow places the demo accounts share."""

    moscow: Region
    institution: Institution
    organisation: Organisation
    today: datetime.date


# username: (first name, last name, what to try)
PEOPLE = {
    "federal": ("Ольга", "Смирнова", "/admin/ (everything), /api/v1/me"),
    "observer": ("Игорь", "Волков", "/api/v1/institutions, /api/v1/me"),
    "coord-moscow": ("Анна", "Кузнецова", "/api/v1/veterans, /api/v1/volunteers"),
    "coord-rostov": ("Дмитрий", "Орлов", "the same, and see that Moscow is not there"),
    "coord-kursk": ("Елена", "Павлова", "/aftercare/: hand-overs home from Moscow, contacts due"),
    "liaison": ("Марина", "Соколова", "/api/v1/veterans (own hospital only)"),
    "ngo": ("Екатерина", "Лебедева", "/api/v1/volunteers (own NGO's members)"),
    "volunteer": ("Алексей", "Морозов", "/api/v1/me, /api/v1/volunteers (self)"),
    "veteran": ("Сергей", "Васильев", "/api/v1/veterans (self)"),
    "relative": ("Наталья", "Васильева", "/api/v1/veterans (the veteran she acts for)"),
    "partner-employment": (
        "Ирина",
        "Андреева",
        "/partner/: referrals to a Moscow employment centre, answer one",
    ),
}
PARTNER_ROLE = "Partner's staff member"


@transaction.atomic
def ensure_demo_accounts(*, today: datetime.date | None = None) -> list[DemoAccount]:
    """Create or refresh the demo accounts; returns what to print for the operator."""
    anchor = _anchor(today or timezone.localdate())
    now = timezone.now() if today is None else _noon(today)
    password = make_password(DEMO_PASSWORD)  # hashed once for all the accounts
    users = {name: _user(name, password) for name in PEOPLE}
    accounts = _staff_roles(users, anchor)
    volunteer = _volunteer(users["volunteer"], anchor)
    _cleared(volunteer, User.objects.get(pk=users["ngo"].pk), anchor.today)
    veteran = _veteran(users["veteran"], users["liaison"], anchor)
    _relative(users["relative"], veteran, users["liaison"])
    _requests(volunteer, veteran, users["liaison"], anchor, now)
    _coordinators_own_their_regions(users)
    _staff_opened(veteran, users["coord-moscow"], volunteer)
    entitlements.for_demo_accounts(
        veteran=veteran, relative=users["relative"], coordinator=users["coord-moscow"]
    )
    partner = _partner_staff(users["partner-employment"], users["coord-moscow"], anchor.moscow)
    ensure_demo_referrals(users=users, now=now)
    _partner_has_work(partner, users["coord-moscow"])
    where = f"{veteran.addressed_as}, in {anchor.institution.name}"
    accounts += [
        _self_role(users["volunteer"], Role.VOLUNTEER, f"member of {anchor.organisation.name}"),
        _self_role(users["veteran"], Role.VETERAN, where),
        _self_role(users["relative"], Role.RELATIVE, f"may act for {veteran.addressed_as}"),
        DemoAccount(
            "partner-employment", PARTNER_ROLE, partner.name, PEOPLE["partner-employment"][2]
        ),
    ]
    return accounts


def _partner_staff(user: User, coordinator: User, moscow: Region) -> PartnerService:
    """A regular partner's account: a member of Moscow's employment centre (the demo data's,
    or one made here on an empty database), added by the Moscow coordinator."""
    partner = (
        PartnerService.objects.filter(region=moscow, kind=PartnerKind.EMPLOYMENT)
        .order_by("pk")
        .first()
    )
    if partner is None:
        partner = partner_create(
            actor=None,
            name="Центр занятости населения, г. Москва",
            kind=PartnerKind.EMPLOYMENT,
            region=moscow,
            contact_person="Ирина Андреева",
            email="employment-77@example.org",
            offers="Подбор вакансий, профессиональное обучение и переобучение.",
        )
    active = PartnerMember.objects.filter(user=user, partner=partner, is_active=True)
    if not active.exists():
        partner_member_add(actor=coordinator, user=user, partner=partner)
    return partner


def _partner_has_work(partner: PartnerService, coordinator: User) -> None:
    """A fresh referral waiting for the partner's answer, when the demo's referrals sent it
    none: the first Moscow patient who agreed to share their details with partners."""
    if Referral.objects.filter(partner=partner).exists():
        return
    consenting = Consent.objects.filter(
        purpose=ConsentPurpose.PARTNER, withdrawn_at__isnull=True
    ).values("veteran_id")
    stays = Stay.objects.filter(
        discharged_on__isnull=True, institution__region=partner.region, veteran_id__in=consenting
    ).select_related("veteran")
    for stay in stays.order_by("pk")[:5]:
        try:
            referral_create(
                actor=coordinator,
                veteran=stay.veteran,
                partner=partner,
                need=Need.WORK,
                note="Ищет работу рядом с домом, есть права категории B.",
                share_phone=True,
            )
        except ApplicationError:
            continue  # not this coordinator's patient: the next one
        return


def _user(username: str, password: str) -> User:
    first, last, _try = PEOPLE[username]
    user, _created = User.objects.get_or_create(
        username=username,
        defaults={"first_name": first, "last_name": last, "email": f"{username}@example.org"},
    )
    # Reset every time, so that the table printed afterwards is true.
    user.password, user.is_active = password, True
    if username == "federal":
        user.is_staff = user.is_superuser = True  # the admin back office is the federal tool
    user.save(update_fields=["password", "is_active", "is_staff", "is_superuser"])
    return user


def _staff_roles(users: dict[str, User], anchor: Anchor) -> list[DemoAccount]:
    rostov = Region.objects.get(code="61")
    kursk = Region.objects.get(code="46")
    mod = Agency.objects.get(code="mod")
    scoped = [
        ("federal", Role.FEDERAL_COORDINATOR, None, "the whole country"),
        ("observer", Role.AGENCY_OBSERVER, mod.pk, mod.name_ru),
        ("coord-moscow", Role.REGIONAL_COORDINATOR, anchor.moscow.pk, anchor.moscow.name_ru),
        ("coord-rostov", Role.REGIONAL_COORDINATOR, rostov.pk, rostov.name_ru),
        ("coord-kursk", Role.REGIONAL_COORDINATOR, kursk.pk, kursk.name_ru),
        ("liaison", Role.INSTITUTION_LIAISON, anchor.institution.pk, anchor.institution.name),
        ("ngo", Role.NGO_MANAGER, anchor.organisation.pk, anchor.organisation.name),
    ]
    accounts = []
    for username, role, scope_id, where in scoped:
        role_assign(actor=None, user=users[username], role=role, scope_id=scope_id)
        accounts.append(DemoAccount(username, str(Role(role).label), where, PEOPLE[username][2]))
    return accounts


def _self_role(user: User, role: str, where: str) -> DemoAccount:
    role_assign(actor=None, user=user, role=role)
    return DemoAccount(user.username, str(Role(role).label), where, PEOPLE[user.username][2])


def _anchor(today: datetime.date) -> Anchor:
    moscow = Region.objects.get(code="77")
    institution = _moscow_institution(moscow)
    return Anchor(moscow, institution, _moscow_organisation(moscow, institution, today), today)


def _moscow_town(moscow: Region) -> Settlement:
    town = Settlement.objects.filter(region=moscow).order_by("-is_centre", "pk").first()
    if town is None:
        raise LookupError("Moscow has no settlements; run `ryadom migrate` first.")
    return town


def _moscow_institution(moscow: Region) -> Institution:
    """The first Moscow military hospital, else the first Moscow hospital, else a new one."""
    hospitals = Institution.objects.filter(region=moscow, is_active=True).order_by("pk")
    found = (
        hospitals.filter(kind=InstitutionKind.MILITARY_HOSPITAL).first()
        or hospitals.filter(kind=InstitutionKind.CIVILIAN_HOSPITAL).first()
    )
    return found or _create_institution(moscow)


def _create_institution(moscow: Region) -> Institution:
    town = _moscow_town(moscow)
    kind = InstitutionKind.MILITARY_HOSPITAL
    institution = Institution(
        name="Военный клинический госпиталь №7",
        kind=kind,
        agency=Agency.objects.get(code="mod"),
        region=moscow,
        settlement=town,
        address="г. Москва, ул. Садовая, д. 7",
        access_level=AccessLevel.SCREENING,
        volunteer_rules=words.RULES["screening"],
        lat=town.lat,
        lon=town.lon,
    )
    full_clean_or_raise(institution)
    institution.save()
    for name in words.WARDS_HOSPITAL[:4]:
        Department.objects.create(institution=institution, name=name)
    for day, start, end in VISITING_HOURS[kind]:
        visiting_hours_add(
            actor=None,
            institution=institution,
            weekday=day,
            starts=datetime.time(start),
            ends=datetime.time(end),
        )
    return institution


def _moscow_organisation(
    moscow: Region, institution: Institution, today: datetime.date
) -> Organisation:
    """An NGO serving Moscow with an agreement valid today with the institution."""
    agreement = (
        Agreement.objects.valid_on(today)
        .filter(institution=institution, organisation__is_active=True)
        .filter(organisation__regions=moscow)
        .select_related("organisation")
        .order_by("pk")
        .first()
    )
    if agreement is not None:
        return agreement.organisation
    organisation = Organisation.objects.filter(regions=moscow, is_active=True).order_by(
        "pk"
    ).first() or _create_organisation(moscow)
    agreement_create(
        actor=None,
        organisation=organisation,
        institution=institution,
        valid_from=today - datetime.timedelta(days=180),
        number="ДЕМО-1",
    )
    return organisation


def _create_organisation(moscow: Region) -> Organisation:
    taken: set[str] = set()
    for inn, ogrn in Organisation.objects.values_list("inn", "ogrn"):
        taken |= {inn, ogrn}
    rng = random.Random(DEMO_PASSWORD)  # noqa: S311 - a repeatable INN, not a secret
    services = sorted(ServiceType.objects.filter(is_active=True), key=lambda s: s.code)
    return organisation_register(
        actor=None,
        name="АНО «Рядом с героем»",
        inn=company_inn(rng, moscow.code, taken),
        ogrn=company_ogrn(rng, moscow.code, 2019, taken),
        kind=OrganisationKind.ANO,
        home_region=moscow,
        regions=[moscow],
        service_types=services[:8],
        weekly_capacity=40,
    )


def _volunteer(user: User, anchor: Anchor) -> Volunteer:
    """A Moscow volunteer, an approved member of the demo NGO."""
    volunteer = Volunteer.objects.filter(user=user).first()
    if volunteer is None:
        town = _moscow_town(anchor.moscow)
        volunteer = Volunteer(
            user=user,
            region=anchor.moscow,
            settlement=town,
            gender="m",
            birth_year=1994,
            languages=["ru", "en"],
            travel_radius_km=15,
            weekly_task_cap=3,
            lat=town.lat,
            lon=town.lon,
        )
        full_clean_or_raise(volunteer)
        volunteer.save()
        volunteer.skills.set(Skill.objects.filter(code__in=["driving", "tech"]))
        volunteer.interests.set(ServiceType.objects.filter(code__startswith="purchases."))
        Availability.objects.bulk_create(
            [
                Availability(volunteer=volunteer, weekday=1, starts=T(18), ends=T(21)),
                Availability(volunteer=volunteer, weekday=5, starts=T(10), ends=T(14)),
            ]
        )
    membership, _created = Membership.objects.get_or_create(
        volunteer=volunteer, organisation=anchor.organisation
    )
    if membership.status != MembershipStatus.APPROVED:
        membership.status, membership.decided_at = MembershipStatus.APPROVED, timezone.now()
        membership.save(update_fields=["status", "decided_at"])
    return volunteer


def _cleared(volunteer: Volunteer, manager: User, today: datetime.date) -> None:
    """Every check the demo hospital (a military one, with screening) asks, recorded by the
    demo NGO's manager through the service, the screening step by step. Once."""
    held = dict(volunteer.checks.values_list("kind", "status"))
    year = today + datetime.timedelta(days=365)
    steps = [
        (CheckKind.IDENTITY, CheckStatus.PASSED, None, ""),
        (CheckKind.AGREEMENT, CheckStatus.PASSED, None, ""),
        (CheckKind.TRAINING, CheckStatus.PASSED, year, words.TRAINING_COURSES[0]),
        # Runs out within the month: the checklist and the morning sweep warn about it.
        (CheckKind.MEDICAL, CheckStatus.PASSED, today + datetime.timedelta(days=20), ""),
        (CheckKind.SCREENING, CheckStatus.REQUESTED, None, ""),
        (CheckKind.SCREENING, CheckStatus.IN_PROGRESS, None, ""),
        (CheckKind.SCREENING, CheckStatus.PASSED, year, ""),
    ]
    for kind, status, until, detail in steps:
        if held.get(kind) == CheckStatus.PASSED:
            continue
        check_record(
            actor=manager,
            volunteer=volunteer,
            kind=kind,
            status=status,
            valid_until=until,
            detail=detail,
        )


def _veteran(user: User, liaison: User, anchor: Anchor) -> Veteran:
    """A veteran with their own account and a current stay in the demo hospital."""
    veteran = Veteran.objects.filter(user=user).first()
    if veteran is None:
        veteran = Veteran(
            user=user,
            addressed_as="Сергей Николаевич",
            gender="m",
            home_region=anchor.moscow,
            contact_route=ContactRoute.OWN_PHONE,
            phone="+7 900 000-00-01",
            what_matters="Болеет за «Спартак» — с ним можно поговорить о футболе.",
            mobility_needs="Ходит с костылями, на лестнице нужна страховка.",
        )
        full_clean_or_raise(veteran)
        veteran.save()
    if not veteran.stays.filter(discharged_on__isnull=True).exists():
        # After any earlier stay has ended: stays of one person never overlap.
        last_end = veteran.stays.aggregate(end=Max("discharged_on"))["end"]
        admitted = anchor.today - datetime.timedelta(days=12)
        stay_create(
            actor=None,
            veteran=veteran,
            institution=anchor.institution,
            department=anchor.institution.departments.order_by("pk").first(),
            admitted_on=max(admitted, last_end) if last_end else admitted,
        )
    _consent(veteran, ConsentPurpose.CARE, given_by=user, recorded_by=liaison)
    return veteran


def _relative(user: User, veteran: Veteran, liaison: User) -> Proxy:
    """The veteran's wife, who may act for him, with his consent to that."""
    proxy, _created = Proxy.objects.update_or_create(
        veteran=veteran, user=user, defaults={"relation": "жена", "may_act": True}
    )
    _consent(veteran, ConsentPurpose.PROXY, given_by=veteran.user, recorded_by=liaison)
    return proxy


def _consent(veteran: Veteran, purpose: str, *, given_by: User | None, recorded_by: User) -> None:
    active = Consent.objects.filter(veteran=veteran, purpose=purpose, withdrawn_at__isnull=True)
    if not active.exists():
        Consent.objects.create(
            veteran=veteran,
            purpose=purpose,
            given_by=given_by,
            recorded_by=recorded_by,
            given_at=timezone.now(),
        )


def _noon(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, T(12), tzinfo=timezone.get_default_timezone())


def _requests(
    volunteer: Volunteer, veteran: Veteran, liaison: User, anchor: Anchor, now: datetime.datetime
) -> None:
    """The demo volunteer's visits for the demo veteran: three done and confirmed, one
    planned; and a new request of the veteran in the Moscow coordinator's queue. Once."""
    if CareRequest.objects.filter(Q(volunteer=volunteer) | Q(veteran=veteran)).exists():
        return
    rng = random.Random(DEMO_PASSWORD)  # noqa: S311 - repeatable demo data, not secrets
    services = {s.code: s for s in ServiceType.objects.filter(is_active=True)}
    helper = (
        anchor.organisation.pk,
        Member(volunteer.pk, volunteer.user_id, anchor.today, volunteer.gender),
    )
    stay = veteran.stays.get(discharged_on__isnull=True)
    admitted = datetime.datetime.combine(stay.admitted_on, T(12), tzinfo=datetime.UTC)

    def story(code: str, created: datetime.datetime) -> Story:
        return Story(
            institution=anchor.institution,
            zone=anchor.moscow.zone,
            department_id=stay.department_id,
            veteran_id=veteran.pk,
            service=services[code],
            urgency=Urgency.NORMAL,
            channel=Channel.WEB,
            asker_id=veteran.user_id,
            requester_name="",
            answerer_id=veteran.user_id or liaison.pk,
            created=max(created, admitted),
            veteran=veteran,
        )

    def may_take(helper: Helper, day: datetime.date) -> bool:
        # The rest of the rule (checks) holds: `_cleared` ran; `insert` asks the rule itself.
        agreed = Agreement.objects.valid_on(day).filter(institution=anchor.institution)
        return agreed.filter(organisation_id=helper[0]).exists()

    done = []
    # Old enough and of short standards, so that the visits are over whatever the weekday.
    for days, code in ((11, "purchases.groceries"), (9, "tech.phone"), (7, "family.video_call")):
        done.append(story(code, now - datetime.timedelta(days=days)))
        plot(rng, done[-1], candidates=[helper], may_take=may_take)
        _kept_and_thanked(done[-1])
    planned = story("purchases.clothing", now - datetime.timedelta(hours=3))
    plot(rng, planned, candidates=[helper], may_take=may_take)
    planned.visit = visit_slot(rng, planned, earliest=now + datetime.timedelta(days=1))
    planned.triaged, planned.taken, planned.scheduled = (
        planned.created + datetime.timedelta(minutes=m) for m in (20, 40, 60)
    )
    planned.cancelled = planned.checked_in = planned.completed = planned.confirmed = None
    fresh = story("leisure.reading", now - datetime.timedelta(minutes=30))
    fresh.details = "Принести что-нибудь почитать: про историю флота."
    rows = insert(Loader(out=io.StringIO()), [*done, planned, fresh], now)
    for request in rows.requests:
        request_changed(request.pk)  # the dashboards count them once the worker runs


def _staff_opened(veteran: Veteran, coordinator: User, volunteer: Volunteer) -> None:
    """The history above is inserted, not lived through the pages, so nobody has read it yet:
    the coordinator opens each of the veteran's requests and the volunteer their own, through
    the audited selector, and the veteran's access log shows who did. Once."""
    if AuditEvent.objects.filter(veteran_id=veteran.pk, action="request.viewed").exists():
        return
    for request in CareRequest.objects.filter(veteran=veteran).order_by("pk"):
        readers = [coordinator] + ([volunteer.user] if request.volunteer_id == volunteer.pk else [])
        for reader in readers:
            if request_list(actor=reader).filter(pk=request.pk).exists():
                request_get_for_user(actor=reader, request_id=request.pk)


def _kept_and_thanked(story: Story) -> None:
    """A demo story that went well: not cancelled, confirmed with thanks."""
    if story.completed is None:
        return
    story.cancelled, story.cancel_note = None, ""
    story.confirmed = story.completed + datetime.timedelta(hours=3)
    gender = story.member.gender if story.member else "m"
    story.respectful, story.rating = True, 5
    story.comment = words.form(words.FEEDBACK_GOOD[0], gender)


def _coordinators_own_their_regions(users: dict[str, User]) -> None:
    """Requests of Moscow and Rostov without an owner go to the demo coordinators (as new
    requests do once a region has a coordinator)."""
    for username, code in (("coord-moscow", "77"), ("coord-rostov", "61")):
        CareRequest.objects.filter(region__code=code, coordinator__isnull=True).update(
            coordinator=users[username]
        )
