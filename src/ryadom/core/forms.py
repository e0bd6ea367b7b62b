"""What every page form shares, whatever app it belongs to."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from ryadom.core.validation import storable, text_problem


class PageForm(forms.Form):
    """Our pages' form: no colon after labels; Django adds aria-invalid and
    aria-describedby (`<id>_error`, `<id>_helptext`) which care/_field.html matches; the
    error summary (care/_form_errors.html) links to each field with an error."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)

    def full_clean(self) -> None:
        # One place for every page's input: text no column can hold (NUL) is refused before
        # a field parses it (a choice looked up by code would send it to the database), and
        # every field, including those a subclass adds in its __init__, refuses days and
        # moments outside the calendar before any clean() of the form combines them.
        unstorable = self._unstorable_text()
        for field in self.fields.values():
            if storable not in field.validators:
                field.validators.append(storable)
        super().full_clean()
        for name, problem in unstorable.items():
            self.errors[name] = self.error_class([problem])
            self.cleaned_data.pop(name, None)

    def _unstorable_text(self) -> dict[str, str]:
        """Fields whose raw input cannot be stored, with why; their input is set aside."""
        if not self.is_bound:
            return {}
        found: dict[str, str] = {}
        data = self.data.copy()  # type: ignore[attr-defined] # a QueryDict or a dict
        for name in self.fields:
            key = self.add_prefix(name)
            raw = data.getlist(key) if hasattr(data, "getlist") else [data.get(key)]
            problems = [text_problem(v) for v in raw if isinstance(v, str)]
            if problem := next((p for p in problems if p), None):
                found[name] = problem
                data[key] = ""
        if found:
            self.data = data
        return found


class IdsField(forms.Field):
    """Several request ids from checkboxes of the same name."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value: Any) -> list[int]:
        try:
            return [int(v) for v in value or []]
        except (TypeError, ValueError):
            raise forms.ValidationError(_("Choose requests from the list.")) from None
