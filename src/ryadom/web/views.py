"""Public pages: what Ryadom is, and the directory "who to contact, where"."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from ryadom.core.errors import NotFoundError
from ryadom.core.i18n import by_name
from ryadom.geo.models import Settlement
from ryadom.institutions.models import InstitutionKind
from ryadom.organisations.selectors import institution_directory
from ryadom.volunteers.eligibility import steps_to_start
from ryadom.web import selectors


def home(request: HttpRequest) -> HttpResponse:
    """What Ryadom is, for a veteran's family and for someone who wants to help."""
    regions = selectors.region_directory_list(with_institutions_only=True)
    return render(request, "web/home.html", {"regions": regions})


def region_list(request: HttpRequest) -> HttpResponse:
    return render(request, "web/region_list.html", {"regions": selectors.region_directory_list()})


def region_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        directory = selectors.region_directory(code=code)
    except NotFoundError as exc:
        raise Http404 from exc
    return render(request, "web/region_detail.html", {"d": directory})


def institution_detail(request: HttpRequest, institution_id: int) -> HttpResponse:
    try:
        institution = institution_directory(institution_id=institution_id)
    except NotFoundError as exc:
        raise Http404 from exc
    return render(
        request,
        "web/institution_detail.html",
        {"institution": institution, "steps": steps_to_start(institution.access_level)},
    )


class FindForm(forms.Form):
    settlement = forms.ModelChoiceField(
        queryset=Settlement.objects.select_related("region"),
        required=False,
        label=_("Town or city"),
    )
    lat = forms.FloatField(required=False, min_value=-90, max_value=90, widget=forms.HiddenInput)
    lon = forms.FloatField(required=False, min_value=-180, max_value=180, widget=forms.HiddenInput)
    kind = forms.ChoiceField(
        choices=[("", _("Any kind"))] + list(InstitutionKind.choices),
        required=False,
        label=_("Kind of institution"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["settlement"]
        field.queryset = field.queryset.order_by(by_name())  # type: ignore[attr-defined]

    def point(self) -> tuple[float, float] | None:
        data = self.cleaned_data
        if data.get("lat") is not None and data.get("lon") is not None:
            return data["lat"], data["lon"]
        settlement = data.get("settlement")
        if settlement is not None and settlement.lat is not None and settlement.lon is not None:
            return settlement.lat, settlement.lon
        return None


def find(request: HttpRequest) -> HttpResponse:
    """Institutions nearest to a town or to the visitor (coordinates sent by their browser)."""
    form = FindForm(request.GET or None)
    results = None
    if form.is_valid() and (point := form.point()) is not None:
        results = selectors.institutions_near(
            lat=point[0], lon=point[1], kind=form.cleaned_data["kind"] or None
        )
    return render(request, "web/find.html", {"form": form, "results": results})
