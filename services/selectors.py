"""Reads about programs, sessions, registrations and home visits, for the API."""

from datetime import datetime

from django.db.models import Count, Prefetch, Q, QuerySet
from django.utils import timezone

from members.models import User
from services.models import HomeVisitRequest, Program, Registration, Session, VolunteerRole


def active_programs(now: datetime | None = None) -> QuerySet[Program]:
    """Active programs of active centers, with the center and the eligibility rule (and its
    team) loaded, and ``next_sessions``: a list of at most one, the next scheduled session
    that has not started. Two queries for any number of programs (the slice becomes a window
    function over all of them)."""
    now = now or timezone.now()
    upcoming = Session.objects.filter(status=Session.Status.SCHEDULED, start__gt=now).order_by(
        "start", "id"
    )
    return (
        Program.objects.filter(is_active=True, center__is_active=True)
        .select_related("center", "eligibility__team")
        .prefetch_related(Prefetch("sessions", queryset=upcoming[:1], to_attr="next_sessions"))
    )


def registrable_sessions() -> QuerySet[Session]:
    """The sessions ``listed_sessions`` lists, as registering reads one: with its program and
    center, without counting its waitlist or loading its roles (a rush reads it 2,000 times)."""
    return Session.objects.filter(
        program__is_active=True, program__center__is_active=True
    ).select_related("program__center")


def listed_sessions() -> QuerySet[Session]:
    """Sessions of active programs of active centers, whatever their status or time, with
    the program and its center loaded and ``waitlist_length`` counted in the same query."""
    return (
        Session.objects.filter(program__is_active=True, program__center__is_active=True)
        .select_related("program__center")
        .prefetch_related(Prefetch("roles", queryset=VolunteerRole.objects.order_by("id")))
        .annotate(
            waitlist_length=Count(
                "registrations",
                filter=Q(registrations__status=Registration.Status.WAITLISTED),
            )
        )
        .order_by("start", "id")
    )


def member_registrations(member: User) -> QuerySet[Registration]:
    """The member's registrations, latest session first, with session, program and center."""
    return (
        Registration.objects.filter(member=member)
        .select_related("session__program__center", "role")
        .order_by("-session__start", "-id")
    )


def member_home_visits(member: User) -> QuerySet[HomeVisitRequest]:
    """The member's home-visit requests, newest first."""
    return (
        HomeVisitRequest.objects.filter(member=member)
        .select_related("program__center")
        .order_by("-created", "-id")
    )
