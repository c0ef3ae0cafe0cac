"""The one exception hierarchy of the project.

Services raise these; the API's exception handler (core.api) turns them into the one JSON error
shape, and web views show their message. Each error has a stable ``code`` that clients may rely
on (see API.md) and a translatable message.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _


class LinliError(Exception):
    code: str = "error"
    status: int = 400
    message: Any = _("The request could not be completed.")

    def __init__(self, message: Any = None, *, fields: dict[str, list[Any]] | None = None):
        self.detail = message if message is not None else self.message
        self.fields = fields
        super().__init__(str(self.detail))


class Invalid(LinliError):
    code = "invalid"
    message = _("Some of the data sent is not valid.")


class NotFound(LinliError):
    code = "not_found"
    status = 404
    message = _("Not found.")


class Conflict(LinliError):
    code = "conflict"
    status = 409
    message = _("This conflicts with the current state.")
