"""The base of our pages' forms, for every app (no domain knowledge here)."""

from __future__ import annotations

from typing import Any

from django import forms


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
