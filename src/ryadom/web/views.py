"""Public pages."""

from __future__ import annotations

from django.db.models import Count, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from ryadom.geo.models import Region
from ryadom.institutions.models import InstitutionKind


def home(request: HttpRequest) -> HttpResponse:
    """What Ryadom is, for a veteran's family and for someone who wants to help."""
    regions = Region.objects.annotate(
        institution_count=Count("institutions", filter=Q(institutions__is_active=True)),
        military_count=Count(
            "institutions",
            filter=Q(
                institutions__is_active=True,
                institutions__kind=InstitutionKind.MILITARY_HOSPITAL,
            ),
        ),
    ).filter(institution_count__gt=0)
    return render(request, "web/home.html", {"regions": regions})
