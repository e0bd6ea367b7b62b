"""The small demo as the tests make it: one seed, one day."""

from __future__ import annotations

import datetime
import io
import zoneinfo
from typing import Any

from django.db.models import Model

from ryadom.accounts.models import RoleAssignment, User
from ryadom.care.models import CareRequest, Complaint, Event, Feedback, Visit
from ryadom.demo.generate import generate
from ryadom.demo.plan import SCALES
from ryadom.institutions.models import Institution, VisitingHours
from ryadom.openings.models import Application, Opening
from ryadom.organisations.models import Agreement, Organisation, OrganisationStatus
from ryadom.veterans.models import Consent, Proxy, Stay, Veteran
from ryadom.volunteers.models import Availability, Check, Membership, Volunteer

TODAY = datetime.date(2026, 11, 22)
SMALL = SCALES["small"]
MOSCOW = zoneinfo.ZoneInfo("Europe/Moscow")
# The generation's "now": the midnight that began TODAY in Moscow.
NOW = datetime.datetime.combine(TODAY, datetime.time(0), tzinfo=MOSCOW)


def make_small(seed: int = 20261122) -> str:
    out = io.StringIO()
    generate(plan=SMALL, seed=seed, today=TODAY, out=out)
    return out.getvalue()


# What is compared between runs: every generated table by natural keys, since ids and
# "now" timestamps (audit rows, auto_now_add on hand-made rows) differ from run to run.
FINGERPRINT: dict[str, tuple[type[Model], str]] = {
    "institutions": (
        Institution,
        "name kind agency__code region__code settlement__name_ru address access_level "
        "volunteer_rules contact_name contact_phone contact_email lat lon",
    ),
    "departments": (Institution, "address departments__name"),
    "hours": (VisitingHours, "institution__address weekday starts ends"),
    "organisations": (
        Organisation,
        "inn ogrn name kind home_region__code weekly_capacity phone email website",
    ),
    "served": (Organisation, "inn regions__code service_types__code"),
    "statuses": (OrganisationStatus, "organisation__inn kind valid_from valid_to"),
    "agreements": (
        Agreement,
        "organisation__inn institution__address valid_from valid_to number",
    ),
    "users": (User, "username first_name last_name email phone date_joined"),
    "roles": (RoleAssignment, "user__username role scope_kind"),
    "volunteers": (
        Volunteer,
        "user__username region__code settlement__name_ru gender birth_year languages "
        "travel_radius_km weekly_task_cap is_veteran is_veteran_relative lat lon created_at",
    ),
    "skills": (Volunteer, "user__username skills__code interests__code"),
    "availability": (Availability, "volunteer__user__username weekday starts ends"),
    "memberships": (
        Membership,
        "volunteer__user__username organisation__inn status requested_at decided_at",
    ),
    "veterans": (
        Veteran,
        "addressed_as user__username gender home_region__code contact_route phone "
        "what_matters communication_needs mobility_needs preferred_helper_gender created_at",
    ),
    "stays": (
        Stay,
        "veteran__addressed_as institution__address department__name admitted_on "
        "discharged_on transferred_from__admitted_on",
    ),
    "proxies": (Proxy, "veteran__addressed_as user__username relation may_act created_at"),
    "consents": (
        Consent,
        "veteran__addressed_as purpose given_by__username recorded_by__username given_at "
        "withdrawn_at",
    ),
    "requests": (
        CareRequest,
        "created_at institution__address department__name veteran__addressed_as "
        "service_type__code details urgency channel requested_by__username requester_name "
        "status organisation__inn volunteer__user__username deadline escalation_level "
        "updated_at",
    ),
    "events": (
        Event,
        "request__created_at request__institution__address at actor__username action "
        "from_status to_status note",
    ),
    "visits": (
        Visit,
        "request__created_at volunteer__user__username starts ends checked_in_at "
        "checked_out_at outcome",
    ),
    "feedback": (
        Feedback,
        "request__created_at given_by__username at done rating respectful comment",
    ),
    "complaints": (Complaint, "request__created_at opened_at answer answered_at upheld"),
    "checks": (
        Check,
        "volunteer__user__username kind status valid_until detail verified_by__username",
    ),
    "openings": (
        Opening,
        "title institution__address organisation__inn posted_by__username recurrence starts_on "
        "ends_on start_time end_time needed",
    ),
    "applications": (
        Application,
        "opening__title opening__institution__address volunteer__user__username status",
    ),
}


def fingerprint() -> dict[str, list[tuple[Any, ...]]]:
    return {
        key: sorted(model._default_manager.values_list(*fields.split()), key=repr)
        for key, (model, fields) in FINGERPRINT.items()
    }
