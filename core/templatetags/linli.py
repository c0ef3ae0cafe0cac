"""How the resident pages write dates, times, lengths and QR codes, in each language.

Dates as people in Shanghai write them: "11月29日 周日" in Chinese, "Sun 29 Nov" in English;
lengths of time in words ("提前1天", not "1440分钟").
"""

from datetime import date, datetime
from urllib.parse import urlencode

import segno
from django import template
from django.utils import formats, timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language, gettext, ngettext

register = template.Library()

_ZH_WEEKDAYS = "一二三四五六日"


def _chinese() -> bool:
    return (get_language() or "zh-hans").startswith("zh")


def _local(value: date | datetime) -> date | datetime:
    if isinstance(value, datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


@register.filter
def weekday(value: date | datetime) -> str:
    """周日 / Sun."""
    value = _local(value)
    if _chinese():
        return "周" + _ZH_WEEKDAYS[value.weekday()]
    return formats.date_format(value, "D")


@register.filter
def day(value: date | datetime | None) -> str:
    """11月29日 周日 / Sun 29 Nov."""
    if value is None:
        return ""
    value = _local(value)
    if _chinese():
        return f"{value.month}月{value.day}日 {weekday(value)}"
    return formats.date_format(value, "D j M")


@register.filter
def day_only(value: date | datetime | None) -> str:
    """11月29日 / 29 Nov."""
    if value is None:
        return ""
    value = _local(value)
    if _chinese():
        return f"{value.month}月{value.day}日"
    return formats.date_format(value, "j M")


@register.filter
def full_date(value: date | None) -> str:
    """1958年3月12日 / 12 Mar 1958: a date with its year (a birth date)."""
    if value is None:
        return ""
    if _chinese():
        return f"{value.year}年{value.month}月{value.day}日"
    return formats.date_format(value, "j M Y")


@register.filter
def colon(label: str) -> str:
    """A label and the colon each language writes after it: "电话：" / "Phone: "."""
    return f"{label}：" if _chinese() else f"{label}: "


@register.filter
def hm(value: datetime) -> str:
    return _local(value).strftime("%H:%M")


@register.filter
def when(value: datetime | None) -> str:
    """11月29日 周日 14:00 / Sun 29 Nov 14:00."""
    if value is None:
        return ""
    return f"{day(value)} {hm(value)}"


@register.filter
def span(start: datetime, end: datetime) -> str:
    """11月29日 周日 14:00–15:30 (the end's day added when it is another day)."""
    if _local(start).date() == _local(end).date():
        return f"{when(start)}–{hm(end)}"
    return f"{when(start)} – {when(end)}"


@register.filter
def minutes(value: int) -> str:
    """A length of time in words: 30分钟, 1小时30分钟, 1天 / 30 minutes, 1 hour 30 minutes."""
    value = int(value or 0)
    days, rest = divmod(value, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)d day", "%(n)d days", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours})
    if mins or not parts:
        parts.append(ngettext("%(n)d minute", "%(n)d minutes", mins) % {"n": mins})
    return ("" if _chinese() else " ").join(parts)


@register.simple_tag
def qr_svg(text: str, label: str = "") -> str:
    """The text as a QR code, inline SVG drawn on the server (segno): black on white with the
    quiet zone around it, scalable (a viewBox, no fixed size), with a title for screen readers."""
    code = segno.make_qr(text, error="m")  # a full QR code: phones cannot all read Micro QR
    svg = code.svg_inline(
        scale=1,
        omitsize=True,
        dark="#000",
        light="#fff",
        title=label or gettext("Check-in code"),
        svgclass="qr",
        lineclass=None,
    )
    return mark_safe(svg.replace("<svg ", '<svg role="img" ', 1))


@register.simple_tag
def tel(phone: str) -> str:
    """A phone number as a tap-to-call link (digits and + only in the href)."""
    digits = "".join(c for c in phone if c.isdigit() or c == "+")
    return format_html('<a class="tel" href="tel:{}">{}</a>', digits, phone)


@register.filter
def map_url(center) -> str:
    """A map search for the place (Amap's public link format, opened on the resident's phone):
    by name and address, which every center has, rather than by coordinates, which map apps in
    China read in their own datum."""
    keyword = f"上海市{center.district}{center.address} {center.name}"
    return "https://uri.amap.com/search?" + urlencode({"keyword": keyword, "city": "310000"})
