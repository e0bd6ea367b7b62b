"""Reads of veterans and their stays, narrowed to what the actor may see."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, Exists, OuterRef, Q, QuerySet, When
from django.utils.translation import gettext as _

from ryadom.accounts.models import Role, User
from ryadom.accounts.scopes import scope_of
from ryadom.audit.services import audit_record
from ryadom.core.counts import count_subquery
from ryadom.core.errors import ApplicationError, NotFoundError, PermissionDeniedError
from ryadom.institutions.models import Department, Institution
from ryadom.veterans import events
from ryadom.veterans.models import (
    AdmissionClaim,
    ClaimStatus,
    Consent,
    DeletionRequest,
    DeletionStatus,
    Proxy,
    ProxyStatus,
    Stay,
    Veteran,
)
from ryadom.veterans.reads import audited_read


def _current_stay_in(**filters: object) -> Exists:
    return Exists(
        Stay.objects.filter(veteran=OuterRef("pk"), discharged_on__isnull=True, **filters)
    )


def _visible_q(actor: User | AnonymousUser | None) -> Q | None:
    """The filter of veterans the actor may see; None means all of them.

    NGO managers, volunteers and agency observers see no veteran records: they learn what
    they need through requests, on a need-to-know basis.
    """
    scope = scope_of(actor)
    if scope.federal:
        return None
    q = Q(pk__in=[])
    if scope.region_ids and scope.has(Role.REGIONAL_COORDINATOR):
        q |= Q(home_region_id__in=scope.region_ids) | Q(
            _current_stay_in(institution__region_id__in=scope.region_ids)
        )
    if scope.institution_ids and scope.has(Role.INSTITUTION_LIAISON):
        q |= Q(_current_stay_in(institution_id__in=scope.institution_ids))
    if scope.has(Role.VETERAN) and scope.user_id is not None:
        q |= Q(user_id=scope.user_id)
    if scope.has(Role.RELATIVE) and scope.user_id is not None:
        q |= Q(
            Exists(
                Proxy.objects.filter(veteran=OuterRef("pk"), user_id=scope.user_id, may_act=True)
            )
        )
    return q


def veteran_list(*, actor: User | AnonymousUser | None) -> QuerySet[Veteran]:
    """Veterans the actor may see, newest first."""
    # An anonymised veteran is no longer anyone: nothing left to list or open.
    qs = (
        Veteran.objects.select_related("home_region")
        .filter(anonymised_at__isnull=True)
        .order_by("-pk")
    )
    visible = _visible_q(actor)
    return qs if visible is None else qs.filter(visible)


def _where(veteran: Veteran) -> tuple[int | None, int | None]:
    """The region a read of this veteran belongs to: where they are treated, else home."""
    current = next((s for s in veteran.stays.all() if s.discharged_on is None), None)
    region_id = current.institution.region_id if current else veteran.home_region_id
    return region_id, veteran.pk


@audited_read("veteran.viewed", _where)
def veteran_get_for_user(*, actor: User | AnonymousUser | None, veteran_id: int) -> Veteran:
    """One veteran, or NotFoundError both when missing and when not the actor's to see."""
    veteran = (
        veteran_list(actor=actor)
        .prefetch_related("stays__institution", "stays__department")
        .filter(pk=veteran_id)
        .first()
    )
    if veteran is None:
        raise NotFoundError("Not found.")
    return veteran


def veterans_acting_for(*, actor: User | AnonymousUser | None) -> QuerySet[Veteran]:
    """The veteran the actor is, and those they are a relative with authority of."""
    scope = scope_of(actor)
    if scope.user_id is None:
        return Veteran.objects.none()
    own = Q(user_id=scope.user_id) | Q(
        Exists(Proxy.objects.filter(veteran=OuterRef("pk"), user_id=scope.user_id, may_act=True))
    )
    return Veteran.objects.filter(own, anonymised_at__isnull=True).order_by("addressed_as", "pk")


def veteran_acting_for_get(*, actor: User | AnonymousUser | None, veteran_id: int) -> Veteran:
    """One of the actor's own veterans, or NotFoundError."""
    veteran = veterans_acting_for(actor=actor).filter(pk=veteran_id).first()
    if veteran is None:
        raise NotFoundError("Not found.")
    return veteran


def consent_list(*, actor: User | AnonymousUser | None, veteran_id: int) -> QuerySet[Consent]:
    """Consents of a veteran the actor may see (own, acted for, or in a coordinator's scope)."""
    veteran = veteran_list(actor=actor).filter(pk=veteran_id).first()
    if veteran is None:
        raise NotFoundError("Not found.")
    return Consent.objects.filter(veteran=veteran).select_related("given_by").order_by("-given_at")


def consent_get_for_subject(*, actor: User | AnonymousUser | None, consent_id: int) -> Consent:
    """A consent of one of the actor's own veterans, or NotFoundError."""
    consent = (
        Consent.objects.select_related("veteran")
        .filter(pk=consent_id, veteran__in=veterans_acting_for(actor=actor))
        .first()
    )
    if consent is None:
        raise NotFoundError("Not found.")
    return consent


def is_coordinator(actor: User | AnonymousUser | None) -> bool:
    scope = scope_of(actor)
    return scope.federal or scope.has(Role.REGIONAL_COORDINATOR)


def deletion_request_list(*, actor: User | AnonymousUser | None) -> QuerySet[DeletionRequest]:
    """Deletion requests of veterans in a coordinator's scope, waiting ones first."""
    if not is_coordinator(actor):
        return DeletionRequest.objects.none()
    visible = veteran_list(actor=actor).values("pk")
    return (
        DeletionRequest.objects.filter(veteran__in=visible)
        .select_related("veteran__home_region", "asked_by", "executed_by")
        .order_by(Case(When(status=DeletionStatus.ASKED, then=0), default=1), "-asked_at")
    )


def deletion_request_get_for_coordinator(
    *, actor: User | AnonymousUser | None, deletion_id: int
) -> DeletionRequest:
    """One deletion request in the coordinator's scope, or NotFoundError."""
    deletion = deletion_request_list(actor=actor).filter(pk=deletion_id).first()
    if deletion is None:
        raise NotFoundError("Not found.")
    return deletion


def veterans_due_for_anonymisation(*, now: datetime.datetime) -> QuerySet[Veteran]:
    """Veterans whose purpose has ended: discharged, no open request, and nothing about them
    happened (a stay, a request closing) within the retention period."""
    cutoff = now - datetime.timedelta(days=settings.RYADOM_RETENTION_DAYS)
    in_care = Stay.objects.filter(veteran=OuterRef("pk")).filter(
        Q(discharged_on__isnull=True) | Q(discharged_on__gt=cutoff.date())
    )
    due = Veteran.objects.filter(anonymised_at__isnull=True, created_at__lte=cutoff).exclude(
        Exists(in_care)
    )
    # Requests are care's: it answers which veterans it still serves (veterans/events.py).
    for served in events.veterans_still_served.publish(since=cutoff):
        due = due.exclude(pk__in=served)
    return due.order_by("pk")


# --- relatives asking, and what matters --------------------------------------------------


def proxies_waiting_for(*, actor: User | AnonymousUser | None) -> QuerySet[Proxy]:
    """Relatives who ask to act for the actor, a veteran, and wait for their answer."""
    scope = scope_of(actor)
    if scope.user_id is None:
        return Proxy.objects.none()
    return (
        Proxy.objects.filter(status=ProxyStatus.ASKED, veteran__user_id=scope.user_id)
        .select_related("user", "veteran")
        .order_by("created_at", "pk")
    )


def proxies_of_veteran(*, actor: User | AnonymousUser | None, veteran: Veteran) -> list[Proxy]:
    """The relatives of a veteran the actor may see (any status), for the veteran's page."""
    if not veteran_list(actor=actor).filter(pk=veteran.pk).exists():
        return []
    return list(veteran.proxies.select_related("user").order_by("-created_at", "-pk"))


def proxy_get_for_decider(*, actor: User | AnonymousUser | None, proxy_id: int) -> Proxy:
    """A relative's ask that the actor may answer: as the veteran, or as staff who see the
    veteran (the service checks that they work where the veteran lies). Else NotFoundError."""
    scope = scope_of(actor)
    mine = Q(veteran__user_id=scope.user_id) if scope.user_id is not None else Q(pk__in=[])
    seen = Q(veteran__in=veteran_list(actor=actor).values("pk"))
    proxy = Proxy.objects.select_related("veteran", "user").filter(mine | seen, pk=proxy_id).first()
    if proxy is None:
        raise NotFoundError("Not found.")
    return proxy


def my_proxy_asks(*, actor: User | AnonymousUser | None) -> QuerySet[Proxy]:
    """The actor's own asks to act for someone: their status, and a name once approved."""
    scope = scope_of(actor)
    if scope.user_id is None:
        return Proxy.objects.none()
    return Proxy.objects.filter(user_id=scope.user_id).select_related("veteran").order_by("-pk")


def veteran_for_what_matters(*, actor: User | AnonymousUser | None, veteran_id: int) -> Veteran:
    """A veteran whose "what matters" the actor may edit: their own, one they act for, or one
    in a coordinator's scope. NotFoundError otherwise."""
    mine = veterans_acting_for(actor=actor).filter(pk=veteran_id).first()
    if mine is not None:
        return mine
    if is_coordinator(actor):
        return veteran_get_for_user(actor=actor, veteran_id=veteran_id)
    raise NotFoundError("Not found.")


@dataclass(frozen=True)
class VeteranCard:
    """What a helper is told of a veteran. `what_matters` is empty on the need-to-know card."""

    addressed_as: str
    communication_needs: str
    mobility_needs: str
    what_matters: str = ""
    full: bool = False


def veteran_card_read(*, actor: User, veteran: Veteran, full: bool) -> VeteranCard:
    """The card a coordinator (`full`) or the assigned volunteer for a visit (need to know:
    how to address, communication, mobility) sees; each read goes to the audit log. Who may
    read which card is decided by care, which knows the request."""
    card = VeteranCard(
        addressed_as=veteran.addressed_as,
        communication_needs=veteran.communication_needs,
        mobility_needs=veteran.mobility_needs,
        what_matters=veteran.what_matters if full else "",
        full=full,
    )
    audit_record(
        actor=actor,
        action="veteran.card_viewed" if full else "veteran.need_to_know_viewed",
        target=veteran,
        region_id=_where(veteran)[0],
        veteran_id=veteran.pk,
    )
    return card


def _admits_in_q(actor: User | AnonymousUser | None, via: str = "") -> Q | None:
    """The institutions whose ward staff the actor is (`may_admit`); None means all."""
    scope = scope_of(actor)
    if scope.federal:
        return None
    q = Q(pk__in=[])
    if scope.has(Role.INSTITUTION_LIAISON):
        q |= Q(**{f"{via}pk__in": scope.institution_ids})
    if scope.has(Role.REGIONAL_COORDINATOR):
        q |= Q(**{f"{via}region_id__in": scope.region_ids})
    return q


def is_ward_staff(actor: User | AnonymousUser | None) -> bool:
    """Whether the actor is ward staff anywhere (a liaison, a coordinator, federal)."""
    scope = scope_of(actor)
    return (
        scope.federal or scope.has(Role.INSTITUTION_LIAISON) or scope.has(Role.REGIONAL_COORDINATOR)
    )


def admission_places(
    *, actor: User | AnonymousUser | None
) -> list[tuple[Institution, Department | None]]:
    """Where the actor may admit: each ward of their institutions (their own, their region's,
    or any for federal staff), or the institution itself where it has no wards."""
    qs = Institution.objects.filter(is_active=True)
    admits = _admits_in_q(actor)
    qs = qs if admits is None else qs.filter(admits)
    places: list[tuple[Institution, Department | None]] = []
    for institution in qs.prefetch_related("departments").order_by("name", "pk"):
        wards = sorted(institution.departments.all(), key=lambda d: d.name)
        places += [(institution, d) for d in wards] or [(institution, None)]
    return places


def current_stay_of(*, veteran: Veteran) -> Stay | None:
    """The veteran's current stay (of a veteran the caller has already been allowed to see)."""
    return (
        Stay.objects.filter(veteran=veteran, discharged_on__isnull=True)
        .select_related("institution__region", "department")
        .first()
    )


def place_get(
    *, institution_id: int, department_id: int | None
) -> tuple[Institution, Department | None]:
    """An active institution and one of its wards (public directory data), or NotFoundError
    naming the field."""
    institution = Institution.objects.filter(pk=institution_id, is_active=True).first()
    if institution is None:
        raise ApplicationError(_("No such institution."), field="institution_id")
    if department_id is None:
        return institution, None
    department = Department.objects.filter(pk=department_id, institution=institution).first()
    if department is None:
        raise ApplicationError(_("No such ward in this institution."), field="department_id")
    return institution, department


def veteran_moved_get(*, veteran_id: int) -> Veteran:
    """The veteran just moved by the caller, whom the service allowed to move them (they may
    have left the caller's scope with the move), with their stays."""
    return Veteran.objects.prefetch_related("stays__institution", "stays__department").get(
        pk=veteran_id
    )


def may_admit(actor: User | AnonymousUser | None, institution: Institution) -> bool:
    """The institution's liaisons (ward staff), its region's coordinators, federal ones."""
    scope = scope_of(actor)
    return (
        scope.federal
        or (scope.has(Role.INSTITUTION_LIAISON) and institution.pk in scope.institution_ids)
        or (scope.has(Role.REGIONAL_COORDINATOR) and institution.region_id in scope.region_ids)
    )


def veteran_get_for_ward(*, actor: User | AnonymousUser | None, veteran_id: int) -> Veteran:
    """A veteran in treatment whom the actor may admit, move or discharge: NotFoundError when
    they may not see the veteran, PermissionDeniedError when they may see but not act."""
    veteran = veteran_get_for_user(actor=actor, veteran_id=veteran_id)
    stay = next((s for s in veteran.stays.all() if s.discharged_on is None), None)
    if stay is None or not may_admit(actor, stay.institution):
        raise PermissionDeniedError(
            _("Only the ward staff or the coordinators of the region may do this.")
        )
    return veteran


# --- claims of admissions confirmed by the ward staff ----------------------------------------


def admission_claims_waiting(*, actor: User | AnonymousUser | None) -> QuerySet[AdmissionClaim]:
    """People asking the actor's wards to match them to their admission, oldest first."""
    if not is_ward_staff(actor):
        return AdmissionClaim.objects.none()
    qs = AdmissionClaim.objects.filter(status=ClaimStatus.ASKED)
    admits = _admits_in_q(actor, via="institution__")
    qs = qs if admits is None else qs.filter(admits)
    return qs.select_related("user", "institution").order_by("created_at", "pk")


def queue_counts(*, actor: User | AnonymousUser | None) -> tuple[int, int]:
    """Erasure requests waiting to be carried out in the actor's scope, and people asking
    the actor's wards to link them: both in one query, none for people who see neither."""
    scope = scope_of(actor)
    if scope.user_id is None or not is_ward_staff(actor):  # coordinators are ward staff too
        return 0, 0
    erasures = deletion_request_list(actor=actor).filter(status=DeletionStatus.ASKED)
    claims = admission_claims_waiting(actor=actor)
    counts = (
        User.objects.filter(pk=scope.user_id)
        .annotate(erasures=count_subquery(erasures), claims=count_subquery(claims))
        .values_list("erasures", "claims")
        .first()
    )
    return (int(counts[0] or 0), int(counts[1] or 0)) if counts else (0, 0)


def admission_claim_get_for_staff(
    *, actor: User | AnonymousUser | None, claim_id: int
) -> AdmissionClaim:
    """A waiting claim at one of the actor's wards, or NotFoundError (the same for a claim
    at another hospital)."""
    claim = admission_claims_waiting(actor=actor).filter(pk=claim_id).first()
    if claim is None:
        raise NotFoundError("Not found.")
    return claim


def admission_claim_candidates(*, claim: AdmissionClaim) -> QuerySet[Veteran]:
    """The patients the claim may be matched to: in treatment at its institution now, with
    no account yet (for ward staff, who see them on their ward anyway)."""
    return Veteran.objects.filter(
        _current_stay_in(institution_id=claim.institution_id),
        user__isnull=True,
        anonymised_at__isnull=True,
    ).order_by("addressed_as", "pk")


def same_name(a: str, b: str) -> bool:
    """Names compared as people write them: spaces and letter case aside (in Python, since
    SQLite's case-insensitive match knows only ASCII letters)."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def my_admission_claims(*, actor: User | AnonymousUser | None) -> QuerySet[AdmissionClaim]:
    """The actor's own asks to be matched: the hospital and name they gave, and the answer."""
    scope = scope_of(actor)
    if scope.user_id is None:
        return AdmissionClaim.objects.none()
    return (
        AdmissionClaim.objects.filter(user_id=scope.user_id)
        .select_related("institution")
        .order_by("-created_at", "-pk")
    )
