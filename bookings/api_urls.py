"""Bookings and availability endpoints under /api/v1/ (API.md, "Places" and "Bookings")."""

urlpatterns: list = []
