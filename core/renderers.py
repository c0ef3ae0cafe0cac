"""The API's JSON renderer: DRF's, plus bodies a view has already written as JSON text.

A large read whose parts are cached as text (``bookings.availability_cache``: a day of a space
at a time) is answered by joining those texts: decoding them into Python objects only for
``json.dumps`` to encode them again would cost most of the time a warm answer takes. The text
must be what DRF's renderer writes for the same data (compact separators, UTF-8, no ASCII
escapes); a client asking for indented JSON (``Accept: application/json; indent=2``) still
gets it, through DRF.
"""

import json
from typing import Any

from rest_framework import renderers


class PrerenderedJSON:
    """A response body already rendered as compact JSON."""

    __slots__ = ("content",)

    def __init__(self, content: str):
        self.content = content


class JSONRenderer(renderers.JSONRenderer):
    def render(
        self,
        data: Any,
        accepted_media_type: str | None = None,
        renderer_context: dict | None = None,
    ) -> bytes:
        if isinstance(data, PrerenderedJSON):
            if self.get_indent(accepted_media_type, renderer_context or {}) is None:
                # As DRF's renderer: JSON allows these two, JavaScript source does not.
                text = data.content.replace("\u2028", "\\u2028").replace("\u2029", "\\u2029")
                return text.encode()
            data = json.loads(data.content)
        return super().render(data, accepted_media_type, renderer_context)
