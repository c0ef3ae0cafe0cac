"""Reads about centers, spaces and their hours that need more than one line of ORM."""

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from math import asin, cos, radians, sin, sqrt

from django.contrib.auth import get_user_model
from django.db.models import Prefetch, Q, QuerySet
from django.utils import timezone

from centers.hours import DayHours, days_for, is_open_at
from centers.models import (
    Center,
    DistrictAssignment,
    OpeningException,
    OpeningRule,
    Space,
    StaffAssignment,
)
from core import rows

OPENING_WEEK_DAYS = 7


def active_centers() -> QuerySet[Center]:
    return Center.objects.filter(is_active=True)


def active_spaces() -> QuerySet[Space]:
    return Space.objects.filter(is_active=True, center__is_active=True).select_related(
        "center", "eligibility__team"
    )


def reminder_offsets() -> list[int]:
    """Every center's reminder offsets (hours before a start) together, largest first."""
    hours: set[int] = set()
    for value in Center.objects.values_list("reminder_hours", flat=True).distinct():
        hours.update(Center(reminder_hours=value).reminder_offsets)
    return sorted(hours, reverse=True)


def local_today(center: Center, now: datetime | None = None) -> date:
    return timezone.localdate(now or timezone.now(), timezone=center.tz)


def _scope_sql(center_ids: set[int], space_ids: set[int]) -> tuple[str, list[int]]:
    scopes, params = [], []
    for column, ids in (("center_id", center_ids), ("space_id", space_ids)):
        if ids:
            scopes.append(f"{column} IN ({rows.placeholders(ids)})")
            params.extend(ids)
    return " OR ".join(scopes) or "FALSE", params


def _load(
    *, center_ids: set[int], space_ids: set[int], start: date, end: date
) -> tuple[dict, dict]:
    """Rules and exceptions for the given scopes, grouped by ("center"|"space", id).

    SQL written once (``core.rows``): the ORM took longer to compile these two queries than the
    database to answer them, and they are read for every availability answer."""
    scope, params = _scope_sql(center_ids, space_ids)
    rules: dict[tuple[str, int], list] = defaultdict(list)
    exceptions: dict[tuple[str, int], list] = defaultdict(list)
    for rule in rows.objects(
        OpeningRule,
        f"SELECT {rows.columns(OpeningRule)} FROM {OpeningRule._meta.db_table} "
        f"WHERE {scope} ORDER BY opens, id",
        params,
    ):
        rules[("space", rule.space_id) if rule.space_id else ("center", rule.center_id)].append(
            rule
        )
    for exc in rows.objects(
        OpeningException,
        f"SELECT {rows.columns(OpeningException)} FROM {OpeningException._meta.db_table} "
        f"WHERE ({scope}) AND start_date <= %s AND end_date >= %s "
        "ORDER BY start_date, opens, id",
        [*params, end, start],
    ):
        key = ("space", exc.space_id) if exc.space_id else ("center", exc.center_id)
        exceptions[key].append(exc)
    return rules, exceptions


def space_hours(
    spaces: Sequence[Space],
    start: date,
    end: date,
    *,
    proposed: OpeningException | None = None,
    shared: bool = False,
) -> dict[int, list[DayHours]]:
    """Opening hours of each space from ``start`` to ``end`` (inclusive, in its center's zone).

    Two queries however many spaces are asked for; ``space.center`` must be loaded already
    (``select_related("center")``). A space's own weekly rules replace its center's; its own
    exceptions win over the center's (a holiday closing the building). ``proposed`` is a dated
    exception not saved yet (or a changed one): the hours as they would be with it. ``shared``:
    spaces with the same hours get the same ``DayHours`` objects, for a caller that only reads
    them (availability of a whole center: copies for 30 rooms cost more than the query).
    """
    if not spaces:
        return {}
    rules, exceptions = _load(
        center_ids={s.center_id for s in spaces},
        space_ids={s.id for s in spaces},
        start=start,
        end=end,
    )
    if proposed is not None:
        key = ("space", proposed.space_id) if proposed.space_id else ("center", proposed.center_id)
        exceptions[key] = [e for e in exceptions[key] if e.pk is None or e.pk != proposed.pk]
        if proposed.start_date <= end and proposed.end_date >= start:
            exceptions[key].append(proposed)
    # A space without rules or exceptions of its own has its center's hours: those are worked
    # out once for all such spaces (a center's rooms mostly), and each gets its own copy.
    worked_out: dict[tuple, list[DayHours]] = {}
    hours = {}
    for space in spaces:
        own_rules, own_exceptions = rules[("space", space.id)], exceptions[("space", space.id)]
        scope = (space.center_id, space.id if own_rules or own_exceptions else None)
        if scope not in worked_out:
            worked_out[scope] = days_for(
                start=start,
                end=end,
                tz=space.center.tz,
                rule_layers=[own_rules, rules[("center", space.center_id)]],
                exception_layers=[own_exceptions, exceptions[("center", space.center_id)]],
            )
        days = worked_out[scope]
        hours[space.id] = (
            days if shared else [DayHours(d.date, list(d.intervals), d.note) for d in days]
        )
    return hours


def center_hours(centers: Sequence[Center], start: date, end: date) -> dict[int, list[DayHours]]:
    """The building's own hours for each center, in two queries for any number of centers."""
    if not centers:
        return {}
    rules, exceptions = _load(
        center_ids={c.id for c in centers}, space_ids=set(), start=start, end=end
    )
    return {
        center.id: days_for(
            start=start,
            end=end,
            tz=center.tz,
            rule_layers=[rules[("center", center.id)]],
            exception_layers=[exceptions[("center", center.id)]],
        )
        for center in centers
    }


def annotate_today(centers: Sequence[Center], now: datetime | None = None) -> Sequence[Center]:
    """Set ``today_hours`` (DayHours) and ``open_now`` on each center, in two queries.

    Yesterday is loaded too: an interval that started yesterday may still be open now.
    """
    now = now or timezone.now()
    if not centers:
        return centers
    todays = {c.id: local_today(c, now) for c in centers}
    hours = center_hours(centers, min(todays.values()) - timedelta(days=1), max(todays.values()))
    for center in centers:
        days = [
            d
            for d in hours[center.id]
            if d.date in (todays[center.id], todays[center.id] - timedelta(days=1))
        ]
        center.today_hours = next(d for d in days if d.date == todays[center.id])
        center.open_now = is_open_at(days, now)
    return centers


def center_detail(center_id: int, now: datetime | None = None) -> Center:
    """An active center with ``opening_week`` (7 days from today), the fields of
    ``annotate_today``, and ``active_spaces`` each with its ``today_hours``. Six queries.
    Raises Center.DoesNotExist."""
    center = (
        active_centers()
        .prefetch_related(
            Prefetch(
                "spaces", queryset=Space.objects.filter(is_active=True), to_attr="active_spaces"
            )
        )
        .get(pk=center_id)
    )
    now = now or timezone.now()
    today = local_today(center, now)
    week = center_hours(
        [center], today - timedelta(days=1), today + timedelta(days=OPENING_WEEK_DAYS - 1)
    )
    days = week[center.id]
    center.opening_week = days[1:]
    center.today_hours = days[1]
    center.open_now = is_open_at(days[:2], now)
    for space in center.active_spaces:
        space.center = center  # already loaded; spares space_hours a query per space
    spaces_today = space_hours(center.active_spaces, today, today)
    for space in center.active_spaces:
        space.today_hours = spaces_today[space.id][0]
    return center


def staff_roles(user) -> dict[int, str]:
    """``{center_id: role}`` for a staff member: the centers they are assigned to and, with the
    same role, those centers' stations. Superusers get ``{}`` (they are not scoped at all).

    Cached on the user object, which lives for one request, so admin pages ask once.
    """
    cached = getattr(user, "_linli_staff_roles", None)
    if cached is not None:
        return cached
    roles: dict[int, str] = {}
    if user.is_authenticated and user.is_active and user.is_staff:
        # District oversight: every center of the district (or sub-district), read-only. A
        # role at a center itself (below) wins.
        overseen = Q(pk__in=[])
        for district, subdistrict in DistrictAssignment.objects.filter(user=user).values_list(
            "district", "subdistrict"
        ):
            overseen |= Q(
                district=district, **({"subdistrict": subdistrict} if subdistrict else {})
            )
        for center_id in Center.objects.filter(overseen, is_active=True).values_list(
            "pk", flat=True
        ):
            roles[center_id] = StaffAssignment.Role.VIEWER
        direct = dict(
            StaffAssignment.objects.filter(user=user, center__is_active=True).values_list(
                "center_id", "role"
            )
        )
        # A direct assignment to a station wins over the role inherited from its center.
        for station_id, parent_id in Center.objects.filter(parent_id__in=direct).values_list(
            "id", "parent_id"
        ):
            roles[station_id] = direct[parent_id]
        roles.update(direct)
    user._linli_staff_roles = roles
    return roles


def center_staff(center_ids: Iterable[int] | None = None) -> QuerySet:
    """Active staff members working at any of ``center_ids`` (None: anywhere): assigned to the
    center itself or, for a station, to its parent center, in any role."""
    users = get_user_model().objects.filter(
        is_active=True, is_staff=True, staff_assignments__center__is_active=True
    )
    if center_ids is not None:
        ids = set(center_ids)
        parents = Center.objects.filter(pk__in=ids, parent__isnull=False).values("parent_id")
        users = users.filter(
            Q(staff_assignments__center_id__in=ids) | Q(staff_assignments__center_id__in=parents)
        )
    return users.distinct().order_by("username")


def districts() -> list[str]:
    """The districts that have an active center, for the home page's filter."""
    return list(active_centers().order_by("district").values_list("district", flat=True).distinct())


def distance_km(center: Center, latitude: float, longitude: float) -> float | None:
    """Straight-line distance (haversine) from a point to the center; None without a location."""
    if center.latitude is None or center.longitude is None:
        return None
    lat1, lon1 = radians(latitude), radians(longitude)
    lat2, lon2 = radians(float(center.latitude)), radians(float(center.longitude))
    a = sin((lat2 - lat1) / 2) ** 2 + cos(lat1) * cos(lat2) * sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * asin(sqrt(a))


def nearest_first(centers: Iterable[Center], latitude: float, longitude: float) -> list[Center]:
    """The centers nearest first (``distance_km`` set on each); those without a location last."""
    centers = list(centers)
    for center in centers:
        center.distance_km = distance_km(center, latitude, longitude)
    return sorted(centers, key=lambda c: (c.distance_km is None, c.distance_km or 0, c.name))
