"""Forms of admission, transfer and discharge, signing up as a veteran or a relative, and
"what matters to me". They parse; the services decide."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ryadom.accounts.models import User
from ryadom.core.forms import PageForm
from ryadom.institutions.models import Department, Institution
from ryadom.veterans import selectors
from ryadom.veterans.models import AdmissionClaim, Veteran
from ryadom.volunteers.models import Gender


class WardChoiceField(forms.ModelChoiceField[Department]):
    def label_from_instance(self, obj: Department) -> str:
        return f"{obj.institution.name} — {obj.name}"


class InstitutionChoiceField(forms.ModelChoiceField[Institution]):
    def label_from_instance(self, obj: Institution) -> str:
        return f"{obj.name} ({obj.region.name})"


# ISO in the value: a browser's date picker reads nothing else, whatever the page's language.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _today() -> datetime.date:
    return timezone.localdate()


class AdmissionForm(PageForm):
    addressed_as = forms.CharField(
        label=_("How the veteran wishes to be addressed"),
        max_length=120,
        help_text=_("A name, or a name and patronymic. Never a rank or a diagnosis."),
    )
    gender = forms.ChoiceField(label=_("Gender"), choices=Gender.choices)
    place = forms.ChoiceField(label=_("Ward"))
    admitted_on = forms.DateField(label=_("Admitted on"), initial=_today, widget=DATE)
    phone = forms.CharField(
        label=_("The veteran's mobile phone"),
        required=False,
        max_length=20,
        help_text=_("Optional. The consent code goes there; it also catches a second admission."),
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    consent = forms.ChoiceField(
        label=_("Consent to arranging help"),
        choices=[
            ("code", _("A code to the veteran's phone; they read it out to you")),
            ("witness", _("Signed on paper before a witness")),
        ],
        initial="code",
        widget=forms.RadioSelect,
    )
    witness = forms.CharField(
        label=_("Witness (name and position)"), required=False, max_length=120
    )
    scan = forms.FileField(
        label=_("Photo or scan of the signed form"),
        required=False,
        help_text=_("JPEG, PNG or PDF, at most 5 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,application/pdf"}),
    )
    different_person = forms.BooleanField(
        label=_("This is a different person with the same name"), required=False
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.places = {
            f"{i.pk}-{d.pk if d else 0}": (i, d) for i, d in selectors.admission_places(actor=actor)
        }
        field = self.fields["place"]
        field.choices = [  # type: ignore[attr-defined]
            (key, f"{i.name} — {d.name}" if d else i.name) for key, (i, d) in self.places.items()
        ]
        if len(self.places) == 1:
            field.initial = next(iter(self.places))

    def values(self) -> dict[str, Any]:
        """The service's keyword arguments."""
        d = self.cleaned_data
        return {
            "addressed_as": d["addressed_as"],
            "gender": d["gender"],
            "institution": self.places[d["place"]][0],
            "department": self.places[d["place"]][1],
            "admitted_on": d["admitted_on"],
            "phone": d["phone"],
            "consent": d["consent"],
            "witness": d["witness"],
            "scan": d["scan"] or None,
            "different_person": d["different_person"],
        }


class ConsentCodeForm(PageForm):
    code = forms.CharField(
        label=_("The code the veteran received"),
        max_length=12,
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "inputmode": "numeric", "pattern": "[0-9]*"}
        ),
    )


class TransferForm(PageForm):
    institution = InstitutionChoiceField(
        label=_("Transferred to"),
        queryset=Institution.objects.filter(is_active=True)
        .select_related("region")
        .order_by("region__code", "name"),
    )
    on = forms.DateField(label=_("On"), initial=_today, widget=DATE)


class DischargeForm(PageForm):
    on = forms.DateField(label=_("Discharged on"), initial=_today, widget=DATE)


class ClaimForm(PageForm):
    code = forms.CharField(
        label=_("The code on your admission slip"),
        max_length=12,
        help_text=_("Eight letters and digits, e.g. K7MQ-2XPA. The ward staff gave it to you."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )


class ClaimAskForm(PageForm):
    institution = InstitutionChoiceField(
        label=_("The hospital where you are treated"),
        queryset=Institution.objects.filter(is_active=True)
        .select_related("region")
        .order_by("region__code", "name"),
    )
    name = forms.CharField(
        label=_("Your name, as the ward knows it"),
        max_length=120,
        help_text=_("E.g. Ivan Petrovich Sokolov. The ward staff compare it with their patients."),
    )


class PatientChoiceField(forms.ModelChoiceField[Veteran]):
    def label_from_instance(self, obj: Veteran) -> str:
        return obj.addressed_as


class ClaimConfirmForm(PageForm):
    """The ward staff choose which of their patients the person asking is."""

    veteran = PatientChoiceField(label=_("This is our patient"), queryset=Veteran.objects.none())

    def __init__(self, *args: Any, claim: AdmissionClaim, **kwargs: Any) -> None:
        super().__init__(*args, prefix=f"claim-{claim.pk}", **kwargs)
        self.claim = claim
        candidates = selectors.admission_claim_candidates(claim=claim)
        field = self.fields["veteran"]
        field.queryset = candidates  # type: ignore[attr-defined]
        same = [v.pk for v in candidates if selectors.same_name(v.addressed_as, claim.name)]
        if len(same) == 1:  # the one patient of that name: offered first
            field.initial = same[0]


class RelativeAskForm(PageForm):
    ward = WardChoiceField(
        label=_("Ward"),
        queryset=Department.objects.filter(institution__is_active=True)
        .select_related("institution")
        .order_by("institution__name", "name"),
    )
    veteran_name = forms.CharField(
        label=_("The veteran's name, as the ward knows it"), max_length=120, required=False
    )
    veteran_phone = forms.CharField(
        label=_("The veteran's mobile phone"),
        max_length=20,
        required=False,
        help_text=_("If they have one: they approve you there."),
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    relation = forms.CharField(
        label=_("Who you are to them"), max_length=60, help_text=_("E.g. wife, son, mother.")
    )

    def __init__(self, *args: Any, fixed_ward: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if fixed_ward:  # came from the ward's QR code: the ward is known
            self.fields["ward"].widget = forms.HiddenInput()

    def values(self) -> dict[str, Any]:
        """The service's keyword arguments."""
        d = self.cleaned_data
        return {
            "institution": d["ward"].institution,
            "department": d["ward"],
            "veteran_name": d["veteran_name"],
            "veteran_phone": d["veteran_phone"],
            "relation": d["relation"],
        }


class WhatMattersForm(PageForm):
    addressed_as = forms.CharField(label=_("How to address me"), max_length=120)
    what_matters = forms.CharField(
        label=_("What matters to me"),
        required=False,
        max_length=2000,
        help_text=_(
            "Habits, wishes, what helps you feel like yourself. Only the coordinator reads this."
        ),
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    communication_needs = forms.CharField(
        label=_("Communication"),
        required=False,
        max_length=500,
        help_text=_("E.g. hard of hearing: write notes. The volunteer of a visit sees this."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    mobility_needs = forms.CharField(
        label=_("Moving about"),
        required=False,
        max_length=500,
        help_text=_("E.g. wheelchair user, one working hand. The volunteer of a visit sees this."),
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    @classmethod
    def of(cls, veteran: Veteran, data: Any = None) -> WhatMattersForm:
        """The form filled in with what the veteran's record says now."""
        return cls(data, initial={name: getattr(veteran, name) for name in cls.base_fields})
