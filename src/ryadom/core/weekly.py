"""Weekly time intervals (visiting hours, availability), in the local time of a region."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _


class Weekday(models.IntegerChoices):
    MONDAY = 0, _("Monday")
    TUESDAY = 1, _("Tuesday")
    WEDNESDAY = 2, _("Wednesday")
    THURSDAY = 3, _("Thursday")
    FRIDAY = 4, _("Friday")
    SATURDAY = 5, _("Saturday")
    SUNDAY = 6, _("Sunday")


class WeeklyInterval(models.Model):
    """From `starts` to `ends` on one weekday; an interval never crosses midnight."""

    weekday = models.PositiveSmallIntegerField(_("weekday"), choices=Weekday.choices)
    starts = models.TimeField(_("starts at"))
    ends = models.TimeField(_("ends at"))

    class Meta:
        abstract = True
        ordering = ["weekday", "starts"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends__gt=F("starts")), name="%(app_label)s_%(class)s_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(weekday__gte=0, weekday__lte=6),
                name="%(app_label)s_%(class)s_weekday_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.starts:%H:%M}–{self.ends:%H:%M}"

    def clean(self) -> None:
        super().clean()
        if self.starts is not None and self.ends is not None and self.ends <= self.starts:
            raise ValidationError(
                {
                    "ends": _(
                        "The interval ends at %(ends)s, which is not after it starts "
                        "(%(starts)s). An interval must end later the same day."
                    )
                    % {"ends": self.ends.strftime("%H:%M"), "starts": self.starts.strftime("%H:%M")}
                }
            )
