"""The API's parsers: DRF's JSON parser (and, where a view takes a file, its multipart parser),
with the error in the request's language and no NUL characters.

A NUL (``\\u0000``) is valid JSON but no text anyone types: PostgreSQL refuses it in text and
jsonb columns, so it turned into a 500 deep inside a view or when an ``Idempotency-Key`` stored
the answer (leaving the key stuck "in progress"). Refused here, it is the same 400 on every try.
"""

from typing import Any

from django.core.exceptions import SuspiciousOperation
from django.utils.translation import gettext as _
from rest_framework import parsers
from rest_framework.exceptions import ParseError, ValidationError

NUL = "\x00"


def nul_path(data: Any, prefix: str = "") -> str | None:
    """The dotted path of the first key or text holding a NUL, or None."""
    if isinstance(data, str):
        return (prefix or "non_field_errors") if NUL in data else None
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            if NUL in str(key):
                return prefix or "non_field_errors"
            found = nul_path(value, name)
            if found:
                return found
    if isinstance(data, list):
        for index, item in enumerate(data):
            found = nul_path(item, f"{prefix}.{index}" if prefix else str(index))
            if found:
                return found
    return None


class JSONParser(parsers.JSONParser):
    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            data = super().parse(stream, media_type, parser_context)
        except (ParseError, RecursionError):
            # DRF's message is English whatever the language, with the parser's details.
            raise ParseError(_("The body is not valid JSON.")) from None
        path = nul_path(data)
        if path is not None:
            raise ValidationError({path: [_("Null characters are not allowed.")]})
        return data


class MultiPartParser(parsers.MultiPartParser):
    """For the few views that take a file (a wish's photo). The form's fields are text, so
    they get the same NUL check; a body Django refuses to read (too many fields, a field over
    ``DATA_UPLOAD_MAX_MEMORY_SIZE``) is a 400, not a 500."""

    def parse(self, stream: Any, media_type: str | None = None, parser_context: Any = None) -> Any:
        try:
            parsed = super().parse(stream, media_type, parser_context)
        except (ParseError, SuspiciousOperation):
            raise ParseError(_("The form could not be read.")) from None
        for name, values in parsed.data.lists():
            if nul_path({name: values}) is not None:
                key = "non_field_errors" if NUL in name else name
                raise ValidationError({key: [_("Null characters are not allowed.")]})
        return parsed
