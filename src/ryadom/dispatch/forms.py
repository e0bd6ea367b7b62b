"""Forms of the matching pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from ryadom.core.forms import IdsField, PageForm
from ryadom.geo.models import Region


class RunForm(PageForm):
    region = forms.ModelChoiceField(
        label=_("Region"),
        queryset=Region.objects.none(),
        to_field_name="code",
        help_text=_("Open requests of this region and its volunteers are matched."),
    )
    dry_run = forms.BooleanField(
        label=_("Only show what would be proposed (a dry run cannot be accepted)"),
        required=False,
    )

    def __init__(
        self,
        *args: Any,
        regions: QuerySet[Region],
        national: bool,
        chosen: str | None = None,
        **kwargs: Any,
    ) -> None:
        """`chosen`: the region code to start from, else the first of `regions`."""
        super().__init__(*args, **kwargs)
        self.initial["region"] = chosen or (regions[0].code if regions else None)
        field = self.fields["region"]
        assert isinstance(field, forms.ModelChoiceField)  # noqa: S101 - declared above
        field.queryset = regions
        # Federal coordinators may match the whole country at once: the empty choice.
        field.required = not national
        field.empty_label = str(_("The whole country")) if national else None


class AcceptForm(PageForm):
    ids = IdsField(
        label=_("Proposals"),
        required=False,
    )

    def proposal_ids(self) -> list[int] | None:
        """None when every pending proposal is accepted ("Accept all")."""
        if self.data.get("all"):
            return None
        ids: list[int] = self.cleaned_data.get("ids") or []
        return ids
