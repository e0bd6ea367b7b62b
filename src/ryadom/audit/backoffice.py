"""The back office (/admin/) writes the audit log too: one base class for every ModelAdmin.

Staff who add, change or delete a row in /admin/ leave an event like the services do
(`admin.added`, `admin.changed`, `admin.deleted`; actor, target, region, whose data, and
the fields with old and new values), in the transaction the admin saves in. Inline rows
(a veteran's relatives, consents) are events of their own.

What the log keeps of a value: ids, numbers, dates, yes/no and choices as they are; free
text (names, phones, notes, e-mail addresses, JSON) and anything named like a secret
(password hashes, TOTP keys, token hashes) only as "…" when filled and "" when empty. The
log is append-only and outlives erasure (docs/privacy.md), so it must not keep a copy of
what erasure wipes.
"""

from __future__ import annotations

import datetime
import decimal
import re
from collections.abc import Iterable
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from django.contrib import admin
from django.db import models, transaction
from django.forms import BaseModelForm, ModelForm
from django.forms.models import BaseInlineFormSet, BaseModelFormSet
from django.http import HttpRequest

from ryadom.audit.services import audit_record

_M = TypeVar("_M", bound=models.Model)

HIDDEN = "…"
SECRET_NAME = re.compile(r"password|secret|token|key|hash", re.IGNORECASE)
# Field types whose values say nothing about a person beyond what the services log anyway.
SHOWN_TYPES = (
    models.BooleanField,
    models.IntegerField,  # auto ids and counts included
    models.FloatField,
    models.DecimalField,
    models.DateField,  # and DateTimeField
    models.TimeField,
    models.DurationField,
)

Values = dict[str, Any]

# Old values read in save_model, until log_change writes the event (after the inlines and
# many-to-many fields are saved). Keyed by the request: a ModelAdmin serves every thread.
_before: WeakKeyDictionary[HttpRequest, dict[tuple[str, str], Values]] = WeakKeyDictionary()


def _raw(obj: models.Model) -> Values:
    """The row's values as stored: foreign keys as ids, many-to-many as sorted ids."""
    values: Values = {f.name: f.value_from_object(obj) for f in obj._meta.concrete_fields}
    if obj.pk is not None:
        for field in obj._meta.many_to_many:
            related = getattr(obj, field.name)
            values[field.name] = sorted(related.values_list("pk", flat=True))
    return values


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime.date | datetime.time):  # datetimes too
        return value.isoformat()
    if isinstance(value, datetime.timedelta):
        return value.total_seconds()
    if isinstance(value, decimal.Decimal):
        return str(value)
    return value


def shown(field: models.Field[Any, Any] | Any, value: Any) -> Any:
    """A value as the log keeps it (see the module docstring)."""
    if value is None or value == "":
        return value
    if SECRET_NAME.search(field.name):
        return HIDDEN
    if field.many_to_many:
        return list(value)
    if field.is_relation or field.choices or isinstance(field, SHOWN_TYPES):
        return _jsonable(value)
    return HIDDEN


def _field(model: type[models.Model], name: str) -> Any:
    return model._meta.get_field(name)


def _as_created(obj: models.Model, raw: Values) -> Values:
    model = type(obj)
    return {
        name: shown(_field(model, name), value)
        for name, value in raw.items()
        if value not in (None, "", [])
    }


def _same(old: Any, new: Any) -> bool:
    # The admin's date and time widgets drop microseconds, so saving a form rewrites every
    # timestamp on it to the second: that is nobody's change.
    if isinstance(old, datetime.datetime | datetime.time) and type(old) is type(new):
        return bool(old.replace(microsecond=0) == new.replace(microsecond=0))
    return bool(old == new)


def _as_changed(obj: models.Model, old: Values, new: Values) -> Values:
    model = type(obj)
    return {
        name: [shown(_field(model, name), old.get(name)), shown(_field(model, name), value)]
        for name, value in new.items()
        if not _same(old.get(name), value)
    }


def _related(obj: models.Model, name: str) -> models.Model | None:
    try:
        value = getattr(obj, name, None)
    except models.ObjectDoesNotExist:
        return None
    return value if isinstance(value, models.Model) else None


def _whose(obj: models.Model) -> tuple[int | None, int | None]:
    """(region, veteran) of a row, for the coordinators' export and the veteran's access log."""
    if obj._meta.label_lower == "veterans.veteran":
        return getattr(obj, "home_region_id", None), obj.pk
    request = _related(obj, "request")
    veteran_id = getattr(obj, "veteran_id", None) or getattr(request, "veteran_id", None)
    for holder in (obj, request, _related(obj, "institution"), _related(obj, "veteran")):
        if holder is None:
            continue
        for name in ("region_id", "home_region_id"):
            region_id = getattr(holder, name, None)
            if isinstance(region_id, int):
                return region_id, veteran_id
    return None, veteran_id


def _record(request: HttpRequest, obj: models.Model, action: str, changes: Values) -> None:
    region_id, veteran_id = _whose(obj)
    audit_record(
        actor=request.user,
        action=action,
        target=obj,
        region_id=region_id,
        veteran_id=veteran_id,
        changes=changes,
    )


def _key(obj: models.Model) -> tuple[str, str]:
    return obj._meta.label_lower, str(obj.pk)


def _changed_labels(message: Any) -> list[str]:
    """The changed fields' labels from a LogEntry message (never the objects it names)."""
    labels: list[str] = []
    for item in message if isinstance(message, list) else []:
        changed = item.get("changed") if isinstance(item, dict) else None
        if isinstance(changed, dict) and "object" not in changed:
            labels += [str(label) for label in changed.get("fields", [])]
    return labels


class AuditedAdmin(admin.ModelAdmin[_M]):
    """A ModelAdmin whose adds, changes and deletes are in the audit log. Every admin.py
    uses it (tests/audit/test_backoffice.py checks the registry)."""

    def save_model(self, request: HttpRequest, obj: _M, form: Any, change: bool) -> None:
        if change:
            stored = type(obj)._default_manager.filter(pk=obj.pk).first()
            if stored is not None:
                _before.setdefault(request, {})[_key(obj)] = _raw(stored)
        super().save_model(request, obj, form, change)

    def log_addition(self, request: HttpRequest, obj: _M, message: Any) -> Any:
        # Called after the object, its many-to-many fields and its inlines are saved.
        _record(request, obj, "admin.added", _as_created(obj, _raw(obj)))
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: _M, message: Any) -> Any:
        old = _before.get(request, {}).pop(_key(obj), None)
        if old is not None:
            changes = _as_changed(obj, old, _raw(obj))
            if changes:
                _record(request, obj, "admin.changed", changes)
        else:
            # A change saved without save_model (the user admin's password form): which
            # fields, from the admin's own message; the values are never known here.
            labels = _changed_labels(message)
            if labels:
                _record(request, obj, "admin.changed", {"fields": labels})
        return super().log_change(request, obj, message)

    def delete_model(self, request: HttpRequest, obj: _M) -> None:
        with transaction.atomic():
            _record(request, obj, "admin.deleted", _as_created(obj, _raw(obj)))
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: models.QuerySet[_M]) -> None:
        # The bulk "delete selected" action: one event per row, in one transaction.
        with transaction.atomic():
            for obj in queryset:
                _record(request, obj, "admin.deleted", _as_created(obj, _raw(obj)))
            super().delete_queryset(request, queryset)

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm[_M] | BaseModelForm[_M] | Any,
        formset: BaseModelFormSet[Any, Any] | BaseInlineFormSet[Any, Any, Any] | Any,
        change: bool,
    ) -> None:
        """Inline rows: an event per row added, changed or deleted."""
        existing = [f.instance.pk for f in formset.initial_forms if f.instance.pk is not None]
        old = {row.pk: _raw(row) for row in formset.model._default_manager.filter(pk__in=existing)}
        for doomed in formset.deleted_forms:
            if doomed.instance.pk is not None:
                row = doomed.instance
                _record(request, row, "admin.deleted", _as_created(row, old.get(row.pk, {})))
        super().save_formset(request, form, formset, change)
        for row in formset.new_objects:
            _record(request, row, "admin.added", _as_created(row, _raw(row)))
        for row, _fields in formset.changed_objects:
            changes = _as_changed(row, old.get(row.pk, {}), _raw(row))
            if changes:
                _record(request, row, "admin.changed", changes)


def audited(admin_class: type[admin.ModelAdmin[Any]]) -> type[admin.ModelAdmin[Any]]:
    """The same admin, audited: for admins of other packages (auth, django-otp, axes)."""
    if issubclass(admin_class, AuditedAdmin):
        return admin_class
    return type(f"Audited{admin_class.__name__}", (AuditedAdmin, admin_class), {})


def admin_history_blank(*, model: type[models.Model], ids: Iterable[Any], shown_as: str) -> None:
    """Blank Django admin's own history of these rows: it names each edited row by its text
    (`str(row)`, a person's name in most) and, for inline rows, in the change message too."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(model),
        object_id__in=[str(pk) for pk in ids],
    ).update(object_repr=shown_as, change_message="")
