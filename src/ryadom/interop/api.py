"""The public directory as an Open Referral HSDS 3.0 API, at /api/v1/hsds/.

Paths, paging and filters follow the HSDS API reference; responses are HSDS objects
(`hsds.py`), checked in the tests against the specification's own JSON schemas. Public
registry data only, readable without signing in.
"""

# No `from __future__ import annotations`: Ninja reads these annotations at runtime.

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse
from django.utils import translation
from ninja import Field, Query, Router, Schema
from pydantic import field_validator

from ryadom.core.api_types import Text
from ryadom.interop import datapackage, export, hsds

router = Router(tags=["hsds"])

MAX_PER_PAGE = 200
# A bound on pages keeps offsets inside what every database takes as an integer.
MAX_PAGE = 100_000


class PageIn(Schema):
    page: int = Field(1, ge=1, le=MAX_PAGE, description="Page number, from 1.")
    per_page: int = Field(50, ge=1, le=MAX_PER_PAGE, description="Items a page, 1 to 200.")
    lang: Literal["ru", "en"] = Field("ru", description="Language of names and texts.")
    search: Text = Field("", max_length=100, description="Words in the name.")

    @field_validator("search")
    @classmethod
    def _printable(cls, value: str) -> str:
        if any(ord(c) < 32 for c in value):
            raise ValueError("Control characters are not allowed.")
        return value.strip()

    def paging(self) -> export.Paging:
        return export.Paging(page=self.page, per_page=self.per_page)


_ID = Field("", max_length=64, description="An HSDS id (UUID).")


class ListIn(PageIn):
    taxonomy_term_id: Text = Field(
        "", max_length=64, description="A catalogue term: a service type or a whole category."
    )
    taxonomy_id: Text = _ID
    organization_id: Text = Field("", max_length=64, description="An NGO or an institution.")
    region: Text = Field(
        "", pattern=r"^([0-9]{2})?$", description="Region code (two digits), e.g. 77."
    )
    full: bool = Field(False, description="Fully nested objects.")

    def filters(self) -> export.Filters:
        return export.Filters(
            search=self.search,
            taxonomy_term_id=self.taxonomy_term_id,
            taxonomy_id=self.taxonomy_id,
            organization_id=self.organization_id,
            region=self.region,
        )


class TermsIn(PageIn):
    taxonomy_id: Text = _ID
    parent_id: Text = Field("", max_length=64, description="Terms under this category.")
    top_only: bool = Field(False, description="Only the categories (terms with no parent).")


class LangIn(Schema):
    lang: Literal["ru", "en"] = Field("ru", description="Language of names and texts.")


Obj = dict[str, Any]


@router.get("/", summary="About this HSDS API")
def meta(request: HttpRequest) -> Obj:
    return {
        "version": hsds.HSDS_VERSION,
        "profile": "https://docs.openreferral.org/en/latest/hsds/overview.html",
        "openapi_url": request.build_absolute_uri("/api/v1/openapi.json"),
    }


@router.get("/services", summary="A page of NGOs' services (HSDS service_list)")
def services(request: HttpRequest, q: Query[ListIn]) -> Obj:
    with translation.override(q.lang):
        return export.services_page(filters=q.filters(), paging=q.paging(), full=q.full)


@router.get("/services/{id}", summary="One service, fully nested (HSDS service)")
def service(request: HttpRequest, id: Text, q: Query[LangIn]) -> Obj:
    with translation.override(q.lang):
        return export.service_get(id=id)


@router.get("/organizations", summary="A page of NGOs and institutions (HSDS organization)")
def organizations(request: HttpRequest, q: Query[ListIn]) -> Obj:
    with translation.override(q.lang):
        return export.organizations_page(filters=q.filters(), paging=q.paging(), full=q.full)


@router.get("/organizations/{id}", summary="One organization, fully nested")
def organization(request: HttpRequest, id: Text, q: Query[LangIn]) -> Obj:
    with translation.override(q.lang):
        return export.organization_get(id=id)


@router.get("/service_at_locations", summary="A page of services where they are delivered")
def service_at_locations(request: HttpRequest, q: Query[ListIn]) -> Obj:
    with translation.override(q.lang):
        return export.service_at_locations_page(filters=q.filters(), paging=q.paging(), full=q.full)


@router.get("/service_at_locations/{id}", summary="One service at a location, fully nested")
def service_at_location(request: HttpRequest, id: Text, q: Query[LangIn]) -> Obj:
    with translation.override(q.lang):
        return export.service_at_location_get(id=id)


@router.get("/taxonomies", summary="The service catalogue as an HSDS taxonomy")
def taxonomies(request: HttpRequest, q: Query[PageIn]) -> Obj:
    with translation.override(q.lang):
        return export.taxonomies_page(search=q.search, paging=q.paging())


@router.get("/taxonomies/{id}", summary="The service catalogue taxonomy")
def taxonomy(request: HttpRequest, id: Text, q: Query[LangIn]) -> Obj:
    with translation.override(q.lang):
        return export.taxonomy_get(id=id)


@router.get("/taxonomy_terms", summary="Categories and service types of the catalogue")
def taxonomy_terms(request: HttpRequest, q: Query[TermsIn]) -> Obj:
    with translation.override(q.lang):
        return export.taxonomy_terms_page(
            filters=export.Filters(search=q.search, taxonomy_id=q.taxonomy_id),
            parent_id=q.parent_id,
            top_only=q.top_only,
            paging=q.paging(),
        )


@router.get("/taxonomy_terms/{id}", summary="One category or service type")
def taxonomy_term(request: HttpRequest, id: Text, q: Query[LangIn]) -> Obj:
    with translation.override(q.lang):
        return export.taxonomy_term_get(id=id)


@router.get(
    "/datapackage.zip",
    url_name="hsds-datapackage",
    summary="The whole directory as an HSDS tabular data package (CSV + datapackage.json)",
)
def data_package(request: HttpRequest, q: Query[LangIn]) -> HttpResponse:
    with translation.override(q.lang):
        body = datapackage.package()
    response = HttpResponse(body, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="ryadom-hsds-{q.lang}.zip"'
    return response
