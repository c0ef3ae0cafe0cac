"""Resident web pages: find a center (search, district, open now, nearest first), see when it
is open, how to reach it and what it has."""

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from centers import selectors
from centers.api import CenterFilter
from centers.models import Center

PAGE_SIZE = 20


def _point(value: str) -> tuple[float, float] | None:
    """``near=31.2337,121.4460`` (what the page's script sends) as a point, else None."""
    try:
        latitude, longitude = (float(part) for part in value.split(","))
    except ValueError:
        return None
    if -90 <= latitude <= 90 and -180 <= longitude <= 180:
        return latitude, longitude
    return None


def center_list(request: HttpRequest) -> HttpResponse:
    filterset = CenterFilter(request.GET, queryset=selectors.active_centers())
    centers = filterset.qs if filterset.is_valid() else selectors.active_centers()
    open_only = request.GET.get("open") == "1"
    near = _point(request.GET.get("near", ""))
    if open_only or near:
        # Both need every match at hand (hours, distances) before a page can be cut.
        centers = list(centers)
        selectors.annotate_today(centers)
        if open_only:
            centers = [c for c in centers if c.open_now]
        if near:
            centers = selectors.nearest_first(centers, *near)
    page = Paginator(centers, PAGE_SIZE).get_page(request.GET.get("page"))
    page.object_list = list(page.object_list)
    if not (open_only or near):
        selectors.annotate_today(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    context = {
        "page": page,
        "q": request.GET.get("q", "")[:100],
        "district": request.GET.get("district", ""),
        "districts": selectors.districts(),
        "open_only": open_only,
        "near": request.GET.get("near", "") if near else "",
        "query": query.urlencode(),
    }
    return render(request, "centers/center_list.html", context)


def center_detail(request: HttpRequest, center_id: int) -> HttpResponse:
    try:
        center = selectors.center_detail(center_id)
    except Center.DoesNotExist:
        raise Http404 from None
    return render(request, "centers/center_detail.html", {"center": center})
