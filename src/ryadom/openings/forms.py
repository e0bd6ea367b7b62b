"""Page forms for openings: they parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ryadom.accounts.models import User
from ryadom.catalogue.models import ServiceType, Skill
from ryadom.core.forms import PageForm
from ryadom.institutions.models import Department, Institution
from ryadom.openings.models import MAX_DESCRIPTION_LENGTH, Recurrence
from ryadom.openings.selectors import postable_institutions


class OpeningForm(PageForm):
    title = forms.CharField(
        label=_("What is the work"),
        max_length=200,
        help_text=_("E.g. “Saturday reading for the neurology ward”."),
    )
    # Narrowed to what the actor may post for in __init__.
    institution = forms.ModelChoiceField(
        label=_("Institution"), queryset=Institution.objects.none()
    )
    department = forms.ModelChoiceField(
        label=_("Ward or department"), queryset=Department.objects.none(), required=False
    )
    recurrence = forms.ChoiceField(
        label=_("How often"),
        choices=Recurrence.choices,
        initial=Recurrence.ONCE,
        widget=forms.RadioSelect,
    )
    starts_on = forms.DateField(
        label=_("Day (the first one, for weekly work)"),
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    ends_on = forms.DateField(
        label=_("Last day of weekly work"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty for one-off work, or for weekly work without an end."),
    )
    start_time = forms.TimeField(
        label=_("From (local time)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    end_time = forms.TimeField(
        label=_("Until (local time)"), widget=forms.TimeInput(attrs={"type": "time"})
    )
    needed = forms.IntegerField(label=_("Volunteers needed"), min_value=1, max_value=100, initial=1)
    service_type = forms.ModelChoiceField(
        label=_("Kind of help"),
        queryset=ServiceType.objects.filter(is_active=True).order_by("category", "code"),
        required=False,
    )
    required_skills = forms.ModelMultipleChoiceField(
        label=_("Skills needed"),
        queryset=Skill.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    description = forms.CharField(
        label=_("What volunteers should know"),
        required=False,
        max_length=MAX_DESCRIPTION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, actor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        institutions = postable_institutions(actor=actor)
        self.fields["institution"].queryset = institutions  # type: ignore[attr-defined]
        self.fields["department"].queryset = (  # type: ignore[attr-defined]
            Department.objects.filter(institution__in=institutions)
            .select_related("institution")
            .order_by("institution__name", "name")
        )
        self.fields["department"].label_from_instance = (  # type: ignore[attr-defined]
            lambda d: f"{d.institution.name}: {d.name}"
        )


class ApplyForm(PageForm):
    message = forms.CharField(
        label=_("A word to whoever posted it (optional)"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DeclineForm(PageForm):
    reason = forms.CharField(
        label=_("Why (the volunteer sees this)"), required=False, max_length=500
    )
