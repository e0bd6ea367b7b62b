"""The three steps of /ask/: their forms, and which step a submission shows next."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import Model, QuerySet
from django.http import QueryDict
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from ryadom.care import page_selectors
from ryadom.care.forms import KeyField, LargeRadioSelect, ServiceField, WhenForm
from ryadom.care.models import Urgency
from ryadom.core.errors import ApplicationError, NotFoundError
from ryadom.core.forms import PageForm
from ryadom.core.pages import forms_error
from ryadom.institutions.models import Department, Institution
from ryadom.veterans.models import Veteran


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
