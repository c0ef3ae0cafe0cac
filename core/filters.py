"""Query-parameter filters with bounds, so that bad input is a 400 and never reaches the database
as a number it cannot hold."""

from datetime import timedelta
from typing import Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.views import APIView

MAX_ID = 2**63 - 1
MAX_INT = 2**31 - 1
# How far from today a date in a query may lie: far enough for any schedule, near enough that
# turning it into a time (a day before 0001-01-01 or after 9999-12-31) cannot overflow.
DATE_RANGE = timedelta(days=3653)


class IdField(forms.IntegerField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 1)
        kwargs.setdefault("max_value", MAX_ID)
        super().__init__(*args, **kwargs)


# The bounds in the schema too: a generated client (and schemathesis) must know that 0 is no id.
@extend_schema_field({"type": "integer", "minimum": 1, "maximum": MAX_ID})
class IdFilter(django_filters.NumberFilter):
    field_class = IdField


@extend_schema_field({"type": "integer", "minimum": 0, "maximum": MAX_INT})
class BoundedIntegerFilter(django_filters.NumberFilter):
    field_class = forms.IntegerField

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("min_value", 0)
        kwargs.setdefault("max_value", MAX_INT)
        super().__init__(*args, **kwargs)


class StrictBooleanField(forms.NullBooleanField):
    """``true`` or ``false`` (also ``1``/``0``); anything else is an error. Django's own
    NullBooleanField reads every unknown word as "no filter", so ``?bookable=maybe`` would
    quietly return everything."""

    widget = forms.TextInput
    # DRF's wording, so that its translations apply.
    default_error_messages = {"invalid": _("Must be a valid boolean.")}

    def to_python(self, value):
        if value in (None, ""):
            return None
        text = str(value).strip().lower()
        if text in ("true", "1"):
            return True
        if text in ("false", "0"):
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")


class StrictBooleanFilter(django_filters.BooleanFilter):
    field_class = StrictBooleanField


class IsoDateField(forms.DateField):
    """``YYYY-MM-DD`` only (API.md: dates), within ten years of today. Django's own DateField
    also reads the locale's forms, such as ``11/24/2026``, which the contract does not allow."""

    default_error_messages = {
        "invalid": _("Enter a date as YYYY-MM-DD."),
        "out_of_range": _("Choose a date within ten years of today."),
    }

    def __init__(self, *args, **kwargs):
        kwargs["input_formats"] = ["%Y-%m-%d"]
        super().__init__(*args, **kwargs)

    def validate(self, value):
        super().validate(value)
        today = timezone.localdate()
        if value is not None and not today - DATE_RANGE <= value <= today + DATE_RANGE:
            raise ValidationError(self.error_messages["out_of_range"], code="out_of_range")


class IsoDateFilter(django_filters.DateFilter):
    field_class = IsoDateField


class FilterBackend(DjangoFilterBackend):
    """django-filter's backend, except that a filter given with an empty value (``?to=``,
    ``?center=``) is a 400 unless it filters on text. django-filter reads an empty value as "no
    filter", which the schema does not say: a date, a number, a choice or a boolean is never
    empty, and a client that sends one has a bug it should hear about."""

    def get_filterset(self, request: Request, queryset: QuerySet, view: APIView) -> Any:
        filterset = super().get_filterset(request, queryset, view)
        if filterset is not None:
            blank = [
                name
                for name, field in filterset.filters.items()
                if request.query_params.get(name) == ""
                and not isinstance(field, django_filters.CharFilter)
            ]
            if blank:
                raise serializers.ValidationError(
                    {name: [_("This field may not be blank.")] for name in blank}
                )
        return filterset
