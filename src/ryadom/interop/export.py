"""Pages and single objects of the HSDS API: selectors' rows through the one mapping."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from ryadom.catalogue.models import ServiceType
from ryadom.core.errors import NotFoundError
from ryadom.interop import hsds
from ryadom.interop import selectors as s
from ryadom.interop.ids import hsds_id, parse_id

Obj = dict[str, Any]


@dataclass(frozen=True)
class Filters:
    """What a list may be narrowed by; empty strings mean "any"."""

    search: str = ""
    taxonomy_term_id: str = ""
    taxonomy_id: str = ""
    organization_id: str = ""
    region: str = ""


@dataclass(frozen=True)
class Paging:
    page: int = 1
    per_page: int = 50

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page


def page_of(contents: list[Obj], total: int, paging: Paging) -> Obj:
    """The HSDS Page object around one page of contents."""
    total_pages = math.ceil(total / paging.per_page)
    return {
        "total_items": total,
        "total_pages": total_pages,
        "page_number": paging.page,
        "size": len(contents),
        "first_page": paging.page == 1,
        "last_page": paging.page >= total_pages,
        "empty": total == 0,
        "contents": contents,
    }


def _not_found() -> NotFoundError:
    return NotFoundError("Not found.")


def _terms_service_types(term_id: str) -> list[int]:
    """The service types a taxonomy term stands for (itself, or all of its category)."""
    wanted = parse_id(term_id)
    matched = [
        st.pk
        for st in s.public_service_types()
        if wanted
        in (hsds_id("term", "service_type", st.code), hsds_id("term", "category", st.category))
    ]
    return matched


def _taxonomy_types(filters: Filters) -> list[int] | None:
    """The service types the taxonomy filters leave (None: no narrowing; []: nothing)."""
    if filters.taxonomy_id and parse_id(filters.taxonomy_id) != hsds.TAXONOMY_ID:
        return []
    if filters.taxonomy_term_id:
        return _terms_service_types(filters.taxonomy_term_id)
    return None


# --- Services ---------------------------------------------------------------------------


def services_page(*, filters: Filters, paging: Paging, full: bool) -> Obj:
    """A page of NGOs' services, ordered by NGO and catalogue code."""
    qs = s.public_offers()
    if filters.search:
        qs = qs.filter(
            Q(servicetype__name_ru__icontains=filters.search)
            | Q(servicetype__name_en__icontains=filters.search)
            | Q(organisation__name__icontains=filters.search)
        )
    types = _taxonomy_types(filters)
    if types is not None:
        qs = qs.filter(servicetype__in=types)
    if filters.organization_id:
        org_id = s.organisation_by_hsds_id(parse_id(filters.organization_id) or "")
        qs = qs.filter(organisation_id=org_id) if org_id else qs.none()
    if filters.region:
        qs = qs.filter(organisation__regions__code=filters.region)
    qs = qs.order_by(
        "organisation__name", "organisation_id", "servicetype__category", "servicetype__code"
    )
    total = qs.count()
    rows = list(
        qs.values_list("organisation_id", "servicetype_id")[
            paging.offset : paging.offset + paging.per_page
        ]
    )
    directory = s.directory_load(
        organisation_ids={o for o, _st in rows}, institution_ids=(), with_places=full
    )
    return page_of([_service(directory, o, st, full) for o, st in rows], total, paging)


def _service(directory: s.Directory, org_id: int, st_id: int, full: bool) -> Obj:
    org, st = directory.organisations[org_id], directory.service_types[st_id]
    if not full:
        return hsds.service(org, st)
    return hsds.service_full(org, st, list(org.regions.all()), directory.places(org_id))


def service_get(*, id: str) -> Obj:
    """One NGO's service, fully nested."""
    found = s.offer_by_hsds_id(parse_id(id) or "")
    if found is None:
        raise _not_found()
    org_id, st_id = found
    directory = s.directory_load(organisation_ids=[org_id], institution_ids=())
    return _service(directory, org_id, st_id, full=True)


# --- Organizations ------------------------------------------------------------------------


def organizations_page(*, filters: Filters, paging: Paging, full: bool) -> Obj:
    """A page of organizations: the NGOs by name, then the institutions by region and name."""
    ngos = s.public_organisations().order_by("name", "pk")
    insts = s.public_institutions().order_by("region__code", "name", "pk")
    if filters.search:
        ngos = ngos.filter(name__icontains=filters.search)
        insts = insts.filter(name__icontains=filters.search)
    if filters.region:
        ngos = ngos.filter(regions__code=filters.region)
        insts = insts.filter(region__code=filters.region)
    ngo_total, inst_total = ngos.count(), insts.count()
    start, end = paging.offset, paging.offset + paging.per_page
    ngo_ids = list(ngos.values_list("pk", flat=True)[start:end]) if start < ngo_total else []
    inst_start = max(0, start - ngo_total)
    inst_end = max(0, end - ngo_total)
    inst_ids = list(insts.values_list("pk", flat=True)[inst_start:inst_end]) if inst_end > 0 else []
    directory = s.directory_load(
        organisation_ids=ngo_ids, institution_ids=inst_ids, with_places=full
    )
    contents = [_organisation(directory, pk, full) for pk in ngo_ids] + [
        _institution(directory, pk, full) for pk in inst_ids
    ]
    return page_of(contents, ngo_total + inst_total, paging)


def _organisation(directory: s.Directory, pk: int, full: bool) -> Obj:
    org = directory.organisations[pk]
    if not full:
        return hsds.organisation(org)
    services = [_service(directory, pk, st.pk, full=True) for st in directory.offers(org)]
    return hsds.organisation_full(org, services)


def _institution(directory: s.Directory, pk: int, full: bool) -> Obj:
    inst = directory.institutions[pk]
    return hsds.institution_organisation_full(inst) if full else hsds.institution_organisation(inst)


def organization_get(*, id: str) -> Obj:
    """An NGO with its services, or an institution with its location."""
    wanted = parse_id(id) or ""
    org_id = s.organisation_by_hsds_id(wanted)
    if org_id is not None:
        directory = s.directory_load(organisation_ids=[org_id], institution_ids=())
        return _organisation(directory, org_id, full=True)
    inst_id = s.institution_by_hsds_id(wanted)
    if inst_id is not None:
        directory = s.directory_load(
            organisation_ids=(), institution_ids=[inst_id], with_places=False
        )
        return _institution(directory, inst_id, full=True)
    raise _not_found()


# --- Services at locations ------------------------------------------------------------------


def service_at_locations_page(*, filters: Filters, paging: Paging, full: bool) -> Obj:
    """A page of NGOs' services in institutions, by region and institution."""
    qs = s.service_at_location_rows(_taxonomy_types(filters))
    if filters.search:
        qs = qs.filter(
            Q(institution__name__icontains=filters.search)
            | Q(organisation__name__icontains=filters.search)
        )
    if filters.organization_id:
        wanted = parse_id(filters.organization_id) or ""
        org_id = s.organisation_by_hsds_id(wanted)
        inst_id = None if org_id else s.institution_by_hsds_id(wanted)
        if org_id is not None:
            qs = qs.filter(organisation_id=org_id)
        elif inst_id is not None:
            qs = qs.filter(institution_id=inst_id)
        else:
            qs = qs.none()
    if filters.region:
        qs = qs.filter(institution__region__code=filters.region)
    total = qs.count()
    rows = list(qs[paging.offset : paging.offset + paging.per_page])
    directory = s.directory_load(
        organisation_ids={o for o, _st, _i in rows},
        institution_ids={i for _o, _st, i in rows},
        with_places=False,
    )
    render = hsds.service_at_location_full if full else hsds.service_at_location_brief
    contents = [
        render(directory.organisations[o], directory.service_types[st], directory.institutions[i])
        for o, st, i in rows
    ]
    return page_of(contents, total, paging)


def service_at_location_get(*, id: str) -> Obj:
    found = s.service_at_location_by_hsds_id(parse_id(id) or "")
    if found is None:
        raise _not_found()
    o, st, i = found
    directory = s.directory_load(organisation_ids=[o], institution_ids=[i], with_places=False)
    return hsds.service_at_location_full(
        directory.organisations[o], directory.service_types[st], directory.institutions[i]
    )


# --- Taxonomies -------------------------------------------------------------------------


def taxonomies_page(*, search: str, paging: Paging) -> Obj:
    taxonomy = hsds.taxonomy()
    found = [taxonomy] if search.casefold() in taxonomy["name"].casefold() else []
    return page_of(found[paging.offset : paging.offset + paging.per_page], len(found), paging)


def taxonomy_get(*, id: str) -> Obj:
    if parse_id(id) != hsds.TAXONOMY_ID:
        raise _not_found()
    return hsds.taxonomy()


def _terms() -> list[Obj]:
    types: list[ServiceType] = list(s.public_service_types())
    return hsds.taxonomy_terms(types)


def taxonomy_terms_page(*, filters: Filters, parent_id: str, top_only: bool, paging: Paging) -> Obj:
    """The catalogue's categories and service types (a few dozen, filtered in memory)."""
    terms = _terms()
    if filters.taxonomy_id and parse_id(filters.taxonomy_id) != hsds.TAXONOMY_ID:
        terms = []
    if parent_id:
        terms = [t for t in terms if t.get("parent_id") == parse_id(parent_id)]
    if top_only:
        terms = [t for t in terms if "parent_id" not in t]
    if filters.search:
        needle = filters.search.casefold()
        terms = [t for t in terms if needle in t["name"].casefold() or needle in t["code"]]
    window = terms[paging.offset : paging.offset + paging.per_page]
    return page_of(window, len(terms), paging)


def taxonomy_term_get(*, id: str) -> Obj:
    wanted = parse_id(id)
    for term in _terms():
        if term["id"] == wanted:
            return {**term, "taxonomy_detail": hsds.taxonomy()}
    raise _not_found()
