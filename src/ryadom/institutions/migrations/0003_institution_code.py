"""Institutions get a registry code, the key bulk imports find them by; existing rows get
their region's code and their id (77-0012)."""

from __future__ import annotations

from typing import Any

from django.db import migrations, models


def fill_codes(apps: Any, schema_editor: Any) -> None:
    Institution = apps.get_model("institutions", "Institution")
    rows = list(Institution.objects.select_related("region").filter(code__isnull=True))
    for row in rows:
        row.code = f"{row.region.code}-{row.pk:04d}"
    Institution.objects.bulk_update(rows, ["code"], batch_size=500)


class Migration(migrations.Migration):
    dependencies = [("institutions", "0002_load_agencies")]

    operations = [
        migrations.AddField(
            model_name="institution",
            name="code",
            field=models.CharField(
                blank=True,
                help_text="The institution's registry code, e.g. 77-0001: the key of bulk imports.",
                max_length=20,
                null=True,
                unique=True,
                verbose_name="code",
            ),
        ),
        migrations.RunPython(fill_codes, migrations.RunPython.noop),
    ]
