"""The bot's volunteer side: requests to take, visits, tomorrow's plan, checking in and out."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ryadom.care.lifecycle import Action
from ryadom.care.page_selectors import (
    request_actions,
    volunteer_of,
    volunteer_open_requests,
    volunteer_schedule,
)
from ryadom.care.selectors import request_get_for_action, request_get_for_user
from ryadom.care.services.volunteer_work import request_check_in, request_claim, request_complete
from ryadom.core.errors import ApplicationError
from ryadom.telegram.chat import (
    LIST_LIMIT,
    Chat,
    inline_keyboard,
    place,
    place_and_veteran,
    request_url,
    when,
)


class VolunteerChat(Chat):
    """What a volunteer does from the chat."""

    def _volunteer(self) -> Any:
        volunteer = volunteer_of(actor=self.user)
        if volunteer is None:
            raise ApplicationError(_("This is for volunteers."))
        return volunteer

    def offers(self) -> None:
        volunteer = self._volunteer()
        rows = volunteer_open_requests(actor=self.user, volunteer=volunteer)
        if not rows:
            self.say(_("Nothing waiting near you right now. Thank you for looking."), self.menu())
            return
        for row in rows[:LIST_LIMIT]:
            lines = [
                _("№%(number)s “%(service)s”")
                % {"number": row.pk, "service": row.service_type.name},
                place(row),
                _("Needed by %(when)s") % {"when": when(row.deadline, row.region.zone)},
            ]
            if row.details:
                lines.append(row.details[:300])
            self.say("\n".join(lines), inline_keyboard([(_("Take it"), f"claim:{row.pk}")]))
        if len(rows) > LIST_LIMIT:
            self.say(
                _("There are more on the site: %(url)s")
                % {"url": f"{settings.SITE_URL}/volunteer/"}
            )

    def claim(self, request_id: str) -> None:
        self._volunteer()
        request = request_get_for_action(
            actor=self.user, request_id=int(request_id), action=Action.CLAIM
        )
        request_claim(actor=self.user, request=request)
        self.say(
            _("You took request №%(number)s. Plan the visit on the site: %(url)s")
            % {"number": request.pk, "url": request_url(request)},
            self.menu(),
        )

    def visits(self) -> None:
        volunteer = self._volunteer()
        rows = list(volunteer_schedule(actor=self.user, volunteer=volunteer)[:LIST_LIMIT])
        if not rows:
            self.say(_("No visits planned."), self.menu())
            return
        for row in rows:
            lines = [
                _("№%(number)s “%(service)s”: %(status)s")
                % {
                    "number": row.pk,
                    "service": row.service_type.name,
                    "status": row.get_status_display(),
                },
                place_and_veteran(row),
            ]
            for visit in row.visits.all():
                lines.append(_("Visit: %(when)s") % {"when": when(visit.starts, row.region.zone)})
            actions = request_actions(actor=self.user, request=row)
            buttons = []
            if Action.CHECK_IN in actions:
                buttons.append((_("I have arrived (check in)"), f"in:{row.pk}"))
            if Action.COMPLETE in actions:
                buttons.append((_("Done (check out)"), f"out:{row.pk}"))
            self.say("\n".join(lines), inline_keyboard(buttons) if buttons else None)

    def tomorrow(self) -> None:
        volunteer = self._volunteer()
        found = []
        now = timezone.now()
        for row in volunteer_schedule(actor=self.user, volunteer=volunteer):
            zone = row.region.zone
            tomorrow = now.astimezone(zone).date() + datetime.timedelta(days=1)
            for visit in row.visits.all():
                if visit.starts.astimezone(zone).date() == tomorrow:
                    found.append((visit.starts, visit.ends, row))
        if not found:
            self.say(_("No visits tomorrow."), self.menu())
            return
        lines = [_("Tomorrow:")]
        for starts, ends, row in sorted(found, key=lambda item: item[0]):
            zone = row.region.zone
            lines.append(
                _("%(starts)s–%(ends)s “%(service)s”, %(place)s")
                % {
                    "starts": f"{starts.astimezone(zone):%H:%M}",
                    "ends": f"{ends.astimezone(zone):%H:%M}",
                    "service": row.service_type.name,
                    "place": place_and_veteran(row),
                }
            )
        self.say("\n".join(lines), self.menu())

    def check_in(self, request_id: str) -> None:
        request = request_get_for_user(actor=self.user, request_id=int(request_id))
        request_check_in(actor=self.user, request=request)
        self.say(_("Checked in. Thank you for coming."))

    def check_out(self, request_id: str) -> None:
        request = request_get_for_user(actor=self.user, request_id=int(request_id))
        request_complete(actor=self.user, request=request)
        self.say(_("Checked out. The veteran will be asked to confirm."), self.menu())
