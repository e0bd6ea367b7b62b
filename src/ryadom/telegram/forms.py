"""The form of the notification settings page."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ryadom.notifications.models import ChannelName


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

    def times(self) -> tuple[datetime.time | None, datetime.time | None]:
        data: dict[str, Any] = self.cleaned_data
        return data.get("quiet_from"), data.get("quiet_until")
