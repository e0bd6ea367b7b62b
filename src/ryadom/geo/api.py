"""Regions and settlements: public reference data."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema
from ninja.pagination import paginate

from ryadom.core.api_types import Paging, Text
from ryadom.core.errors import NotFoundError
from ryadom.geo.models import Region, Settlement

router = Router(tags=["geography"])


class RegionOut(Schema):
    id: int
    code: str
    name_ru: str
    name_en: str
    federal_district: str
    centre_ru: str
    centre_en: str
    lat: float | None
    lon: float | None
    timezone: str


class SettlementOut(Schema):
    id: int
    region_code: str
    name_ru: str
    name_en: str
    lat: float | None
    lon: float | None
    population: int | None
    is_centre: bool

    @staticmethod
    def resolve_region_code(obj: Settlement) -> str:
        return obj.region.code


@router.get("/regions", response=list[RegionOut], summary="All federal subjects")
def region_list(request: HttpRequest) -> QuerySet[Region]:
    return Region.objects.order_by("code")


@router.get("/regions/{code}", response=RegionOut, summary="One federal subject by its code")
def region_detail(request: HttpRequest, code: Text) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise NotFoundError("Not found.")
    return region


@router.get("/settlements", response=list[SettlementOut], summary="Settlements")
@paginate(Paging)
def settlement_list(request: HttpRequest, region: Text | None = None) -> QuerySet[Settlement]:
    qs = Settlement.objects.select_related("region").order_by("region__code", "name_ru", "pk")
    return qs.filter(region__code=region) if region else qs
