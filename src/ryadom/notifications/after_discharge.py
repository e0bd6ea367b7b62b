"""What aftercare tells whom: subscribers of its events (aftercare/events.py), run inside the
transaction of the service that published them."""

from __future__ import annotations

from django.conf import settings
from django.db.models import QuerySet

from ryadom.accounts.models import Role, User
from ryadom.aftercare import conf
from ryadom.aftercare.models import DischargePlan, FollowUpContact
from ryadom.notifications.models import ChannelName
from ryadom.notifications.selectors import preference_of
from ryadom.notifications.services import notify
from ryadom.veterans.models import Proxy, ProxyStatus


def _plan_url(plan: DischargePlan) -> str:
    return f"{settings.SITE_URL}/aftercare/plans/{plan.pk}/"


def _deadline(plan: DischargePlan) -> str:
    due = plan.first_contact_due
    return "" if due is None else f"{due.astimezone(plan.home_region.zone):%d.%m.%Y %H:%M}"


def _home_coordinators(plan: DischargePlan) -> QuerySet[User]:
    return User.objects.filter(
        is_active=True,
        roles__role=Role.REGIONAL_COORDINATOR,
        roles__scope_id=plan.home_region_id,
    ).distinct()


def handover_received(*, plan: DischargePlan) -> None:
    """The home coordinator hears of the hand-over; the veteran and their relatives hear who
    their coordinator at home is and how to reach them."""
    owner = plan.owner
    if owner is None:  # a hand-over always names its owner (a CHECK constraint holds it)
        return
    notify(
        recipient=owner,
        kind="handover_received",
        context={
            "institution": plan.stay.institution.name,
            "number": f"#{plan.pk}",
            "deadline": _deadline(plan),
            "url": _plan_url(plan),
        },
        dedupe_key=f"plan:{plan.pk}:handover",
    )
    people = [plan.veteran.user] if plan.veteran.user is not None else []
    people += [
        p.user
        for p in Proxy.objects.filter(veteran=plan.veteran, status=ProxyStatus.APPROVED)
        .select_related("user")
        .order_by("pk")
    ]
    context = {
        "coordinator": owner.get_full_name() or owner.username,
        "region": plan.home_region.name,
        "veteran": plan.veteran.addressed_as,
        "phone": owner.phone or "—",
        "email": owner.email or "—",
        "hours": int(conf.first_contact_within().total_seconds() // 3600),
        "url": f"{settings.SITE_URL}/my/",
    }
    for person in people:
        if person.is_active:
            notify(
                recipient=person,
                kind="home_coordinator_named",
                context=context,
                dedupe_key=f"plan:{plan.pk}:home_coordinator",
            )


def first_contact_overdue(*, plan: DischargePlan) -> None:
    """No first contact by the deadline: the home region's coordinators at level 1, federal
    coordinators at level 2 (urgent, as care's escalations)."""
    if plan.escalation_level >= 2:
        recipients = User.objects.filter(
            roles__role=Role.FEDERAL_COORDINATOR, is_active=True
        ).distinct()
    else:
        recipients = _home_coordinators(plan)
    context = {"number": f"#{plan.pk}", "deadline": _deadline(plan), "url": _plan_url(plan)}
    for user in recipients.order_by("pk"):
        notify(
            recipient=user,
            kind="handover_overdue",
            context=context,
            urgent=True,
            dedupe_key=f"plan:{plan.pk}:overdue:{plan.escalation_level}",
        )


def contact_escalated(*, contact: FollowUpContact) -> None:
    """Three attempts without an answer: the home region's coordinators decide what next."""
    context = {
        "number": f"#{contact.pk}",
        "days": contact.days_after,
        "url": f"{settings.SITE_URL}/aftercare/contacts/{contact.pk}/",
    }
    for user in _home_coordinators(contact.plan).order_by("pk"):
        notify(
            recipient=user,
            kind="followup_unreached",
            context=context,
            dedupe_key=f"contact:{contact.pk}:unreached",
        )


def contact_due(*, contact: FollowUpContact) -> None:
    """A follow-up contact's day: a veteran who linked Telegram is asked how they are there,
    with buttons to answer (the telegram app's); anyone else waits for the call."""
    person = contact.plan.veteran.user
    if person is None or not person.is_active:
        return
    preference = preference_of(user=person)
    if ChannelName.TELEGRAM not in preference.channels or not preference.telegram_chat_id:
        return
    notify(
        recipient=person,
        kind="followup_due",
        context={"veteran": contact.plan.veteran.addressed_as, "days": contact.days_after},
        dedupe_key=f"contact:{contact.pk}:due",
        only_channel=ChannelName.TELEGRAM,
    )


def help_asked(*, contact: FollowUpContact) -> None:
    """The veteran asked for help in Telegram: the contact's owner calls them."""
    owner = contact.owner
    if not owner.is_active:
        return
    notify(
        recipient=owner,
        kind="followup_help_asked",
        context={
            "number": f"#{contact.pk}",
            "url": f"{settings.SITE_URL}/aftercare/contacts/{contact.pk}/",
        },
        urgent=True,
        dedupe_key=f"contact:{contact.pk}:help_asked",
    )
