"""The project's URLs plus the framework floor: the cheapest DRF endpoints there can be, a GET
reading one row and a POST inserting one, served by the same processes as the endpoints under
test, so that their ratio to the floor says what the project's own code costs."""

from datetime import date

from django.urls import path
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from bookings.models import AvailabilityChange
from centers.models import Center
from config.urls import urlpatterns as project_urls


class FloorRead(APIView):
    def get(self, request: Request) -> Response:
        return Response(Center.objects.values("id", "name").first())


class FloorWrite(APIView):
    permission_classes = [IsAuthenticated]

    def post(self, request: Request) -> Response:
        # A day long gone: the row changes no availability anyone can ask for.
        row = AvailabilityChange.objects.create(
            space_id=request.data["space"], day=date(2000, 1, 1)
        )
        return Response({"id": row.id}, status=201)


urlpatterns = [
    path("bench/floor/", FloorRead.as_view()),
    path("bench/floor/write/", FloorWrite.as_view()),
    *project_urls,
]
