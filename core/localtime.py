"""Times as a front desk says them: the clock time in the center's zone, with the date only when
it is not today there."""

from datetime import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone


def clock(moment: datetime, tz: ZoneInfo, now: datetime | None = None) -> str:
    """``09:58`` today, ``11-27 09:58`` on another day (both in ``tz``)."""
    local = moment.astimezone(tz)
    today = timezone.localdate(now or timezone.now(), timezone=tz)
    return f"{local:%H:%M}" if local.date() == today else f"{local:%m-%d %H:%M}"


def span(start: datetime, end: datetime, tz: ZoneInfo) -> str:
    """``06-01 周一 10:00–11:00``: a list's time column, short enough for a tablet."""
    from django.utils import formats

    local_start, local_end = start.astimezone(tz), end.astimezone(tz)
    weekday = formats.date_format(local_start, "D")
    until = (
        f"{local_end:%H:%M}"
        if local_end.date() == local_start.date()
        else f"{local_end:%m-%d %H:%M}"
    )
    return f"{local_start:%m-%d} {weekday} {local_start:%H:%M}–{until}"
