"""Serializer fields for the API contract's time rules (API.md, "General")."""

from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers


class AwareDateTimeField(serializers.DateTimeField):
    """ISO 8601 with an offset; any offset is accepted, a naive time is refused (a client that
    leaves out the offset would otherwise be read in the server's zone without knowing it)."""

    default_error_messages = {
        "naive": _("Give the time with its UTC offset, e.g. 2026-12-01T10:00:00+08:00."),
    }

    def to_internal_value(self, value) -> datetime:
        if isinstance(value, str):
            try:
                parsed = datetime.fromisoformat(value)
            except ValueError:
                parsed = None
            if parsed is not None and timezone.is_naive(parsed):
                self.fail("naive")
        return super().to_internal_value(value)
