"""A new request is marked to be announced; existing requests were announced when made."""

from __future__ import annotations

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("care", "0004_event_codes")]

    operations = [
        migrations.AddField(
            model_name="carerequest",
            name="to_announce",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddIndex(
            model_name="carerequest",
            index=models.Index(
                condition=models.Q(("to_announce", True)),
                fields=["created_at"],
                name="care_request_to_announce",
            ),
        ),
    ]
