"""Private iCalendar feeds (RFC 5545) of planned visits, for a volunteer or an institution.

Times are written in the institution's own time zone (DTSTART;TZID=…) with the matching
VTIMEZONE, so a calendar shows the visit at the right moment wherever its reader is.
A feed leaves our hands (calendar apps sync it to their servers), so it says no more than
a volunteer may know: the service, the place and the ward, the helper's first name; never
the veteran's name or anything about their health.
"""

from __future__ import annotations

import datetime
import hashlib
import secrets
import urllib.parse

import icalendar
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.services import audit_record
from ryadom.care.models import CareRequest, Status, Visit
from ryadom.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from ryadom.institutions.models import Institution
from ryadom.notifications.models import CalendarFeed
from ryadom.volunteers.models import Volunteer

# Past visits stay in the feed this long, so a calendar does not drop this week's at once.
KEEP_PAST = datetime.timedelta(days=30)
PRODID = "-//Ryadom//Visits//RU"


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_url(token: str) -> str:
    return f"{settings.SITE_URL}/calendar/{token}.ics"


# --- who may hold which feed -----------------------------------------------------------------


def feed_owners(
    *, actor: User | AnonymousUser | None
) -> tuple[Volunteer | None, list[Institution]]:
    """The actor's own volunteer record, and the institutions they are the liaison of."""
    scope = scope_of(actor)
    if scope.user_id is None:
        return None, []
    volunteer = (
        Volunteer.objects.filter(user_id=scope.user_id).first()
        if scope.has(Role.VOLUNTEER)
        else None
    )
    institutions = (
        list(Institution.objects.filter(pk__in=scope.institution_ids).order_by("name", "pk"))
        if scope.has(Role.INSTITUTION_LIAISON)
        else []
    )
    return volunteer, institutions


def feed_owner_chosen(*, actor: User, owner: str) -> tuple[Volunteer | None, Institution | None]:
    """The owner a new feed is for, from the page's choice: "volunteer" (the actor's own
    record) or "institution:<id>" (one they are the liaison of); anything else is not found."""
    volunteer, institutions = feed_owners(actor=actor)
    if owner.startswith("institution:"):
        chosen = owner.split(":", 1)[1]
        institution = next((i for i in institutions if str(i.pk) == chosen), None)
        if institution is None:
            raise NotFoundError("Not found.")
        return None, institution
    if owner != "volunteer" or volunteer is None:
        raise NotFoundError("Not found.")
    return volunteer, None


def feeds_live(*, actor: User | AnonymousUser | None) -> QuerySet[CalendarFeed]:
    """The live feeds the actor may see and revoke: their own and their institutions'."""
    volunteer, institutions = feed_owners(actor=actor)
    q = Q(pk__in=[])
    if volunteer is not None:
        q |= Q(volunteer=volunteer)
    if institutions:
        q |= Q(institution__in=institutions)
    return CalendarFeed.objects.filter(q, revoked_at__isnull=True).select_related(
        "volunteer__user", "institution"
    )


@transaction.atomic
def calendar_feed_issue(
    *,
    actor: User,
    volunteer: Volunteer | None = None,
    institution: Institution | None = None,
) -> tuple[CalendarFeed, str]:
    """A new private address for the feed; the old one stops working. The token is returned
    once and stored only as a hash."""
    if (volunteer is None) == (institution is None):
        raise ApplicationError(_("Choose whose calendar it is."), field="owner")
    own_volunteer, institutions = feed_owners(actor=actor)
    allowed = (
        volunteer is not None and own_volunteer is not None and volunteer.pk == own_volunteer.pk
    ) or (institution is not None and institution.pk in {i.pk for i in institutions})
    if not allowed:
        raise PermissionDeniedError(
            _("You may create a calendar only for yourself or your institution.")
        )
    now = timezone.now()
    owner = Q(volunteer=volunteer) if volunteer is not None else Q(institution=institution)
    # The partial unique index allows one live feed per owner: of two racing issues, the
    # second insert waits for the first and fails rather than leaving two live addresses.
    CalendarFeed.objects.filter(owner, revoked_at__isnull=True).update(revoked_at=now)
    token = secrets.token_urlsafe(32)
    feed = CalendarFeed.objects.create(
        volunteer=volunteer,
        institution=institution,
        token_hash=_hash(token),
        created_by=actor,
        created_at=now,
    )
    audit_record(
        actor=actor,
        action="calendar_feed.issued",
        target=feed,
        region_id=institution.region_id if institution is not None else None,
    )
    return feed, token


@transaction.atomic
def calendar_feed_revoke(*, actor: User, feed_id: int) -> CalendarFeed:
    """Stop a feed's address from working."""
    feed = feeds_live(actor=actor).select_for_update(of=("self",)).filter(pk=feed_id).first()
    if feed is None:
        raise NotFoundError("Not found.")
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    audit_record(actor=actor, action="calendar_feed.revoked", target=feed)
    return feed


# --- the feed itself ---------------------------------------------------------------------------


def feed_by_token(*, token: str) -> CalendarFeed:
    """The live feed with this token, or NotFoundError (unknown and revoked alike)."""
    feed = (
        CalendarFeed.objects.select_related("volunteer__user", "institution__region")
        .filter(token_hash=_hash(token), revoked_at__isnull=True)
        .first()
    )
    if feed is None:
        raise NotFoundError("Not found.")
    # At most once a minute: a feed is polled, and every poll need not write.
    now = timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at > datetime.timedelta(minutes=1):
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    return feed


def _visits(feed: CalendarFeed) -> QuerySet[Visit]:
    visits = Visit.objects.filter(starts__gte=timezone.now() - KEEP_PAST).exclude(
        request__status=Status.CANCELLED
    )
    if feed.volunteer_id is not None:
        visits = visits.filter(
            Q(volunteer_id=feed.volunteer_id)
            | Q(volunteer__isnull=True, request__volunteer_id=feed.volunteer_id)
        )
    else:
        visits = visits.filter(request__institution=feed.institution)
    return visits.select_related(
        "request__service_type",
        "request__institution__region",
        "request__department",
        "request__organisation",
        "volunteer__user",
        "request__volunteer__user",
    ).order_by("starts", "pk")


def _domain() -> str:
    return urllib.parse.urlsplit(settings.SITE_URL).hostname or "ryadom.local"


def _event(visit: Visit, *, for_institution: bool, stamp: datetime.datetime) -> icalendar.Event:
    request: CareRequest = visit.request
    institution = request.institution
    zone = institution.region.zone
    volunteer = visit.volunteer or request.volunteer
    event = icalendar.Event()
    event.add("uid", f"visit-{visit.pk}@{_domain()}")
    event.add("dtstamp", stamp)
    event.add("dtstart", visit.starts.astimezone(zone))
    event.add("dtend", visit.ends.astimezone(zone))
    service = str(request.service_type.name)
    if for_institution:
        who = (volunteer.user.first_name if volunteer else "") or (
            request.organisation.name if request.organisation else ""
        )
        summary = f"{service} — {who}" if who else service
    else:
        summary = f"{service} — {institution.name}"
    event.add("summary", summary)
    place = [institution.name, institution.address]
    if request.department is not None:
        place.append(request.department.name)
    event.add("location", ", ".join(p for p in place if p))
    event.add(
        "description",
        _("Request #%(number)s: %(url)s")
        % {
            "number": request.pk,
            "url": f"{settings.SITE_URL}/requests/{request.pk}/",
        },
    )
    event.add("url", f"{settings.SITE_URL}/requests/{request.pk}/")
    event.add("status", "CONFIRMED")
    return event


def calendar_render(*, feed: CalendarFeed) -> bytes:
    """The feed as an RFC 5545 document."""
    language = feed.volunteer.user.language if feed.volunteer else settings.LANGUAGE_CODE
    with translation.override(language):
        calendar = icalendar.Calendar()
        calendar.add("prodid", PRODID)
        calendar.add("version", "2.0")
        calendar.add("calscale", "GREGORIAN")
        calendar.add("method", "PUBLISH")
        if feed.institution is not None:
            name = _("Ryadom: visits to %(place)s") % {"place": feed.institution.name}
            calendar.add("x-wr-timezone", feed.institution.region.timezone)
        else:
            name = _("Ryadom: my visits")
        calendar.add("x-wr-calname", name)
        stamp = timezone.now().astimezone(datetime.UTC).replace(microsecond=0)
        for visit in _visits(feed):
            calendar.add_component(
                _event(visit, for_institution=feed.institution_id is not None, stamp=stamp)
            )
        # VTIMEZONE for every TZID used, as RFC 5545 asks.
        calendar.add_missing_timezones()
        return calendar.to_ical()
