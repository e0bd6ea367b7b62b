"""Page forms for care requests: they parse input; the services decide what is allowed."""

from __future__ import annotations

import datetime
import uuid
import zoneinfo
from typing import Any, cast

from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from ryadom.accounts.models import User
from ryadom.care import page_selectors
from ryadom.care.lifecycle import Action
from ryadom.care.models import MAX_DETAILS_LENGTH, Feeling, Status, Urgency
from ryadom.care.selectors import NEEDS_ACTION, RequestFilters
from ryadom.catalogue.models import Category, ServiceType
from ryadom.core.forms import IdsField, PageForm
from ryadom.geo.models import Region
from ryadom.institutions.models import Institution
from ryadom.volunteers.models import Volunteer

YES_NO = [("yes", _("Yes")), ("no", _("No"))]


class LargeRadioSelect(forms.RadioSelect):
    """Large radio buttons; each group of choices (if any) in its own fieldset with a legend."""

    template_name = "care/widget_grouped_radio.html"


def _yes(value: str) -> bool:
    return value == "yes"


def service_choices() -> list[tuple[str, list[tuple[str, str]]]]:
    """Offered services grouped by category, in the catalogue's order of categories."""
    groups: dict[str, list[tuple[str, str]]] = {c: [] for c in Category.values}
    for service in page_selectors.service_types():
        groups.setdefault(service.category, []).append((service.code, service.name))
    labels = dict(Category.choices)
    return [(str(labels.get(c, c)), items) for c, items in groups.items() if items]


class ServiceField(forms.ChoiceField):
    """A service chosen by its stable code; cleans to the ServiceType."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("What help is needed"))
        super().__init__(choices=service_choices, **kwargs)

    def clean(self, value: Any) -> ServiceType | None:
        code = super().clean(value)
        if not code:
            return None
        service = page_selectors.service_types().filter(code=code).first()
        if service is None:
            raise forms.ValidationError(_("This service is not offered."), code="invalid_choice")
        return service


def local_window(
    day: datetime.date | None,
    starts: datetime.time | None,
    ends: datetime.time | None,
    zone: zoneinfo.ZoneInfo,
) -> tuple[datetime.datetime, datetime.datetime] | None:
    """A day and two clock times in the institution's local time, as aware datetimes."""
    if day is None or starts is None or ends is None:
        return None
    return (
        datetime.datetime.combine(day, starts, tzinfo=zone),
        datetime.datetime.combine(day, ends, tzinfo=zone),
    )


class WhenForm(PageForm):
    """Urgency, an optional time window and the details: shared by every intake form."""

    urgency = forms.ChoiceField(
        label=_("How urgent is it"),
        choices=Urgency.choices,
        initial=Urgency.NORMAL,
        widget=LargeRadioSelect,
    )
    window_date = forms.DateField(
        label=_("Preferred day"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Optional. Leave the day and the times empty if any time suits."),
    )
    window_starts = forms.TimeField(
        label=_("From"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    window_ends = forms.TimeField(
        label=_("Until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Local time of the hospital."),
    )
    details = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=MAX_DETAILS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("What exactly, how much, anything the helper should know."),
    )

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        parts = [data.get(k) for k in ("window_date", "window_starts", "window_ends")]
        if any(p is not None for p in parts) and not all(p is not None for p in parts):
            for name in ("window_date", "window_starts", "window_ends"):
                if data.get(name) is None and name not in self.errors:
                    self.add_error(
                        name, _("Give the day and both times, or leave all three empty.")
                    )
        return data

    def window(self, zone: zoneinfo.ZoneInfo) -> tuple[datetime.datetime, datetime.datetime] | None:
        d = self.cleaned_data
        return local_window(
            d.get("window_date"), d.get("window_starts"), d.get("window_ends"), zone
        )


def new_key() -> str:
    return uuid.uuid4().hex


class KeyField(forms.CharField):
    """The idempotency key of one filled-in form: sending it twice creates one request.
    Each form shown afresh carries a new one."""

    def __init__(self) -> None:
        super().__init__(max_length=100, required=False, widget=forms.HiddenInput, initial=new_key)


class InstitutionChoiceField(forms.ModelChoiceField[Institution]):
    def label_from_instance(self, obj: Institution) -> str:
        return f"{obj.name} ({obj.region.name})"


# --- the queue -----------------------------------------------------------------------------


class QueueFilterForm(PageForm):
    """The queue's filters, sent with GET."""

    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("All"),
    )
    institution = InstitutionChoiceField(
        label=_("Institution"),
        queryset=Institution.objects.none(),
        required=False,
        empty_label=_("All"),
    )
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[(NEEDS_ACTION, _("Needs action")), ("", _("All")), *Status.choices],
        required=False,
    )
    service = ServiceField(label=_("Service"), required=False, widget=forms.Select)
    urgency = forms.ChoiceField(
        label=_("Urgency"), choices=[("", _("All")), *Urgency.choices], required=False
    )
    overdue = forms.ChoiceField(
        label=_("Deadline"),
        choices=[("", _("All")), ("yes", _("Overdue")), ("no", _("Not overdue"))],
        required=False,
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["institution"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = page_selectors.queue_institutions(actor=actor)
        region = self.fields["region"]
        assert isinstance(region, forms.ModelChoiceField)  # noqa: S101 - declared above
        region.queryset = page_selectors.queue_regions(actor=actor)
        service = self.fields["service"]
        assert isinstance(service, forms.ChoiceField)  # noqa: S101 - declared above
        service.choices = [("", _("All")), *service_choices()]

    @classmethod
    def of_query(cls, query: QueryDict, *, actor: User) -> QueueFilterForm:
        """The filters of the page's address. The queue opens on what still needs someone
        to act; "All" is one choice away."""
        data = query.copy()
        data.setdefault("status", NEEDS_ACTION)
        return cls(data, actor=actor)

    def query(self) -> str:
        """The filters as a query string, for the links to other pages of the list."""
        query = cast(QueryDict, self.data).copy()
        query.pop("page", None)
        return str(query.urlencode())

    def filters(self) -> RequestFilters:
        """The filters that are valid (an invalid one is shown with its error, not applied)."""
        self.is_valid()
        d = self.cleaned_data
        institution: Institution | None = d.get("institution")
        service: ServiceType | None = d.get("service")
        overdue = d.get("overdue")
        region: Region | None = d.get("region")
        return RequestFilters(
            region=region.code if region else None,
            institution=institution.pk if institution else None,
            status=d.get("status") or None,
            service=service.code if service else None,
            urgency=d.get("urgency") or None,
            overdue=_yes(overdue) if overdue else None,
        )


class BulkTriageForm(PageForm):
    ids = IdsField(
        label=_("Requests"),
        error_messages={"required": _("Choose at least one request to triage.")},
    )


# --- actions on one request ----------------------------------------------------------------


class NoteForm(PageForm):
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=MAX_DETAILS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ReasonForm(PageForm):
    # Not required here: the service says "Please say why" where a reason is needed.
    reason = forms.CharField(
        label=_("Reason"),
        required=False,
        max_length=MAX_DETAILS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class EmptyForm(PageForm):
    """A button with nothing to fill in (claim, check in, confirm)."""


class VolunteerChoiceField(forms.ModelChoiceField[Volunteer]):
    def label_from_instance(self, obj: Volunteer) -> str:
        name = obj.user.get_full_name() or obj.user.username
        if getattr(obj, "is_previous", False):
            return str(_("%(name)s (helped this veteran before)") % {"name": name})
        return name


class AssignForm(PageForm):
    volunteer = VolunteerChoiceField(
        label=_("Volunteer"),
        queryset=Volunteer.objects.none(),
        widget=LargeRadioSelect,
        empty_label=None,
        help_text=_("Volunteers of the region who may take this request now."),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=MAX_DETAILS_LENGTH)

    def __init__(self, *args: Any, volunteers: list[Volunteer], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["volunteer"]
        assert isinstance(field, VolunteerChoiceField)  # noqa: S101 - declared above
        # Choices keep the eligible order and marks; cleaning looks the id up among them.
        field.queryset = Volunteer.objects.filter(pk__in=[v.pk for v in volunteers])
        field.choices = [(v.pk, field.label_from_instance(v)) for v in volunteers]


class ScheduleForm(PageForm):
    date = forms.DateField(
        label=_("Day of the visit"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    starts = forms.TimeField(
        label=_("From"), widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M")
    )
    ends = forms.TimeField(
        label=_("Until"),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Local time of the hospital, within its visiting hours."),
    )

    def window(self, zone: zoneinfo.ZoneInfo) -> tuple[datetime.datetime, datetime.datetime]:
        d = self.cleaned_data
        window = local_window(d["date"], d["starts"], d["ends"], zone)
        assert window is not None  # noqa: S101 - all three fields are required
        return window


class OutcomeForm(PageForm):
    outcome = forms.CharField(
        label=_("What was done"),
        required=False,
        max_length=MAX_DETAILS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class FeedbackForm(PageForm):
    """The veteran's (or relative's, or ward's) word once the helper has finished."""

    done = forms.ChoiceField(
        label=_("Was it done?"),
        choices=YES_NO,
        widget=LargeRadioSelect,
    )
    respectful = forms.ChoiceField(
        label=_("Were you listened to and treated with respect?"),
        choices=YES_NO,
        widget=LargeRadioSelect,
    )
    rating = forms.TypedChoiceField(
        label=_("Rating, from 1 (bad) to 5 (excellent)"),
        choices=[(str(n), str(n)) for n in range(1, 6)],
        coerce=int,
        empty_value=None,
        required=False,
        widget=LargeRadioSelect,
    )
    comment = forms.CharField(
        label=_("Comment"),
        required=False,
        max_length=MAX_DETAILS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def answers(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "done": _yes(d["done"]),
            "respectful": _yes(d["respectful"]),
            "rating": d.get("rating"),
            "comment": d.get("comment", ""),
        }


class ComplaintAnswerForm(PageForm):
    answer = forms.CharField(
        label=_("Answer to the veteran"), widget=forms.Textarea(attrs={"rows": 3})
    )
    upheld = forms.BooleanField(label=_("The complaint is justified"), required=False)


class DebriefForm(PageForm):
    feeling = forms.ChoiceField(
        label=_("How was it?"), choices=Feeling.choices, widget=forms.RadioSelect
    )
    note = forms.CharField(
        label=_("Anything that upsets you? (only your NGO's manager sees this)"),
        required=False,
        max_length=MAX_DETAILS_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


# The form of each action on the request page.
ACTION_FORMS: dict[Action, type[PageForm]] = {
    Action.TRIAGE: NoteForm,
    Action.ASSIGN: AssignForm,
    Action.CLAIM: EmptyForm,
    Action.DECLINE: ReasonForm,
    Action.SCHEDULE: ScheduleForm,
    Action.CHECK_IN: EmptyForm,
    Action.COMPLETE: OutcomeForm,
    Action.CONFIRM: EmptyForm,
    Action.CANCEL: ReasonForm,
    Action.REOPEN: ReasonForm,
}
