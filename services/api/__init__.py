"""Programs, sessions, registrations and home visits under /api/v1/ (API.md, "Programs").

Views (views.py) parse, call one service or selector, and render with the serializers
(serializers.py); the query filters are in filters.py. The services raise the errors whose
codes API.md names, and core.api turns them into the one error shape. Times leave in the
center's zone: rendering runs under ``timezone.override(center.tz)``, which DRF's DateTimeField
uses.
"""
