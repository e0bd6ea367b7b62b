"""The forms of asking for help: the three steps of /ask/ (and which step a submission
shows next), the ward link's form, and the coordinator's phone entry."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ryadom.accounts.models import User
from ryadom.care import page_selectors
from ryadom.care.forms import (
    InstitutionChoiceField,
    KeyField,
    LargeRadioSelect,
    ServiceField,
    WhenForm,
)
from ryadom.care.models import Urgency
from ryadom.care.services.intake import Newcomer
from ryadom.core.errors import ApplicationError, NotFoundError
from ryadom.core.forms import PageForm
from ryadom.core.pages import forms_error
from ryadom.institutions.models import Department, Institution
from ryadom.veterans.models import Veteran
from ryadom.volunteers.models import Gender


class AskServiceForm(PageForm):
    """Step 1: for whom (when there is a choice) and what help."""

    veteran = forms.ModelChoiceField(
        label=_("For whom"),
        queryset=Veteran.objects.none(),
        widget=LargeRadioSelect,
        empty_label=None,
    )
    service = ServiceField(widget=LargeRadioSelect)
    # Set by the ward link (QR poster): where the veteran is.
    institution = forms.IntegerField(required=False, widget=forms.HiddenInput)
    department = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, veterans: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["veteran"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = veterans
        # With nobody to choose from, the page says for whom instead of asking.
        self.only_veteran: Veteran | None = veterans[0] if len(veterans) == 1 else None
        if self.only_veteran is not None:
            field.initial = self.only_veteran.pk
            field.widget = forms.HiddenInput()

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        institution_id, department_id = data.get("institution"), data.get("department")
        data["ward"] = None
        if institution_id and department_id:
            try:
                data["ward"] = page_selectors.ward_get(
                    institution_id=institution_id, department_id=department_id
                )
            except NotFoundError:
                raise forms.ValidationError(_("This ward link is not valid.")) from None
        return data

    def place(self) -> tuple[Institution | None, Department | None]:
        """The ward of the link, or else where the veteran is treated now."""
        ward: Department | None = self.cleaned_data.get("ward")
        if ward is not None:
            return ward.institution, ward
        stay = page_selectors.current_stay(self.cleaned_data["veteran"])
        if stay is None:
            return None, None
        return stay.institution, stay.department


class AskWhenForm(WhenForm):
    """Step 2: urgency, when and the details."""

    wants_previous_volunteer = forms.BooleanField(
        label=_("If possible, the same volunteer as last time"), required=False
    )


class AskSendForm(PageForm):
    """Step 3: check and send. Carries the key that makes a double send harmless."""

    key = KeyField()


def _initial_from(data: dict[str, Any], *bound: forms.Form) -> dict[str, Any]:
    """Values to show again when the person steps back: what they typed, with the fields
    that parsed as their parsed values (so a hidden "False" stays unticked)."""
    initial: dict[str, Any] = dict(data)
    for form in bound:
        form.is_valid()
        for name, value in form.cleaned_data.items():
            if name in form.fields and not isinstance(value, Model):
                initial[name] = value
    return initial


class AskSteps:
    """The three forms of /ask/, the step to show and its status. A submission is checked
    step by step; "send" is asked for only once all three hold."""

    def __init__(
        self,
        step: int,
        service_form: AskServiceForm,
        when_form: AskWhenForm,
        send_form: AskSendForm,
        status: int = 200,
    ) -> None:
        self.step, self.status = step, status
        self.service_form, self.when_form, self.send_form = service_form, when_form, send_form
        self.sending = False

    @classmethod
    def start(cls, veterans: QuerySet[Veteran], query: QueryDict) -> AskSteps:
        """Step 1, with the ward of the link (QR poster) set when there is one."""
        ward = {k: query.get(k) for k in ("institution", "department")}
        service_form = AskServiceForm(veterans=veterans, initial=ward)
        return cls(1, service_form, AskWhenForm(), AskSendForm())

    @classmethod
    def posted(cls, veterans: QuerySet[Veteran], data: QueryDict) -> AskSteps:
        service_form = AskServiceForm(data, veterans=veterans)
        when_form, send_form = AskWhenForm(data), AskSendForm(data)
        to = data.get("to", "1")
        if to == "1":
            initial = _initial_from(data.dict(), service_form, when_form)
            back = AskServiceForm(veterans=veterans, initial=initial)
            return cls(1, back, AskWhenForm(initial=initial), send_form)
        if not service_form.is_valid():
            again = AskWhenForm(initial=_initial_from(data.dict(), when_form))
            return cls(1, service_form, again, send_form, status=400)
        if to == "2":
            again = AskWhenForm(initial=_initial_from(data.dict(), when_form))
            return cls(2, service_form, again, send_form)
        if not when_form.is_valid():
            return cls(2, service_form, when_form, send_form, status=400)
        steps = cls(3, service_form, when_form, send_form)
        steps.sending = to == "send" and send_form.is_valid()
        return steps

    def request_fields(self) -> dict[str, Any] | None:
        """The request to create (`request_create`'s keyword arguments), or None with the
        reason on the last step when the veteran is not in treatment now."""
        institution, department = self.service_form.place()
        if institution is None:
            self.send_form.add_error(None, gettext("The veteran is not in treatment now."))
            self.status = 400
            return None
        s, w = self.service_form.cleaned_data, self.when_form.cleaned_data
        return {
            "service_type": s["service"],
            "institution": institution,
            "department": department,
            "veteran": s["veteran"],
            "details": w.get("details", ""),
            "urgency": w["urgency"],
            "window": self.when_form.window(institution.region.zone),
            "wants_previous_volunteer": w.get("wants_previous_volunteer", False),
            "idempotency_key": self.send_form.cleaned_data["key"],
        }

    def refused(self, exc: ApplicationError) -> None:
        """The service's refusal, shown on the step whose form has the failing field."""
        target = forms_error(exc, [self.service_form, self.when_form], fallback=self.send_form)
        self.step = 1 if target is self.service_form else 2 if target is self.when_form else 3
        self.status = 400

    def context(self) -> dict[str, Any]:
        context: dict[str, Any] = {
            "step": self.step,
            "steps": [gettext("What help"), gettext("When and details"), gettext("Check and send")],
            "service_form": self.service_form,
            "when_form": self.when_form,
            "send_form": self.send_form,
        }
        if self.step == 3:
            context["summary"] = self._summary()
        return context

    def _summary(self) -> dict[str, Any]:
        institution, department = self.service_form.place()
        zone = institution.region.zone if institution else None
        data = self.when_form.cleaned_data
        return {
            "veteran": self.service_form.cleaned_data["veteran"],
            "service": self.service_form.cleaned_data["service"],
            "institution": institution,
            "department": department,
            "urgency": Urgency(data["urgency"]).label,
            "window": self.when_form.window(zone) if zone else None,
            "timezone": institution.region.timezone if institution else None,
            "details": data.get("details", ""),
            "wants_previous_volunteer": data.get("wants_previous_volunteer", False),
        }


# --- the ward form and the coordinator's phone entry ---------------------------------------


class WardForm(WhenForm):
    """Ward staff ask for one veteran of the ward, or for the whole ward."""

    field_order = ["veteran", "service", "urgency"]

    veteran = forms.ModelChoiceField(
        label=_("For whom"),
        queryset=Veteran.objects.none(),
        required=False,
        blank=True,  # a radio button for "the whole ward"
        empty_label=_("The whole ward"),
        widget=LargeRadioSelect,
    )
    service = ServiceField(widget=LargeRadioSelect)
    key = KeyField()

    def __init__(self, *args: Any, actor: User, department: Department, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.department = department
        field = self.fields["veteran"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = page_selectors.ward_veterans(actor=actor, department=department)

    def values(self) -> dict[str, Any]:
        """The request to create: `request_create`'s keyword arguments."""
        d, institution = self.cleaned_data, self.department.institution
        return {
            "service_type": d["service"],
            "institution": institution,
            "department": self.department,
            "veteran": d["veteran"],
            "details": d["details"],
            "urgency": d["urgency"],
            "window": self.window(institution.region.zone),
            "idempotency_key": d["key"],
        }


class DepartmentChoiceField(forms.ModelChoiceField[Department]):
    def label_from_instance(self, obj: Department) -> str:
        return f"{obj.institution.name} — {obj.name}"


class VeteranChoiceField(forms.ModelChoiceField[Veteran]):
    def label_from_instance(self, obj: Veteran) -> str:
        stay = page_selectors.current_stay(obj)
        return f"{obj.addressed_as} — {stay.institution.name}" if stay else obj.addressed_as


# The fields of a veteran not in Ryadom yet, named as the admission service names them.
NEWCOMER_FIELDS = ["addressed_as", "gender", "phone", "admitted_on", "witness", "different_person"]


class IntakeForm(WhenForm):
    """A coordinator enters a request for someone who phoned: for a veteran in the list, the
    whole ward, or a veteran not in Ryadom yet (admitted on the way, `phone_request_create`)."""

    field_order = [
        "requester_name",
        "institution",
        "department",
        "veteran",
        *NEWCOMER_FIELDS,
        "service",
        "urgency",
    ]

    requester_name = forms.CharField(
        label=_("Who called"),
        max_length=120,
        help_text=_("Name and, if they are not the veteran, who they are to the veteran."),
    )
    institution = InstitutionChoiceField(
        label=_("Institution"), queryset=Institution.objects.none()
    )
    department = DepartmentChoiceField(
        label=_("Ward"), queryset=Department.objects.none(), required=False
    )
    veteran = VeteranChoiceField(
        label=_("Veteran"),
        queryset=Veteran.objects.none(),
        required=False,
        empty_label=_("Not a particular veteran (the whole ward)"),
    )
    addressed_as = forms.CharField(
        label=_("How the veteran wishes to be addressed"),
        max_length=120,
        required=False,
        help_text=_("Only for a veteran not in the list above: they are admitted as you send."),
    )
    gender = forms.ChoiceField(
        label=_("Gender"), choices=[("", "—"), *Gender.choices], required=False
    )
    phone = forms.CharField(
        label=_("The veteran's mobile phone"),
        required=False,
        max_length=20,
        help_text=_("Optional. It catches a second record of the same person."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    admitted_on = forms.DateField(
        label=_("Admitted on"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("Leave empty for today."),
    )
    witness = forms.CharField(
        label=_("Witness of the spoken consent (name and position)"),
        required=False,
        max_length=120,
        help_text=_(
            "The veteran agreed aloud that we arrange help. Write who heard it with you, "
            "e.g. the ward nurse who passed them the phone."
        ),
    )
    different_person = forms.BooleanField(
        label=_("This is a different person with the same name"), required=False
    )
    service = ServiceField(widget=forms.Select)
    key = KeyField()

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        querysets: dict[str, Any] = {
            "institution": page_selectors.queue_institutions(actor=actor),
            "department": page_selectors.intake_departments(actor=actor),
            "veteran": page_selectors.intake_veterans(actor=actor),
        }
        for name, queryset in querysets.items():
            field = self.fields[name]
            assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
            field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        super().clean()
        d = self.cleaned_data
        if d.get("addressed_as", "").strip():
            if d.get("veteran") is not None:
                self.add_error(
                    "veteran",
                    _("Choose a veteran from the list or write a new one's name, not both."),
                )
            if not d.get("gender"):
                self.add_error("gender", _("Choose the veteran's gender."))
        return d

    def groups(self) -> list[tuple[str | None, list[forms.BoundField]]]:
        """The visible fields in the page's order; a new veteran's under their own legend."""
        visible = self.visible_fields()
        before = [f for f in visible if f.name in self.field_order[:4]]
        newcomer = [f for f in visible if f.name in NEWCOMER_FIELDS]
        after = [f for f in visible if f not in before and f not in newcomer]
        return [(None, before), (str(_("Or a veteran not in Ryadom yet")), newcomer), (None, after)]

    def newcomer(self) -> Newcomer | None:
        d = self.cleaned_data
        if not d["addressed_as"].strip():
            return None
        return Newcomer(
            addressed_as=d["addressed_as"],
            gender=d["gender"],
            witness=d["witness"],
            admitted_on=d["admitted_on"] or timezone.localdate(),
            phone=d["phone"],
            different_person=d["different_person"],
        )

    def values(self) -> dict[str, Any]:
        """The request to create: `phone_request_create`'s keyword arguments."""
        d = self.cleaned_data
        return {
            "service_type": d["service"],
            "institution": d["institution"],
            "department": d["department"],
            "veteran": d["veteran"],
            "newcomer": self.newcomer(),
            "details": d["details"],
            "urgency": d["urgency"],
            "window": self.window(d["institution"].region.zone),
            "requester_name": d["requester_name"],
            "idempotency_key": d["key"],
        }
