"""The navigator's forms: the questions, a checklist mark, and a payment question."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ryadom.core.forms import PageForm
from ryadom.entitlements.models import Circumstances, Mark, Status
from ryadom.geo.models import Region


class CircumstancesForm(PageForm):
    status = forms.ChoiceField(
        label=_("Who are you"), choices=Status.choices, widget=forms.RadioSelect
    )
    region = forms.ModelChoiceField(
        label=_("Region where you live"),
        queryset=Region.objects.order_by("name_ru"),
        to_field_name="code",
    )
    disability_group = forms.TypedChoiceField(
        label=_("Disability group"),
        coerce=int,
        choices=[(0, _("None")), (1, _("Group I")), (2, _("Group II")), (3, _("Group III"))],
    )
    wounded = forms.BooleanField(label=_("Wounded or injured in service"), required=False)
    married = forms.BooleanField(label=_("Married"), required=False)
    children = forms.IntegerField(label=_("Children under 18"), min_value=0, max_value=30)
    dependants = forms.IntegerField(label=_("Other dependants"), min_value=0, max_value=30)
    served_from = forms.DateField(
        label=_("Served from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    served_to = forms.DateField(
        label=_("Served until"),
        required=False,
        help_text=_("Leave empty if you do not know; measures that depend on it will not show."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )

    @classmethod
    def of(cls, record: Circumstances | None, home: Region, data: Any = None) -> CircumstancesForm:
        initial: dict[str, Any] = {"region": home.code, "children": 0, "dependants": 0}
        if record is not None:
            initial = {f: getattr(record, f) for f in cls.base_fields}
            initial["region"] = record.region.code
        return cls(data, initial=initial)


class MarkForm(PageForm):
    status = forms.ChoiceField(label=_("Mark"), choices=Mark.choices)


class PaymentIssueForm(PageForm):
    measure = forms.CharField(widget=forms.HiddenInput, required=False)
    details = forms.CharField(
        label=_("Which payment, and what is wrong"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("For example: the March payment has not come; or it is smaller than before."),
    )
