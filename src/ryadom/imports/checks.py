"""Importing volunteers' checks through the one rule that records them,
`volunteers/services.py::check_record`: who may record a volunteer's checks (their NGO's
managers, liaisons where the NGO works), the screening's steps, expiry dates. The dry run
asks the same function and rolls its write back."""

from __future__ import annotations

import contextlib
import datetime
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as gl

from ryadom.accounts.models import AddressKind, Role
from ryadom.accounts.scopes import Scope
from ryadom.imports.base import CREATE, UNCHANGED, UPDATE, Kind, Planned, RowError
from ryadom.imports.columns import Column, Sheet, address, choice, day, text
from ryadom.volunteers.models import Check, CheckKind, CheckStatus, Volunteer
from ryadom.volunteers.services import check_record

SHEET = Sheet(
    kind="checks",
    label=gl("Checks"),
    columns=(
        Column(
            "phone",
            gl("Phone"),
            gl("The volunteer's, as in the volunteers' file"),
            address(AddressKind.PHONE),
        ),
        Column("email", gl("E-mail"), gl("Where there is no phone"), address(AddressKind.EMAIL)),
        Column("kind", gl("Check"), gl("Identity, training, medical…"), choice(CheckKind), True),
        Column(
            "status",
            gl("Status"),
            gl("Requested, in progress, passed, refused"),
            choice(CheckStatus),
            True,
        ),
        Column(
            "valid_until", gl("Valid until"), gl("31.12.2026; a passed screening needs it"), day
        ),
        Column("detail", gl("Detail"), gl("E.g. the course; empty for a screening"), text(200)),
    ),
)


class _DryRun(Exception):
    """Raised inside the rolled-back block that asks the rule without keeping its write."""


class CheckImport(Kind):
    sheet = SHEET

    @classmethod
    def may_import(cls, scope: Scope) -> bool:
        return scope.has(Role.NGO_MANAGER) or scope.has(Role.INSTITUTION_LIAISON)

    def prepare(self, rows: list[tuple[int, dict[str, Any]]]) -> None:
        phones = {v["phone"] for _n, v in rows if v["phone"]}
        emails = {v["email"] for _n, v in rows if v["email"]}
        volunteers = Volunteer.objects.filter(user__phone__in=phones) | Volunteer.objects.filter(
            user__email__in=emails
        )
        self.volunteers: dict[str, Volunteer] = {}
        for v in volunteers.select_related("user"):
            if v.user.phone:
                self.volunteers[v.user.phone] = v
            if v.user.email:
                self.volunteers[v.user.email.lower()] = v
        self.checks = {
            (c.volunteer_id, c.kind): c
            for c in Check.objects.filter(volunteer__in=set(self.volunteers.values()))
        }
        self.seen: dict[tuple[int, str], int] = {}

    def plan(self, row: int, values: dict[str, Any]) -> Planned:
        if not values["phone"] and not values["email"]:
            raise RowError("phone", _("A phone or an e-mail of the volunteer is needed."))
        volunteer = self.volunteers.get(values["phone"] or "") or self.volunteers.get(
            values["email"] or ""
        )
        if volunteer is None:
            raise RowError(
                "phone" if values["phone"] else "email",
                _("No volunteer has this address: import the volunteer first."),
            )
        key = (volunteer.pk, values["kind"])
        if key in self.seen:
            raise RowError("kind", _("The same check is on row %(row)d.") % {"row": self.seen[key]})
        self.seen[key] = row
        wanted = {
            "status": values["status"],
            "valid_until": values["valid_until"],
            "detail": values["detail"] or "",
        }
        existing = self.checks.get(key)
        if existing is not None and all(getattr(existing, f) == v for f, v in wanted.items()):
            return Planned(row, UNCHANGED)
        record = {"volunteer": volunteer, "kind": values["kind"], **wanted}
        # Recorded by the one check rule and rolled back: the dry run refuses what it refuses.
        with contextlib.suppress(_DryRun), transaction.atomic():
            self._record(record)
            raise _DryRun
        changes = (
            {f: [str(getattr(existing, f) or ""), str(v or "")] for f, v in wanted.items()}
            if existing
            else {}
        )
        return Planned(row, UPDATE if existing else CREATE, record, changes)

    def _record(self, r: dict[str, Any]) -> None:
        valid_until: datetime.date | None = r["valid_until"]
        check_record(
            actor=self.actor,
            volunteer=r["volunteer"],
            kind=r["kind"],
            status=r["status"],
            valid_until=valid_until,
            detail=r["detail"],
        )

    def apply(self, planned: list[Planned]) -> None:
        for p in planned:
            if p.action in (CREATE, UPDATE):
                self._record(p.data)
