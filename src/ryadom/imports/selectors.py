"""Reads of import batches: each person sees the files they uploaded."""

from __future__ import annotations

from django.db.models import QuerySet

from ryadom.accounts.models import User
from ryadom.core.errors import NotFoundError
from ryadom.imports.models import ImportBatch


def batch_list(*, actor: User) -> QuerySet[ImportBatch]:
    return ImportBatch.objects.filter(created_by=actor).defer("content", "problems")


def batch_get(*, actor: User, batch_id: int) -> ImportBatch:
    batch = ImportBatch.objects.filter(created_by=actor, pk=batch_id).first()
    if batch is None:
        raise NotFoundError("Not found.")
    return batch
