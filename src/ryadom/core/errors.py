"""The one domain error type, mapped in one place to API responses and to form errors."""

from __future__ import annotations

from django.utils.functional import Promise


class ApplicationError(Exception):
    """A rule of the domain refused the action; the message is shown to the user as it is."""

    status_code = 422

    def __init__(self, message: str | Promise, *, field: str | None = None) -> None:
        super().__init__(str(message))
        self.message = str(message)
        self.field = field


class ConflictError(ApplicationError):
    """The action is not possible in the current state (someone else got there first)."""

    status_code = 409


class NotFoundError(ApplicationError):
    """Does not exist, or the actor may not know that it exists: the same answer for both."""

    status_code = 404


class PermissionDeniedError(ApplicationError):
    """The actor may see the object but may not do this with it."""

    status_code = 403
