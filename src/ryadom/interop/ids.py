"""Stable HSDS identifiers: UUIDs derived from what a row is, so re-exports keep them."""

from __future__ import annotations

import uuid
from functools import lru_cache

# Fixed for ever: changing it would give every exported object a new id.
NAMESPACE = uuid.UUID("829357f1-92f9-409f-84de-91b885e2a826")


@lru_cache(maxsize=1 << 16)
def hsds_id(kind: str, *keys: object) -> str:
    """The UUID of one exported object: version 5 over its kind and our keys for it.

    A pure function; the cache only saves recomputing ids an export refers to many times.
    """
    return str(uuid.uuid5(NAMESPACE, ":".join([kind, *(str(k) for k in keys)])))


def parse_id(value: str) -> str | None:
    """An id from a URL or a filter in our canonical form, or None when it is not a UUID."""
    try:
        return str(uuid.UUID(value))
    except ValueError:
        return None
