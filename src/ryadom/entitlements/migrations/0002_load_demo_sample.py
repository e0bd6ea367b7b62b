"""Load the demo sample of support measures (entitlements/data/measures_demo.json). Every
measure is marked `is_demo_sample`: pages show it as a demo sample, not legal advice. A
region keeps its own catalogue by editing or importing over it (natural key: code)."""

import datetime
import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _day(value):
    return datetime.date.fromisoformat(value) if value else None


def load(apps, schema_editor):
    Measure = apps.get_model("entitlements", "Measure")
    Region = apps.get_model("geo", "Region")
    for row in json.loads((DATA / "measures_demo.json").read_text(encoding="utf-8")):
        Measure.objects.update_or_create(
            code=row["code"],
            defaults={
                "level": row["level"],
                "region": Region.objects.get(code=row["region"]) if row["region"] else None,
                "title_ru": row["title_ru"],
                "title_en": row["title_en"],
                "gives_ru": row["gives_ru"],
                "gives_en": row["gives_en"],
                "documents": row["documents"],
                "how_to_apply": row["how_to_apply"],
                "legal_basis": row["legal_basis"],
                "conditions": row["conditions"],
                "effective_from": _day(row["effective_from"]),
                "effective_to": _day(row["effective_to"]),
                "is_demo_sample": True,
            },
        )


class Migration(migrations.Migration):
    dependencies = [
        ("entitlements", "0001_measures_circumstances_checklist"),
        ("geo", "0002_load_regions"),
    ]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
