"""Forms of the discharge plan and the follow-up contact. They parse; the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ryadom.aftercare.models import ATTEMPT_RESULTS, Need
from ryadom.aftercare.services import CONSENT_LATER, PlanInput
from ryadom.catalogue.models import ServiceType
from ryadom.core.forms import PageForm
from ryadom.geo.models import Region, Settlement
from ryadom.organisations.models import Organisation
from ryadom.veterans.models import Stay

PHONE = forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})


class PlanForm(PageForm):
    home_region = forms.ModelChoiceField(label=_("Home region"), queryset=Region.objects.all())
    home_settlement = forms.ModelChoiceField(
        label=_("Town or village"), queryset=Settlement.objects.none(), required=False
    )
    needs = forms.MultipleChoiceField(
        label=_("Needs at home"),
        choices=Need.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    family_name = forms.CharField(label=_("Family contact"), max_length=120, required=False)
    family_phone = forms.CharField(
        label=_("Family contact's phone"), max_length=20, required=False, widget=PHONE
    )
    consent_method = forms.ChoiceField(
        label=_("Consent to hand the case over to the home region"),
        choices=[
            ("spoken", _("Said aloud to me before a witness")),
            ("witness", _("Signed on paper before a witness")),
            (CONSENT_LATER, _("Not yet: the veteran or a relative will give it online")),
        ],
        initial="spoken",
        widget=forms.RadioSelect,
        help_text=_("Without it, the plan stays with the hospital's coordinators."),
    )
    witness = forms.CharField(label=_("Witness"), max_length=120, required=False)

    def __init__(self, *args: Any, stay: Stay, **kwargs: Any) -> None:
        region = stay.veteran.home_region
        super().__init__(*args, initial={"home_region": region}, **kwargs)
        settlements = Settlement.objects.filter(region=region).order_by("name_ru")
        self.fields["home_settlement"].queryset = settlements  # type: ignore[attr-defined]

    def values(self) -> PlanInput:
        return PlanInput(**self.cleaned_data)


class AttemptForm(PageForm):
    result = forms.ChoiceField(
        label=_("What came of it"),
        choices=[(r.value, r.label) for r in ATTEMPT_RESULTS],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(label=_("Note"), max_length=1000, required=False, widget=forms.Textarea)
    service_type = forms.ModelChoiceField(
        label=_("Help needed now"),
        queryset=ServiceType.objects.filter(is_active=True).order_by("category", "code"),
        required=False,
        help_text=_("Only with “New needs found”: a request is made at once."),
    )
    details = forms.CharField(
        label=_("Details for the request"), max_length=2000, required=False, widget=forms.Textarea
    )

    def values(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class DelegateForm(PageForm):
    organisation = forms.ModelChoiceField(
        label=_("NGO to make the contact"), queryset=Organisation.objects.none(), required=False
    )

    def __init__(self, *args: Any, region_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = Organisation.objects.filter(  # type: ignore[attr-defined]
            is_active=True, regions=region_id
        ).order_by("name")
