"""Weekdays as a bitmask (Monday = bit 0 ... Sunday = bit 6), the way notices print them:
"周一至周四 8:30–17:30" is one rule, not four."""

from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext

ALL_DAYS = 0b1111111
WEEKDAY_NAMES = [_("Mon"), _("Tue"), _("Wed"), _("Thu"), _("Fri"), _("Sat"), _("Sun")]
WEEKDAY_CHOICES = [(str(i), name) for i, name in enumerate(WEEKDAY_NAMES)]


def to_mask(days: list[int] | list[str]) -> int:
    mask = 0
    for day in days:
        mask |= 1 << int(day)
    return mask


def from_mask(mask: int) -> list[int]:
    return [day for day in range(7) if mask & (1 << day)]


def includes(mask: int, weekday: int) -> bool:
    return bool(mask & (1 << weekday))


def describe(mask: int) -> str:
    """Short human form: "Mon–Thu", "Sat, Sun", "Every day"."""
    days = from_mask(mask)
    if mask == ALL_DAYS:
        return str(_("Every day"))
    runs: list[list[int]] = []
    for day in days:
        if runs and runs[-1][-1] == day - 1:
            runs[-1].append(day)
        else:
            runs.append([day])
    parts = []
    for run in runs:
        if len(run) >= 3:
            parts.append(f"{WEEKDAY_NAMES[run[0]]}–{WEEKDAY_NAMES[run[-1]]}")
        else:
            parts.extend(str(WEEKDAY_NAMES[d]) for d in run)
    return pgettext("list of weekdays", ", ").join(parts)
