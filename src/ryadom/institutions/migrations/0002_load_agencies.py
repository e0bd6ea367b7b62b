"""Load the owning agencies from institutions/data/agencies.json."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    Agency = apps.get_model("institutions", "Agency")
    for row in json.loads((DATA / "agencies.json").read_text(encoding="utf-8")):
        code = row.pop("code")
        Agency.objects.update_or_create(code=code, defaults=row)


class Migration(migrations.Migration):
    dependencies = [("institutions", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
