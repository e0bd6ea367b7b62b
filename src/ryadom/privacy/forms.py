"""The period of the coordinators' inspection export."""

from __future__ import annotations

import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ryadom.core.forms import PageForm


class PeriodForm(PageForm):
    since = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput({"type": "date"})
    )
    until = forms.DateField(
        label=_("Until (inclusive)"), required=False, widget=forms.DateInput({"type": "date"})
    )

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if isinstance(since, datetime.date) and isinstance(until, datetime.date) and until < since:
            self.add_error("until", _("The end of the period is before its start."))
        return data

    def bounds(self) -> tuple[datetime.datetime | None, datetime.datetime | None]:
        def start_of(day: datetime.date | None) -> datetime.datetime | None:
            if day is None:
                return None
            return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))

        until = self.cleaned_data.get("until")
        return start_of(self.cleaned_data.get("since")), start_of(
            until + datetime.timedelta(days=1) if until else None
        )
