"""Load skills and service types from catalogue/data/*.json."""

import json
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def load(apps, schema_editor):
    Skill = apps.get_model("catalogue", "Skill")
    ServiceType = apps.get_model("catalogue", "ServiceType")
    skills = {}
    for row in json.loads((DATA / "skills.json").read_text(encoding="utf-8")):
        code = row.pop("code")
        skills[code], _ = Skill.objects.update_or_create(code=code, defaults=row)
    for row in json.loads((DATA / "service_types.json").read_text(encoding="utf-8")):
        service, _ = ServiceType.objects.update_or_create(
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
        service.required_skills.set([skills[c] for c in row["skills"]])


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0001_initial")]
    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
