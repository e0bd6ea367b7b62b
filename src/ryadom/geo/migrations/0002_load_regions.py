"""Load every federal subject and the reference settlements from geo/data/*.json."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    Region = apps.get_model("geo", "Region")
    Settlement = apps.get_model("geo", "Settlement")
    regions = {}
    for row in json.loads((DATA / "regions.json").read_text(encoding="utf-8")):
        code = row.pop("code")
        regions[code], _ = Region.objects.update_or_create(code=code, defaults=row)
    for row in json.loads((DATA / "settlements.json").read_text(encoding="utf-8")):
        region = regions[row.pop("region")]
        name_ru = row.pop("name_ru")
        Settlement.objects.update_or_create(region=region, name_ru=name_ru, defaults=row)


class Migration(migrations.Migration):
    dependencies = [("geo", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
