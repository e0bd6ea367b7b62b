"""Windows and visits stay within 2000-2099 (UTC), as the API and the pages now require.

Rows stored before that check with a moment outside it made every page listing them fail;
such a window is dropped (the request stays, without a preferred time) and such a visit,
which could never have taken place, is deleted, before the database holds the range.
"""

import datetime

from django.db import migrations, models
from django.db.models import Q

EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
LATEST = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)


def clear_out_of_range(apps, schema_editor):  # type: ignore[no-untyped-def]
    CareRequest = apps.get_model("care", "CareRequest")
    Visit = apps.get_model("care", "Visit")
    CareRequest.objects.filter(
        Q(window_starts__lt=EARLIEST)
        | Q(window_starts__gte=LATEST)
        | Q(window_ends__lt=EARLIEST)
        | Q(window_ends__gte=LATEST)
    ).update(window_starts=None, window_ends=None)
    Visit.objects.filter(
        Q(starts__lt=EARLIEST) | Q(starts__gte=LATEST) | Q(ends__lt=EARLIEST) | Q(ends__gte=LATEST)
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0002_visit_debriefs"),
    ]

    operations = [
        migrations.RunPython(clear_out_of_range, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="carerequest",
            constraint=models.CheckConstraint(
                condition=(Q(window_starts__isnull=True) | Q(window_starts__gte=EARLIEST))
                & (Q(window_ends__isnull=True) | Q(window_ends__lt=LATEST)),
                name="care_request_window_in_range",
            ),
        ),
        migrations.AddConstraint(
            model_name="visit",
            constraint=models.CheckConstraint(
                condition=Q(starts__gte=EARLIEST, ends__lt=LATEST), name="care_visit_in_range"
            ),
        ),
    ]
