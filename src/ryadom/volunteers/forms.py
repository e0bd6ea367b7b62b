"""Page forms for volunteers: they parse input; the services decide what is allowed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ryadom.catalogue.models import ServiceType, Skill
from ryadom.core.forms import PageForm
from ryadom.core.i18n import by_name
from ryadom.core.weekly import Weekday
from ryadom.geo.models import Region, Settlement
from ryadom.volunteers.models import CheckKind, CheckStatus, Gender
from ryadom.volunteers.services import Window

# Fields passed to `volunteer_profile_save` as they are cleaned.
PROFILE_FIELDS = (
    "region",
    "settlement",
    "gender",
    "first_name",
    "last_name",
    "birth_year",
    "skills",
    "interests",
    "travel_radius_km",
    "weekly_task_cap",
    "is_veteran",
    "is_veteran_relative",
)


class ProfileForm(PageForm):
    """The volunteer's profile; weekly availability as a from–to pair for each weekday."""

    first_name = forms.CharField(label=_("First name"), max_length=150)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    region = forms.ModelChoiceField(queryset=Region.objects.all(), label=_("Region where you live"))
    settlement = forms.ModelChoiceField(
        queryset=Settlement.objects.select_related("region"),
        required=False,
        label=_("Town or city"),
        help_text=_("Your travel radius counts from here."),
    )
    gender = forms.ChoiceField(
        choices=Gender.choices,
        widget=forms.RadioSelect,
        label=_("Gender"),
        help_text=_("Some personal care is given only by a helper of the same gender."),
    )
    birth_year = forms.IntegerField(
        label=_("Year of birth"), min_value=1920, max_value=2012, required=False
    )
    skills = forms.ModelMultipleChoiceField(
        queryset=Skill.objects.order_by("code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("What you can do"),
    )
    interests = forms.ModelMultipleChoiceField(
        queryset=ServiceType.objects.filter(is_active=True).order_by("category", "code"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("What you would like to help with"),
    )
    languages = forms.CharField(
        label=_("Languages you speak"),
        initial="ru",
        max_length=100,
        help_text=_("Two-letter codes separated by commas, e.g. ru, en, tt."),
    )
    travel_radius_km = forms.IntegerField(
        label=_("How far you can travel, km"), min_value=1, max_value=500, initial=15
    )
    weekly_task_cap = forms.IntegerField(
        label=_("Tasks a week at most"), min_value=1, max_value=50, initial=3
    )
    is_veteran = forms.BooleanField(label=_("I am a veteran"), required=False)
    is_veteran_relative = forms.BooleanField(label=_("I am a veteran's relative"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Sorted when the form is made, in the language of whoever reads it.
        for name in ("region", "settlement"):
            field = self.fields[name]
            field.queryset = field.queryset.order_by(by_name())  # type: ignore[attr-defined]
        for day in Weekday:
            self.fields[f"from_{day.value}"] = forms.TimeField(
                label=_("%(day)s from") % {"day": day.label},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )
            self.fields[f"to_{day.value}"] = forms.TimeField(
                label=_("%(day)s until") % {"day": day.label},
                required=False,
                widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
            )

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [f for f in self.visible_fields() if not f.name.startswith(("from_", "to_"))]

    @property
    def days(self) -> list[tuple[str, forms.BoundField, forms.BoundField]]:
        return [(str(d.label), self[f"from_{d.value}"], self[f"to_{d.value}"]) for d in Weekday]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        for day in Weekday:
            starts, ends = data.get(f"from_{day.value}"), data.get(f"to_{day.value}")
            if (starts is None) != (ends is None):
                self.add_error(f"to_{day.value}", _("Give both times, or neither."))
            elif starts is not None and ends is not None and ends <= starts:
                self.add_error(f"to_{day.value}", _("The end must be later than the start."))
        return data

    def windows(self) -> list[Window]:
        data = self.cleaned_data
        return [
            (day.value, data[f"from_{day.value}"], data[f"to_{day.value}"])
            for day in Weekday
            if data.get(f"from_{day.value}") and data.get(f"to_{day.value}")
        ]

    def languages_list(self) -> list[str]:
        return [c for c in self.cleaned_data["languages"].replace(";", ",").split(",")]

    def profile(self) -> dict[str, Any]:
        """The cleaned profile as `volunteer_profile_save` takes it."""
        data = self.cleaned_data
        return {
            **{name: data[name] for name in PROFILE_FIELDS},
            "languages": self.languages_list(),
            "availability": self.windows(),
        }

    @staticmethod
    def initial_from(volunteer: Any) -> dict[str, Any]:
        initial: dict[str, Any] = {
            "first_name": volunteer.user.first_name,
            "last_name": volunteer.user.last_name,
            "region": volunteer.region_id,
            "settlement": volunteer.settlement_id,
            "gender": volunteer.gender,
            "birth_year": volunteer.birth_year,
            "skills": list(volunteer.skills.all()),
            "interests": list(volunteer.interests.all()),
            "languages": ", ".join(volunteer.languages),
            "travel_radius_km": volunteer.travel_radius_km,
            "weekly_task_cap": volunteer.weekly_task_cap,
            "is_veteran": volunteer.is_veteran,
            "is_veteran_relative": volunteer.is_veteran_relative,
        }
        for window in volunteer.availability.all():
            initial[f"from_{window.weekday}"] = window.starts
            initial[f"to_{window.weekday}"] = window.ends
        return initial


class CheckForm(PageForm):
    """A check recorded by an NGO manager or a liaison."""

    kind = forms.ChoiceField(choices=CheckKind.choices, label=_("Check"))
    status = forms.ChoiceField(choices=CheckStatus.choices, label=_("Status"))
    valid_until = forms.DateField(
        label=_("Valid until"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    detail = forms.CharField(
        label=_("Course name or note"),
        max_length=200,
        required=False,
        help_text=_("For training, the course. Never write what a screening looked into."),
    )


class HourLimitForm(PageForm):
    weekly_hour_limit = forms.IntegerField(
        label=_("Hours a week at most"),
        min_value=1,
        max_value=80,
        required=False,
        help_text=_("Empty: no limit."),
    )


class DecideForm(PageForm):
    decision = forms.ChoiceField(choices=[("approve", _("Approve")), ("decline", _("Decline"))])
