from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError
from rest_framework.request import Request

MAX_PAGE_SIZE = 100


def _positive_int_param(request: Request, name: str, *, maximum: int | None = None) -> int | None:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ValidationError({name: [_("Enter a whole number.")]}) from None
    if value < 1:
        raise ValidationError({name: [_("Must be at least 1.")]})
    if maximum is not None and value > maximum:
        raise ValidationError({name: [_("Must be at most %(max)d.") % {"max": maximum}]})
    return value


class PageNumberPagination(pagination.PageNumberPagination):
    """``?page=`` and ``?page_size=`` (1-100). Out-of-range input is a 400, not silently clamped,
    so a client learns about its mistake instead of getting a different page than it asked for."""

    page_size_query_param = "page_size"
    max_page_size = MAX_PAGE_SIZE

    def get_page_size(self, request: Request) -> int:
        size = _positive_int_param(request, self.page_size_query_param, maximum=MAX_PAGE_SIZE)
        return size or self.page_size

    def paginate_queryset(
        self, queryset: Sequence[Any], request: Request, view: Any = None
    ) -> list[Any] | None:
        _positive_int_param(request, self.page_query_param)
        return super().paginate_queryset(queryset, request, view)
