"""The form of the notification settings page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ryadom.notifications.models import ChannelName, Preference


class PreferenceForm(forms.Form):
    channels = forms.MultipleChoiceField(
        label=_("Where to send me messages"),
        choices=ChannelName.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one of: e-mail, SMS, Telegram.")},
    )
    quiet_from = forms.TimeField(
        label=_("Quiet hours from"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    quiet_until = forms.TimeField(
        label=_("Quiet hours until"),
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        help_text=_("Local time. Leave both empty to get messages at any hour."),
    )

    @staticmethod
    def initial_of(preference: Preference) -> dict[str, Any]:
        """The form's starting values: the settings as they are."""
        return {
            "channels": preference.channels,
            "quiet_from": preference.quiet_from,
            "quiet_until": preference.quiet_until,
        }
