"""One path from Django's ValidationError to our ApplicationError."""

from __future__ import annotations

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import models

from ryadom.core.errors import ApplicationError


class InvalidInput(ApplicationError):
    """Several field-level messages at once: `errors` maps a field to its messages."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        field, messages = next(iter(errors.items()))
        super().__init__(messages[0], field=None if field == NON_FIELD_ERRORS else field)
        self.errors = errors


def full_clean_or_raise(obj: models.Model, *, exclude: list[str] | None = None) -> None:
    """Run the model's validation (fields, clean(), constraints) and raise InvalidInput."""
    try:
        obj.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise InvalidInput({k: [str(m) for m in v] for k, v in exc.message_dict.items()}) from exc
