"""Add the service "a payment is late or wrong" (benefits.payment_issue) from
catalogue/data/service_types.json."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"
CODES = ("benefits.payment_issue",)


def load(apps, schema_editor):
    ServiceType = apps.get_model("catalogue", "ServiceType")
    for row in json.loads((DATA / "service_types.json").read_text(encoding="utf-8")):
        if row["code"] not in CODES:
            continue
        ServiceType.objects.update_or_create(
            code=row["code"],
            defaults={
                "category": row["category"],
                "name_ru": row["name_ru"],
                "name_en": row["name_en"],
                "standard_ru": row["standard_ru"],
                "standard_en": row["standard_en"],
                "standard_hours": row["standard_hours"],
                "needs_professional": row["professional"],
                "same_gender_helper": row["same_gender"],
                "needs_security_screening": row["screening"],
            },
        )


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0002_load_catalogue")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
