"""Timeline notes written by the system become codes read in the reader's language.

Rows written before are mapped from their known Russian or English text to a code; any other
note is what a person typed and stays as it is.
"""

from __future__ import annotations

import re
from typing import Any

from django.db import migrations, models

CHANNELS = {
    "web": ("Сайт", "Website"),
    "ward": ("Персонал отделения", "Ward staff"),
    "phone": ("Звонок координатору", "Phone call to the coordinator"),
    "api": ("API", "API"),
    "hospital_system": ("Информационная система больницы", "Hospital information system"),
    "telegram": ("Telegram", "Telegram"),
}
FIXED = {
    "Срок пропущен: заявка передана региональному координатору.": "escalated_regional",
    "Deadline missed: escalated to the regional coordinator.": "escalated_regional",
    "Срок снова пропущен: заявка передана на федеральный уровень.": "escalated_federal",
    "Deadline missed again: escalated to federal staff.": "escalated_federal",
    "Ветеран сообщает, что помощь не оказана.": "veteran_says_not_done",
    "The veteran says it was not done.": "veteran_says_not_done",
    "Согласие на организацию помощи отозвано.": "consent_withdrawn",
    "The consent to arranging help is withdrawn.": "consent_withdrawn",
}
MOVED = [
    re.compile(r"^Перенесена вместе с ветераном: (?P<place>.+)\.$", re.S),
    re.compile(r"^Moved with the veteran to (?P<place>.+)\.$", re.S),
]
RUN = [
    re.compile(r"^Предложено подбором #(?P<run>\d+)\.$"),
    re.compile(r"^Suggested by matching run #(?P<run>\d+)\.$"),
]


def _coded(action: str, note: str) -> tuple[str, dict[str, Any]] | None:
    text = note.strip()
    if action == "create":
        for channel, labels in CHANNELS.items():
            if text in labels:
                return "asked_via", {"channel": channel}
        return None
    if text in FIXED:
        return FIXED[text], {}
    for pattern in RUN:
        if match := pattern.match(text):
            return "suggested_by_run", {"run": int(match["run"])}
    for pattern in MOVED:
        if match := pattern.match(text):
            return "moved_with_veteran", {"place": match["place"]}
    return None


def notes_to_codes(apps: Any, schema_editor: Any) -> None:
    Event = apps.get_model("care", "Event")
    changed = []
    # Read first, then write: SQLite gives no isolation between a cursor and writes to its table.
    rows = list(Event.objects.exclude(note="").filter(code="").values_list("pk", "action", "note"))
    for pk, action, note in rows:
        found = _coded(action, note)
        if found is None:
            continue  # typed by a person: kept as written
        code, params = found
        changed.append(Event(pk=pk, code=code, params=params, note=""))
        if len(changed) >= 2000:
            Event.objects.bulk_update(changed, ["code", "params", "note"])
            changed = []
    Event.objects.bulk_update(changed, ["code", "params", "note"])


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0003_dates_within_the_calendar"),
    ]

    operations = [
        migrations.AddField(
            model_name="event",
            name="code",
            field=models.CharField(blank=True, max_length=40, verbose_name="code"),
        ),
        migrations.AddField(
            model_name="event",
            name="params",
            field=models.JSONField(blank=True, default=dict, verbose_name="values"),
        ),
        migrations.RunPython(notes_to_codes, migrations.RunPython.noop),
    ]
