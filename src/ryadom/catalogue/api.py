"""The service catalogue: public reference data."""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

from django.db.models import QuerySet
from django.http import HttpRequest
from ninja import Router, Schema

from ryadom.catalogue.models import ServiceType

router = Router(tags=["catalogue"])


class ServiceTypeOut(Schema):
    code: str
    name_ru: str
    name_en: str
    category: str
    standard_ru: str
    standard_en: str
    standard_hours: int
    required_skills: list[str]
    needs_professional: bool
    same_gender_helper: bool
    needs_security_screening: bool

    @staticmethod
    def resolve_required_skills(obj: ServiceType) -> list[str]:
        return [s.code for s in obj.required_skills.all()]


@router.get("/service-types", response=list[ServiceTypeOut], summary="Services offered")
def service_type_list(request: HttpRequest) -> QuerySet[ServiceType]:
    return ServiceType.objects.filter(is_active=True).prefetch_related("required_skills")
