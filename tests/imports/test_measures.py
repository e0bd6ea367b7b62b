"""Support measures from XLSX: keyed by code, conditions read from the cell, bad ones named,
regional coordinators only for their region, updates through the navigator's service."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from ryadom.audit.models import AuditEvent
from ryadom.entitlements.models import Measure
from ryadom.imports.models import BatchStatus, ImportBatch
from tests.imports.conftest import upload, xlsx
from tests.imports.test_imports import run

pytestmark = pytest.mark.django_db

LAND = {
    "code": "regional.77.land_plot",
    "level": "региональная",
    "region": "77",
    "title_ru": "Земельный участок в Подмосковье",
    "gives_ru": "Участок без торгов",
    "documents": "Паспорт; удостоверение",
    "effective_from": "01.01.2025",
    "conditions": "status = svo_participant; children >= 3",
}


def test_measures_are_imported_by_code_and_a_second_file_updates_them(
    cast: Any, client: Client
) -> None:
    run(client, cast.coord_a, "measures", [LAND])
    measure = Measure.objects.get(code="regional.77.land_plot")
    assert measure.region.code == "77" and not measure.is_demo_sample
    assert measure.conditions == [
        {"field": "status", "op": "eq", "value": "svo_participant"},
        {"field": "children", "op": "gte", "value": "3"},
    ]
    changed = {**LAND, "conditions": "status = svo_participant; children >= 2"}
    batch = run(client, cast.coord_a, "measures", [changed, {**LAND, "code": "regional.77.x"}])
    assert batch.counts == {"create": 1, "update": 1, "unchanged": 0}
    assert Measure.objects.get(code=LAND["code"]).conditions[1]["value"] == "2"
    assert AuditEvent.objects.filter(action="measure.updated").count() == 1


def test_bad_conditions_and_other_regions_are_named_and_nothing_is_written(
    cast: Any, client: Client
) -> None:
    rows = [
        {**LAND, "conditions": "rank = major"},
        {**LAND, "code": "regional.61.x", "region": "61", "conditions": ""},
        {**LAND, "code": "federal.x", "level": "федеральная", "region": ""},
        {**LAND, "code": "regional.77.y", "level": "региональная", "region": ""},
    ]
    upload(client, cast.coord_a, "measures", xlsx("measures", rows))
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED_CHECK
    problems = {(p[0], p[1]): p[3] for p in batch.problems}
    # The dry run speaks the uploader's language: Russian by default.
    assert "неизвестное поле «rank»" in problems[(2, "conditions")]
    assert problems[(3, "region")] == "Импортировать можно только данные своего региона."
    assert problems[(4, "level")] == "Федеральные меры загружают только федеральные координаторы."
    assert (5, "level") in problems
    assert not Measure.objects.filter(code__in=[r["code"] for r in rows]).exists()
