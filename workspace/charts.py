"""Charts drawn on the server as SVG geometry for the templates (no chart script: nothing for
the Content-Security-Policy to allow, and they print)."""

from dataclasses import dataclass

BAR_HEIGHT = 22
LABEL_WIDTH = 150
CHART_WIDTH = 460
LABEL_ROOM = 22  # Latin letters of 12 px text in LABEL_WIDTH, with a gap before the bar


def fit(label: str, room: int) -> str:
    """The label cut to ``room`` widths of a Latin letter, a Chinese character taking two, so
    that "awaiting approval" and "青少年共享空间" both fit where they can (an ellipsis when not)."""

    def width(text: str) -> int:
        return sum(2 if ord(char) >= 0x2E80 else 1 for char in text)

    if width(label) <= room:
        return label
    cut = ""
    for char in label:
        if width(cut + char) > room - 1:  # one for the ellipsis
            break
        cut += char
    return cut + "…"


@dataclass
class Row:
    label: str
    short: str
    value: float
    text: str
    y: int
    width: float


@dataclass
class Chart:
    rows: list[Row]
    width: int
    height: int
    label_width: int
    track_width: int


def bars(items: list[tuple[str, float, str]], *, top: float | None = None) -> Chart:
    """Horizontal bars: ``(label, value, text shown)`` each; ``top`` is the full bar (the
    largest value when not given; 1.0 for rates)."""
    track = CHART_WIDTH - LABEL_WIDTH - 60
    largest = top if top is not None else max((v for _, v, _ in items), default=0)
    rows = [
        Row(
            label=label,
            short=fit(label, LABEL_ROOM),
            value=value,
            text=text,
            y=i * (BAR_HEIGHT + 6),
            width=round(track * min(value / largest, 1), 1) if largest else 0,
        )
        for i, (label, value, text) in enumerate(items)
    ]
    return Chart(
        rows, CHART_WIDTH, max(len(rows) * (BAR_HEIGHT + 6), BAR_HEIGHT), LABEL_WIDTH, track
    )


@dataclass
class Column:
    label: str
    value: int
    x: float
    y: float
    height: float
    tick: bool  # labelled under the axis: the 1st and every 5th, as 31 labels do not fit


def columns(items: list[tuple[str, int]], *, width: int = 460, height: int = 140) -> dict:
    """Vertical bars (bookings per day of the month), labelled at the 1st and every 5th."""
    largest = max((v for _, v in items), default=0)
    step = width / max(len(items), 1)
    plot = height - 20
    cols = []
    for i, (label, value) in enumerate(items):
        h = round(plot * value / largest, 1) if largest else 0
        tick = i == 0 or (i + 1) % 5 == 0
        cols.append(Column(label, value, round(i * step + 1, 1), round(plot - h, 1), h, tick))
    return {
        "columns": cols,
        "width": width,
        "height": height,
        "bar": max(round(step - 2, 1), 1),
        "middle": round(step / 2, 1),
        "base": plot,
    }
