"""Resident web pages: find a center, see when it is open and what it has."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from centers import selectors
from centers.api import CenterFilter
from centers.models import Center


def center_list(request: HttpRequest) -> HttpResponse:
    filterset = CenterFilter(request.GET, queryset=selectors.active_centers())
    centers = filterset.qs if filterset.is_valid() else selectors.active_centers()
    page = Paginator(centers, 20).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    selectors.annotate_today(page.object_list)
    return render(
        request,
        "centers/center_list.html",
        {"page": page, "q": request.GET.get("q", "")[:100]},
    )


def center_detail(request: HttpRequest, center_id: int) -> HttpResponse:
    try:
        center = selectors.center_detail(center_id)
    except Center.DoesNotExist:
        raise Http404 from None
    return render(request, "centers/center_detail.html", {"center": center})
