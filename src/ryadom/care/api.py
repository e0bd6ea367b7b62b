"""Care requests over JSON: intake, lists with keyset pagination, transitions, feedback."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.
import base64
import binascii
import datetime
import json
from collections.abc import Callable
from enum import StrEnum
from typing import Annotated, Any, TypeVar, cast

from django.db.models import Model, Q, QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from ninja import Field, Header, Query, Router, Schema, Status

from ryadom.accounts.api_auth import AUTH
from ryadom.accounts.models import User
from ryadom.care.lifecycle import Action
from ryadom.care.models import MAX_DETAILS_LENGTH, CareRequest, Channel, Complaint, Urgency
from ryadom.care.models import Status as RequestStatus
from ryadom.care.selectors import (
    RequestFilters,
    complaint_get_for_coordinator,
    request_get_for_action,
    request_get_for_user,
    request_list,
    request_read_back,
)
from ryadom.care.services.coordination import (
    complaint_answer,
    request_assign,
    request_cancel,
    request_reopen,
    request_triage,
)
from ryadom.care.services.intake import request_create
from ryadom.care.services.requester import request_confirm, request_feedback
from ryadom.care.services.volunteer_work import (
    request_check_in,
    request_claim,
    request_complete,
    request_decline,
    request_schedule,
)
from ryadom.catalogue.models import ServiceType
from ryadom.core.api_types import Id, Moment, Text
from ryadom.core.errors import ApplicationError
from ryadom.institutions.models import Department, Institution
from ryadom.organisations.models import Organisation
from ryadom.veterans.need_to_know import name_for
from ryadom.veterans.selectors import veteran_list
from ryadom.volunteers.models import Volunteer

M = TypeVar("M", bound=Model)
router = Router(tags=["care requests"], auth=AUTH)
PAGE_MAX = 200
IDEMPOTENCY_KEY_MAX = 100  # the column's length: longer keys are refused, never cut
IdempotencyKey = Annotated[
    Text,
    Header(
        "",
        alias="Idempotency-Key",
        max_length=IDEMPOTENCY_KEY_MAX,
        description="The same key and body again return the first request instead of a new one.",
    ),
]


class RequestIn(Schema):
    service: Text = Field(max_length=40)
    institution: Id
    department: Id | None = None
    veteran: Id | None = None
    details: Text = Field("", max_length=MAX_DETAILS_LENGTH)
    urgency: Urgency = Urgency.NORMAL
    window_starts: Moment | None = Field(
        None, description="The preferred window starts at most a year before now."
    )
    window_ends: Moment | None = Field(
        None, description="The preferred window ends after now and at most a year from now."
    )
    requester_name: Text = Field("", max_length=120)
    wants_previous_volunteer: bool = False
    channel: Channel = Channel.API

    def window(self) -> tuple[datetime.datetime, datetime.datetime] | None:
        """The preferred window: both ends or neither."""
        if not (self.window_starts or self.window_ends):
            return None
        if not (self.window_starts and self.window_ends):
            raise ApplicationError("Give both ends of the time window.", field="window_ends")
        return (self.window_starts, self.window_ends)


class EventOut(Schema):
    at: datetime.datetime
    action: str
    from_status: str
    to_status: str
    note: str
    actor: str | None


class VisitOut(Schema):
    starts: datetime.datetime
    ends: datetime.datetime
    checked_in_at: datetime.datetime | None
    checked_out_at: datetime.datetime | None


class RequestOut(Schema):
    id: int
    status: str
    status_label: str
    service: str
    service_name: str
    region: str
    institution_id: int
    institution_name: str
    department: str | None
    veteran_name: str | None
    details: str
    urgency: str
    window_starts: datetime.datetime | None
    window_ends: datetime.datetime | None
    channel: str
    deadline: datetime.datetime
    escalation_level: int
    volunteer_first_name: str | None
    organisation_name: str | None
    created_at: datetime.datetime

    @staticmethod
    def resolve_status_label(obj: CareRequest) -> str:
        return str(RequestStatus(obj.status).label)

    @staticmethod
    def resolve_service(obj: CareRequest) -> str:
        return obj.service_type.code

    @staticmethod
    def resolve_service_name(obj: CareRequest) -> str:
        return obj.service_type.name

    @staticmethod
    def resolve_region(obj: CareRequest) -> str:
        return obj.region.code

    @staticmethod
    def resolve_institution_name(obj: CareRequest) -> str:
        return obj.institution.name

    @staticmethod
    def resolve_department(obj: CareRequest) -> str | None:
        return obj.department.name if obj.department else None

    @staticmethod
    def resolve_veteran_name(obj: CareRequest) -> str | None:
        return obj.veteran.addressed_as if obj.veteran else None

    @staticmethod
    def resolve_volunteer_first_name(obj: CareRequest) -> str | None:
        return obj.volunteer.user.first_name if obj.volunteer else None

    @staticmethod
    def resolve_organisation_name(obj: CareRequest) -> str | None:
        return obj.organisation.name if obj.organisation else None


class RequestDetailOut(RequestOut):
    timeline: list[EventOut]
    visits: list[VisitOut]

    @staticmethod
    def resolve_timeline(obj: CareRequest, context: dict[str, Any]) -> list[EventOut]:
        reader = context["request"].user  # helpers see first names only (need to know)
        return [
            EventOut(
                at=e.at,
                action=e.action,
                from_status=e.from_status,
                to_status=e.to_status,
                note=e.text,
                actor=name_for(reader, e.actor),
            )
            for e in obj.events.all()
        ]

    @staticmethod
    def resolve_visits(obj: CareRequest) -> list[VisitOut]:
        return [
            VisitOut(
                starts=v.starts,
                ends=v.ends,
                checked_in_at=v.checked_in_at,
                checked_out_at=v.checked_out_at,
            )
            for v in obj.visits.all()
        ]


class RequestPage(Schema):
    items: list[RequestOut]
    next_cursor: str | None


class ListFilters(Schema):
    region: Text | None = Field(None, max_length=10)
    institution: Id | None = None
    status: RequestStatus | None = None
    service: Text | None = Field(None, max_length=40)
    urgency: Urgency | None = None
    overdue: bool | None = None
    cursor: Text | None = Field(None, max_length=200)
    limit: int = Field(50, ge=1, le=PAGE_MAX)

    def request_filters(self) -> RequestFilters:
        return RequestFilters(
            region=self.region,
            institution=self.institution,
            status=self.status,
            service=self.service,
            urgency=self.urgency,
            overdue=self.overdue,
        )


class ActionIn(Schema):
    note: Text = Field("", max_length=MAX_DETAILS_LENGTH)
    volunteer: Id | None = None
    organisation: Id | None = None
    starts: Moment | None = Field(default=None, description="A visit starts in the coming year.")
    ends: Moment | None = None


class FeedbackIn(Schema):
    done: bool
    respectful: bool
    rating: int | None = Field(None, ge=1, le=5)
    comment: Text = Field("", max_length=MAX_DETAILS_LENGTH)


class FeedbackOut(Schema):
    request_status: str
    complaint_opened: bool


def _user(request: HttpRequest) -> User:
    return cast(User, request.user)  # the auth classes guarantee a signed-in user


def _known(qs: QuerySet[M], pk: int | None, field: str) -> M | None:
    """The row with this id, or a 422 naming the field (None when no id was given)."""
    if pk is None:
        return None
    obj = qs.filter(pk=pk).first()
    if obj is None:
        raise ApplicationError(
            gettext("Unknown %(field)s: %(id)s.") % {"field": field, "id": pk}, field=field
        )
    return obj


def _encode_cursor(obj: CareRequest) -> str:
    raw = json.dumps([obj.deadline.isoformat(), obj.pk]).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _after_cursor(qs: QuerySet[CareRequest], cursor: str) -> QuerySet[CareRequest]:
    try:
        deadline_text, pk = json.loads(base64.urlsafe_b64decode(cursor.encode()))
        deadline = datetime.datetime.fromisoformat(deadline_text)
        if deadline.tzinfo is None or not isinstance(pk, int) or isinstance(pk, bool):
            raise TypeError(cursor)
    except (ValueError, TypeError, OverflowError, binascii.Error) as exc:
        raise ApplicationError("This cursor is not one we gave out.", field="cursor") from exc
    return qs.filter(Q(deadline__gt=deadline) | Q(deadline=deadline, pk__gt=pk))


@router.get("/requests", response=RequestPage, summary="Requests I may see, by deadline")
def list_requests(request: HttpRequest, filters: Query[ListFilters]) -> dict[str, Any]:
    qs = request_list(actor=request.user, filters=filters.request_filters())
    if filters.cursor:
        qs = _after_cursor(qs, filters.cursor)
    rows = list(qs[: filters.limit + 1])
    more = len(rows) > filters.limit
    rows = rows[: filters.limit]
    # Ninja validates the ORM rows against RequestPage (from attributes) on the way out.
    return {"items": rows, "next_cursor": _encode_cursor(rows[-1]) if more else None}


def _intake_fields(payload: RequestIn, actor: User) -> dict[str, Any]:
    """`request_create`'s keyword arguments: the ids looked up, or a 422 naming the field."""
    window = payload.window()
    service = ServiceType.objects.filter(code=payload.service).first()
    if service is None:
        raise ApplicationError(f"Unknown service code “{payload.service}”.", field="service")
    institutions = Institution.objects.filter(is_active=True).select_related("region")
    return {
        "service_type": service,
        "institution": _known(institutions, payload.institution, "institution"),
        "department": _known(Department.objects.all(), payload.department, "department"),
        # Only veterans the caller may see: an unknown id and someone else's look the same.
        "veteran": _known(veteran_list(actor=actor), payload.veteran, "veteran"),
        "details": payload.details,
        "urgency": payload.urgency,
        "window": window,
        "channel": payload.channel,
        "requester_name": payload.requester_name,
        "wants_previous_volunteer": payload.wants_previous_volunteer,
    }


@router.post("/requests", response={201: RequestDetailOut}, summary="Ask for help")
def create_request(
    request: HttpRequest,
    payload: RequestIn,
    idempotency_key: IdempotencyKey = "",
) -> Status[CareRequest]:
    created = request_create(
        actor=_user(request),
        idempotency_key=idempotency_key,
        **_intake_fields(payload, _user(request)),
    )
    return Status(201, request_read_back(actor=request.user, request=created))


@router.get("/requests/{request_id}", response=RequestDetailOut, summary="One request")
def get_request(request: HttpRequest, request_id: int) -> CareRequest:
    return request_get_for_user(actor=request.user, request_id=request_id)


def _volunteer(pk: int | None) -> Volunteer | None:
    return _known(Volunteer.objects.all(), pk, "volunteer")


def _organisation(pk: int | None) -> Organisation | None:
    return _known(Organisation.objects.filter(is_active=True), pk, "organisation")


def _schedule(actor: User, obj: CareRequest, body: ActionIn) -> CareRequest:
    if body.starts is None or body.ends is None:
        raise ApplicationError("Give the visit's start and end.", field="starts")
    return request_schedule(actor=actor, request=obj, starts=body.starts, ends=body.ends)


# Each action of the lifecycle a caller may take, mapped to its service. A transfer is not
# among them: only the system takes it, when a veteran's stay moves (requests_follow_veteran).
ACTIONS: dict[Action, Callable[[User, CareRequest, ActionIn], CareRequest]] = {
    Action.TRIAGE: lambda a, r, b: request_triage(actor=a, request=r, note=b.note),
    Action.ASSIGN: lambda a, r, b: request_assign(
        actor=a,
        request=r,
        volunteer=_volunteer(b.volunteer),
        organisation=_organisation(b.organisation),
        note=b.note,
    ),
    Action.CLAIM: lambda a, r, b: request_claim(actor=a, request=r),
    Action.DECLINE: lambda a, r, b: request_decline(actor=a, request=r, reason=b.note),
    Action.SCHEDULE: _schedule,
    Action.CHECK_IN: lambda a, r, b: request_check_in(actor=a, request=r),
    Action.COMPLETE: lambda a, r, b: request_complete(actor=a, request=r, outcome=b.note),
    Action.CONFIRM: lambda a, r, b: request_confirm(actor=a, request=r),
    Action.CANCEL: lambda a, r, b: request_cancel(actor=a, request=r, reason=b.note),
    Action.REOPEN: lambda a, r, b: request_reopen(actor=a, request=r, reason=b.note),
}


# The path's enum in OpenAPI: exactly the actions above.
RequestAction = StrEnum("RequestAction", [(a.name, a.value) for a in ACTIONS])  # type: ignore[misc]


# Registered before the generic action route, which would otherwise match it.
@router.post("/requests/{request_id}/feedback", response=FeedbackOut, summary="Say how it went")
def give_feedback(request: HttpRequest, request_id: int, payload: FeedbackIn) -> dict[str, Any]:
    obj = request_get_for_user(actor=request.user, request_id=request_id)
    feedback = request_feedback(
        actor=_user(request),
        request=obj,
        done=payload.done,
        respectful=payload.respectful,
        rating=payload.rating,
        comment=payload.comment,
    )
    obj.refresh_from_db()
    return {"request_status": obj.status, "complaint_opened": hasattr(feedback, "complaint")}


@router.post(
    "/requests/{request_id}/{action}",
    response=RequestDetailOut,
    summary="Move a request along its lifecycle",
)
def act_on_request(
    request: HttpRequest, request_id: int, action: RequestAction, payload: ActionIn | None = None
) -> CareRequest:
    step = Action(action.value)
    obj = request_get_for_action(actor=request.user, request_id=request_id, action=step)
    ACTIONS[step](_user(request), obj, payload or ActionIn(note=""))
    return request_get_for_user(actor=request.user, request_id=request_id)


class ComplaintAnswerIn(Schema):
    answer: Text = Field(max_length=MAX_DETAILS_LENGTH)
    upheld: bool


class ComplaintOut(Schema):
    id: int
    request_id: int
    answer: str
    upheld: bool | None
    answered_at: datetime.datetime | None


@router.post(
    "/complaints/{complaint_id}/answer",
    response=ComplaintOut,
    summary="The coordinator answers a complaint",
)
def answer_complaint(
    request: HttpRequest, complaint_id: int, payload: ComplaintAnswerIn
) -> Complaint:
    complaint = complaint_get_for_coordinator(actor=request.user, complaint_id=complaint_id)
    return complaint_answer(
        actor=_user(request), complaint=complaint, answer=payload.answer, upheld=payload.upheld
    )
