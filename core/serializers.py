"""Write serializers that take the contract literally (API.md, "General"): an unknown field or a
wrong type is a 400 ``invalid``, never silently ignored or coerced.

DRF drops fields it does not know and turns ``5`` into ``"5"`` and ``"yes"`` into ``True``. A
client that misspells a field or sends the wrong type would then get a 200 and a surprise, so
every write serializer is a ``StrictSerializer`` and uses the strict fields below.
"""

import copy
from collections.abc import Mapping
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

UNKNOWN_FIELD = _("Unknown field.")
READ_ONLY_FIELD = _("This field cannot be changed.")


class StrictMixin:
    # Rejects input keys that are not writable fields of the serializer. Names in
    # ``fixed_fields`` (what the matching read serializer shows but nobody may write) get a
    # message that says so instead of "Unknown field.". (A comment, not a docstring: the
    # schema would show a docstring as the description of every request body.)

    fixed_fields: frozenset[str] = frozenset()

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, Mapping):
            errors: dict[str, list[Any]] = {}
            for name in data:
                field = self.fields.get(name)  # type: ignore[attr-defined]
                if (field is not None and field.read_only) or name in self.fixed_fields:
                    errors[str(name)] = [READ_ONLY_FIELD]
                elif field is None:
                    errors[str(name)] = [UNKNOWN_FIELD]
            if errors:
                raise serializers.ValidationError(errors)
        return super().to_internal_value(data)  # type: ignore[misc]


class StrictSerializer(StrictMixin, serializers.Serializer):
    pass


class FieldsBuiltOnceMixin:
    # For a ModelSerializer whose fields depend on nothing but its class: DRF builds them from
    # the model's fields again for every instance (0.3 ms for a booking's 16), here once per
    # class, then copied as DRF copies declared fields. (A comment, not a docstring: the schema
    # would show a docstring as the description of every serializer using it.)

    def get_fields(self) -> dict[str, serializers.Field]:
        cls = type(self)
        if "_fields_built" not in cls.__dict__:
            cls._fields_built = super().get_fields()  # type: ignore[misc]
        return copy.deepcopy(cls._fields_built)


class StrictCharField(serializers.CharField):
    """Text only: a number or a boolean is a wrong type, not text."""

    default_error_messages = {"invalid": _("Enter text.")}

    def to_internal_value(self, data: Any) -> str:
        if not isinstance(data, str):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictIntegerField(serializers.IntegerField):
    """A JSON number without fraction only: not ``"5"``, ``5.0`` or ``true``."""

    # DRF's wording, so that its translations apply.
    default_error_messages = {"invalid": _("A valid integer is required.")}

    def to_internal_value(self, data: Any) -> int:
        if isinstance(data, bool) or not isinstance(data, int):
            self.fail("invalid")
        return super().to_internal_value(data)


class StrictBooleanField(serializers.BooleanField):
    """JSON ``true`` or ``false`` only, not ``"yes"``, ``1`` or ``"on"``."""

    default_error_messages = {"invalid": _("Must be true or false.")}

    def to_internal_value(self, data: Any) -> bool:
        if not isinstance(data, bool):
            self.fail("invalid")
        return data


class ErrorSerializer(serializers.Serializer):
    """The one shape of every error answer, 4xx and 5xx."""

    code = serializers.CharField(help_text="Stable snake_case code, e.g. invalid, not_found")
    detail = serializers.CharField(help_text="Message in the request's language")
    fields = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors by field name (validation errors only)",
    )
