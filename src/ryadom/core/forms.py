"""What every page form shares, whatever app it belongs to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _


class PageForm(forms.Form):
    """Our pages' form: no colon after labels; Django adds aria-invalid and
    aria-describedby (`<id>_error`, `<id>_helptext`) which care/_field.html matches."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    @property
    def top_errors(self) -> list[str]:
        """Errors shown above the fields: the form's own and those of hidden fields."""
        errors = [str(e) for e in self.non_field_errors()]
        for field in self.hidden_fields():
            errors += [str(e) for e in field.errors]
        return errors


class IdsField(forms.Field):
    """Several request ids from checkboxes of the same name."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        try:
            return [int(v) for v in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose requests from the list.")) from None
