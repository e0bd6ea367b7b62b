"""Importing volunteers of a region joining: only those who gave consent, which is recorded.

The key is the phone or the e-mail a volunteer signs in with. A region brings tens of
thousands of people at once, so new volunteers are written in bulk (users, profiles, the
volunteer role, skills, interests, the NGO membership, the consent and the audit rows: a
handful of inserts per thousand rows), with the same limits the profile page applies
(`volunteers/services.py::volunteer_profile_save` and the model's constraints).
"""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Iterable, Iterator
from typing import Any

from django.contrib.auth.hashers import UNUSABLE_PASSWORD_PREFIX
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl

from ryadom.accounts.models import AddressKind, Role, RoleAssignment, ScopeKind, User
from ryadom.accounts.scopes import Scope
from ryadom.audit.services import audit_event, audit_record, audit_record_many
from ryadom.core.bulk import insert_rows
from ryadom.imports.base import CREATE, UNCHANGED, UPDATE, Kind, Planned, RowError, pick, pick_many
from ryadom.imports.columns import (
    CellError,
    Column,
    Sheet,
    address,
    choice_names,
    day,
    fold,
    integer,
    items,
    text,
    yes_no,
)
from ryadom.imports.models import VolunteerConsent
from ryadom.organisations.models import Organisation
from ryadom.volunteers.models import Gender, Membership, MembershipStatus, Volunteer

CHUNK = 5000
THIS_YEAR = timezone.localdate().year


def gender(value: str) -> str:
    known = {
        **choice_names(Gender),
        "ж": Gender.FEMALE,
        "жен": Gender.FEMALE,
        "м": Gender.MALE,
        "муж": Gender.MALE,
    }
    found = known.get(fold(value))
    if found is None:
        raise CellError(_("Write “ж” or “м” (female or male)."))
    return found


def languages(value: str) -> list[str]:
    codes = [c.lower() for c in items(value.replace(",", ";"))]
    bad = [c for c in codes if not (c.isascii() and c.isalpha() and len(c) in (2, 3))]
    if bad:
        raise CellError(
            _("Languages are two-letter codes such as ru, en, tt: “%(bad)s” is not one.")
            % {"bad": bad[0]}
        )
    return list(dict.fromkeys(codes))


SHEET = Sheet(
    kind="volunteers",
    label=gl("Volunteers"),
    columns=(
        Column("last_name", gl("Last name"), gl("As in the passport"), text(150), True),
        Column("first_name", gl("First name"), gl("As in the passport"), text(150), True),
        Column(
            "phone",
            gl("Phone"),
            gl("+7 900 123-45-67; a phone or an e-mail"),
            address(AddressKind.PHONE),
        ),
        Column(
            "email", gl("E-mail"), gl("A phone or an e-mail is needed"), address(AddressKind.EMAIL)
        ),
        Column("gender", gl("Gender"), gl("ж or м"), gender, True),
        Column("birth_year", gl("Year of birth"), gl("e.g. 1990"), integer(1920, THIS_YEAR - 14)),
        Column("region", gl("Region"), gl("Subject code (77) or name"), text(120), True),
        Column("settlement", gl("Town"), gl("Name of a town of the region"), text(120)),
        Column("skills", gl("Skills"), gl("Codes or names separated by “;”"), text(2000)),
        Column("interests", gl("Interests"), gl("Service codes or names, “;”"), text(5000)),
        Column("languages", gl("Languages"), gl("ru; en; tt"), languages),
        Column(
            "travel_radius_km", gl("Travel radius, km"), gl("1 to 500; empty: 15"), integer(1, 500)
        ),
        Column(
            "weekly_task_cap", gl("Tasks a week at most"), gl("1 to 50; empty: 3"), integer(1, 50)
        ),
        Column("ngo", gl("NGO's INN"), gl("The NGO the volunteer is a member of"), text(12)),
        Column(
            "consent", gl("Consent to personal data processing"), gl("Must be да"), yes_no, True
        ),
        Column("consent_date", gl("Consent date"), gl("31.12.2025"), day, True),
    ),
)
PROFILE = (
    "region_id",
    "settlement_id",
    "gender",
    "birth_year",
    "languages",
    "travel_radius_km",
    "weekly_task_cap",
    "lat",
    "lon",
)


def _unusable() -> str:
    """An unusable password as `set_unusable_password` makes one (imported volunteers sign in
    with a code), from one call to the system's randomness instead of forty."""
    return UNUSABLE_PASSWORD_PREFIX + secrets.token_urlsafe(30)


def chunks(values: list[Any], size: int = CHUNK) -> Iterator[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


class VolunteerImport(Kind):
    sheet = SHEET

    @classmethod
    def may_import(cls, scope: Scope) -> bool:
        return scope.federal or scope.has(Role.REGIONAL_COORDINATOR)

    def prepare(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        phones = sorted({v["phone"] for _n, v in rows if v["phone"]})
        emails = sorted({v["email"] for _n, v in rows if v["email"]})
        self.by_phone: dict[str, int] = {}
        self.by_email: dict[str, int] = {}
        self.ambiguous: set[str] = set()
        for part in chunks(phones):
            for pk, phone in User.objects.filter(phone__in=part).values_list("pk", "phone"):
                self._remember(self.by_phone, phone, pk)
        for part in chunks(emails):
            for pk, email in User.objects.filter(email__in=part).values_list("pk", "email"):
                self._remember(self.by_email, email.lower(), pk)
        self.existing = self._volunteers(set(self.by_phone.values()) | set(self.by_email.values()))
        inns = {v["ngo"] for _n, v in rows if v["ngo"]}
        self.orgs = {o.inn: o.pk for o in Organisation.objects.filter(inn__in=inns)}
        self.seen: dict[str, int] = {}
        # What an unknown name is called in its message, translated once, not on each row.
        self.words = {"region": _("region"), "skill": _("skill"), "service": _("service")}

    def _remember(self, mapping: dict[str, int], key: str, pk: int) -> None:
        if key in mapping and mapping[key] != pk:
            self.ambiguous.add(key)
        mapping[key] = pk

    def _volunteers(self, user_ids: Iterable[int]) -> dict[int, dict[str, Any]]:
        found: dict[int, dict[str, Any]] = {}
        for part in chunks(sorted(user_ids)):
            for v in Volunteer.objects.filter(user_id__in=part).values(
                "pk", "user_id", "user__first_name", "user__last_name", *PROFILE
            ):
                v.update(skills=set(), interests=set(), ngos=set(), consent=None)
                found[v["user_id"]] = v
        by_pk = {v["pk"]: v for v in found.values()}
        for part in chunks(sorted(by_pk)):
            for vid, sid in Volunteer.skills.through.objects.filter(
                volunteer_id__in=part
            ).values_list("volunteer_id", "skill_id"):
                by_pk[vid]["skills"].add(sid)
            for vid, sid in Volunteer.interests.through.objects.filter(
                volunteer_id__in=part
            ).values_list("volunteer_id", "servicetype_id"):
                by_pk[vid]["interests"].add(sid)
            for vid, oid in Membership.objects.filter(volunteer_id__in=part).values_list(
                "volunteer_id", "organisation_id"
            ):
                by_pk[vid]["ngos"].add(oid)
            for vid, given in VolunteerConsent.objects.filter(volunteer_id__in=part).values_list(
                "volunteer_id", "given_on"
            ):
                by_pk[vid]["consent"] = given
        return found

    def _user_id(self, row: int, values: dict[str, Any]) -> int | None:
        phone, email = values["phone"], values["email"]
        if not phone and not email:
            raise RowError(
                "phone", _("A phone or an e-mail is needed: the volunteer signs in with it.")
            )
        for key, value in (("phone", phone), ("email", email)):
            if value and value in self.seen:
                raise RowError(
                    key, _("The same address is on row %(row)d.") % {"row": self.seen[value]}
                )
            if value in self.ambiguous:
                raise RowError(
                    key, _("Several accounts have this address; fix it in the back office first.")
                )
        for value in (phone, email):
            if value:
                self.seen[value] = row
        by_phone, by_email = self.by_phone.get(phone or ""), self.by_email.get(email or "")
        if by_phone and by_email and by_phone != by_email:
            raise RowError("email", _("This phone and this e-mail belong to two different people."))
        return by_phone or by_email

    def plan(self, row: int, values: dict[str, Any]) -> Planned:
        user_id = self._user_id(row, values)
        if not values["consent"]:
            raise RowError("consent", _("Only volunteers who gave their consent are imported."))
        region = pick(self.refs.regions, values["region"], "region", self.words["region"])
        self.region_or_refuse(region, "region")
        settlement = None
        if values["settlement"]:
            settlement = self.refs.settlements.get((region.pk, fold(values["settlement"])))
            if settlement is None:
                raise RowError(
                    "settlement",
                    _("There is no town “%(town)s” in %(region)s.")
                    % {"town": values["settlement"], "region": region.name},
                )
        ngo = None
        if values["ngo"]:
            ngo = self.orgs.get(values["ngo"])
            if ngo is None:
                raise RowError("ngo", _("No NGO has this INN: import the NGO first."))
        home = settlement if settlement is not None and settlement.lat is not None else region
        record = {
            "region_id": region.pk,
            "settlement_id": settlement.pk if settlement else None,
            "gender": values["gender"],
            "birth_year": values["birth_year"],
            "languages": values["languages"] or ["ru"],
            "travel_radius_km": values["travel_radius_km"] or 15,
            "weekly_task_cap": values["weekly_task_cap"] or 3,
            "lat": home.lat,
            "lon": home.lon,
            "user__first_name": values["first_name"],
            "user__last_name": values["last_name"],
            "skills": set(
                pick_many(self.refs.skills, values["skills"] or "", "skills", self.words["skill"])
            ),
            "interests": set(
                pick_many(
                    self.refs.services,
                    values["interests"] or "",
                    "interests",
                    self.words["service"],
                )
            ),
            "ngos": {ngo} if ngo else set(),
            "consent": values["consent_date"],
            "user_id": user_id,
            "phone": values["phone"] or "",
            "email": values["email"] or "",
        }
        old = self.existing.get(user_id) if user_id else None
        if old is None:
            return Planned(row, CREATE, record)
        self.region_or_refuse(old["region_id"], "region")
        if (old["region_id"], old["settlement_id"]) == (
            record["region_id"],
            record["settlement_id"],
        ):
            record["lat"], record["lon"] = old["lat"], old["lon"]
        changes = {
            k: [_plain(old[k]), _plain(record[k])]
            for k in (
                *PROFILE,
                "user__first_name",
                "user__last_name",
                "skills",
                "interests",
                "consent",
            )
            if self.given(_column(k)) and old[k] != record[k]
        }
        if record["ngos"] - old["ngos"]:
            changes["ngos"] = [sorted(old["ngos"]), sorted(old["ngos"] | record["ngos"])]
        if not changes:
            return Planned(row, UNCHANGED)
        record["pk"] = old["pk"]
        return Planned(row, UPDATE, record, changes)

    def apply(self, planned: list[Planned]) -> None:
        creates = [p.data for p in planned if p.action == CREATE]
        updates = [p for p in planned if p.action == UPDATE]
        with transaction.atomic():
            if creates:
                self._create(creates)
            for p in updates:
                self._update(p)

    def _create(self, records: list[dict[str, Any]]) -> None:
        now = timezone.now()
        fresh = [r for r in records if r["user_id"] is None]
        wanted = [r["phone"] or r["email"] for r in fresh]
        taken = set()
        for part in chunks(wanted):
            taken |= set(User.objects.filter(username__in=part).values_list("username", flat=True))
        users = []
        for r in fresh:
            name = r["phone"] or r["email"]
            name = name if name not in taken else f"user-{secrets.token_hex(6)}"
            taken.add(name)
            users.append(
                (name, r["phone"], r["email"], r["user__first_name"], r["user__last_name"])
            )
        user_ids = insert_rows(
            User,
            ("username", "phone", "email", "first_name", "last_name", "password", "date_joined"),
            ((*user, _unusable(), now) for user in users),
            returning_ids=True,
        )
        for r, user_id in zip(fresh, user_ids, strict=True):
            r["user_id"] = user_id
        volunteer_ids = insert_rows(
            Volunteer,
            ("user_id", "created_at", *PROFILE),
            ((r["user_id"], now, *(r[k] for k in PROFILE)) for r in records),
            returning_ids=True,
        )
        role = ("user_id", "role", "scope_kind")
        insert_rows(RoleAssignment, role, ((i, Role.VOLUNTEER, ScopeKind.SELF) for i in user_ids))
        # An account that was there may hold the role already.
        made = set(user_ids)
        RoleAssignment.objects.bulk_create(
            [
                RoleAssignment(user_id=r["user_id"], role=Role.VOLUNTEER, scope_kind=ScopeKind.SELF)
                for r in records
                if r["user_id"] not in made
            ],
            ignore_conflicts=True,
        )
        pairs = list(zip(volunteer_ids, records, strict=True))
        self._links(pairs, now)
        audit_record_many(
            [
                audit_event(
                    actor=self.actor,
                    action="volunteer.imported",
                    target=Volunteer(pk=pk),
                    region_id=r["region_id"],
                    changes=_created(r),
                )
                for pk, r in pairs
            ]
        )

    def _links(self, pairs: list[tuple[int, dict[str, Any]]], now: datetime.datetime) -> None:
        """The new volunteers' skills, interests, membership and consent: all new rows."""
        insert_rows(
            Volunteer.skills.through,
            ("volunteer_id", "skill_id"),
            ((pk, s) for pk, r in pairs for s in r["skills"]),
        )
        insert_rows(
            Volunteer.interests.through,
            ("volunteer_id", "servicetype_id"),
            ((pk, s) for pk, r in pairs for s in r["interests"]),
        )
        insert_rows(
            Membership,
            ("volunteer_id", "organisation_id", "status", "requested_at", "decided_at"),
            ((pk, o, MembershipStatus.APPROVED, now, now) for pk, r in pairs for o in r["ngos"]),
        )
        insert_rows(
            VolunteerConsent,
            ("volunteer_id", "given_on", "batch_id", "recorded_at"),
            ((pk, r["consent"], self.batch_id, now) for pk, r in pairs),
        )

    def _update(self, p: Planned) -> None:
        r, pk, now = p.data, p.data["pk"], timezone.now()
        profile = {k: r[k] for k in PROFILE if k in p.changes}
        if profile:
            Volunteer.objects.filter(pk=pk).update(**profile)
        names = {
            k.removeprefix("user__"): r[k]
            for k in ("user__first_name", "user__last_name")
            if k in p.changes
        }
        if names:
            User.objects.filter(volunteer__pk=pk).update(**names)
        volunteer = Volunteer(pk=pk)
        if "skills" in p.changes:
            volunteer.skills.set(r["skills"])
        if "interests" in p.changes:
            volunteer.interests.set(r["interests"])
        if "consent" in p.changes:
            VolunteerConsent.objects.update_or_create(
                volunteer_id=pk,
                defaults={"given_on": r["consent"], "batch_id": self.batch_id, "recorded_at": now},
            )
        if "ngos" in p.changes:
            self._links_ngos(pk, r["ngos"], now)
        audit_record(
            actor=self.actor,
            action="volunteer.updated",
            target=volunteer,
            region_id=r["region_id"],
            changes=p.changes,
        )

    def _links_ngos(self, pk: int, ngos: set[int], now: datetime.datetime) -> None:
        for organisation_id in ngos:
            Membership.objects.update_or_create(
                volunteer_id=pk,
                organisation_id=organisation_id,
                defaults={"status": MembershipStatus.APPROVED, "decided_at": now},
            )


def _column(key: str) -> str:
    return {
        "region_id": "region",
        "settlement_id": "settlement",
        "lat": "settlement",
        "lon": "settlement",
        "user__first_name": "first_name",
        "user__last_name": "last_name",
        "consent": "consent_date",
    }.get(key, key)


def _plain(value: Any) -> Any:
    if isinstance(value, set):
        return sorted(value)
    if isinstance(value, datetime.date):
        return value.isoformat()
    return value


def _created(r: dict[str, Any]) -> dict[str, Any]:
    return {
        "region": r["region_id"],
        "gender": r["gender"],
        "ngos": sorted(r["ngos"]),
        "consent": "yes",
        "consent_given_on": r["consent"].isoformat(),
    }
