"""The upload form of the import page."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ryadom.core.forms import PageForm
from ryadom.imports.models import ImportKind


class UploadForm(PageForm):
    kind = forms.ChoiceField(label=_("What the file holds"))
    file = forms.FileField(
        label=_("File"),
        help_text=_("XLSX or CSV (UTF-8), at most 20 MB, filled in from the template."),
    )

    def __init__(self, *args: Any, kinds: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        labels = dict(ImportKind.choices)
        kind = self.fields["kind"]
        kind.choices = [(k, labels[k]) for k in kinds]  # type: ignore[attr-defined]
