"""What browser tests ask of a page: accessibility (axe-core), fitting the screen, QR codes."""

import io
from pathlib import Path

AXE_SOURCE = (Path(__file__).parent / "vendor" / "axe-4.14.1.min.js").read_text()
# axe-core 4.14.1 from the npm registry (`npm pack axe-core@4.14.1`, file axe.min.js, MPL-2.0:
# vendor/axe-LICENSE.txt), vendored so the tests need no network and no CDN.
SERIOUS = ("serious", "critical")


def axe_violations(page, *, include_moderate: bool = False) -> list[dict]:
    """Run axe-core (WCAG 2.0/2.1/2.2 A and AA rules) on the page as it is and return its
    violations of impact serious or critical (and moderate when asked), each with the rule,
    its help text and the failing elements.

    The script goes in through the DevTools protocol (``page.evaluate``), which the page's
    Content-Security-Policy does not govern: the page under test needs no exception for it."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        page.evaluate(AXE_SOURCE)
    violations = page.evaluate(
        """async () => {
            const result = await axe.run(document, {
                runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                                  'wcag22aa', 'best-practice']},
                resultTypes: ['violations'],
            });
            return result.violations.map(v => ({
                id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => ({target: n.target.join(' '), summary: n.failureSummary})),
            }));
        }"""
    )
    wanted = (*SERIOUS, "moderate") if include_moderate else SERIOUS
    return [v for v in violations if v["impact"] in wanted]


def describe(violations: list[dict]) -> str:
    """A readable assertion message: each rule, then each failing element and why."""
    lines = []
    for v in violations:
        lines.append(f"{v['impact']}: {v['id']}: {v['help']}")
        lines.extend(f"    {n['target']}: {n['summary']}" for n in v["nodes"][:5])
    return "\n".join(lines)


def assert_accessible(page) -> None:
    violations = axe_violations(page)
    assert not violations, f"axe on {page.url}:\n{describe(violations)}"


def horizontal_overflow(page) -> int:
    """How many CSS pixels the page is wider than the window (0: no sideways scrolling)."""
    return page.evaluate(
        "() => Math.max(document.documentElement.scrollWidth, document.body.scrollWidth)"
        " - window.innerWidth"
    )


def set_text_size(page, percent: int) -> None:
    """Set the browser's default text size to ``percent`` of the usual 16 px, as a resident's
    font-size setting does (Chromium's own preference, through the DevTools protocol): pages
    sized in rem grow with it, pixel sizes do not. Applies from the next load on."""
    session = page.context.new_cdp_session(page)
    session.send("Page.enable")
    session.send(
        "Page.setFontSizes",
        {"fontSizes": {"standard": round(16 * percent / 100), "fixed": round(13 * percent / 100)}},
    )


def root_font_px(page) -> float:
    return page.evaluate("() => parseFloat(getComputedStyle(document.documentElement).fontSize)")


def decode_qr(png: bytes) -> list[str]:
    """The texts of the QR codes in a PNG (a screenshot)."""
    import zxingcpp
    from PIL import Image

    image = Image.open(io.BytesIO(png)).convert("L")
    return [code.text for code in zxingcpp.read_barcodes(image)]


def write_camera_video(path: Path, text: str, width: int = 640, height: int = 480) -> Path:
    """A one-frame Y4M video of a QR code saying ``text`` on white, for Chromium's fake camera
    (``--use-file-for-fake-video-capture``, which plays it in a loop): a member holding up their
    phone at the front desk."""
    import segno
    from PIL import Image

    png = io.BytesIO()
    segno.make(text, micro=False).save(png, kind="png", scale=6, border=4)
    frame = Image.new("L", (width, height), 255)
    code = Image.open(png).convert("L")
    frame.paste(code, ((width - code.width) // 2, (height - code.height) // 2))
    grey = bytes([128]) * (width // 2) * (height // 2)  # no colour in either chroma plane
    path.write_bytes(
        f"YUV4MPEG2 W{width} H{height} F10:1 Ip A1:1 C420jpeg\n".encode()
        + b"FRAME\n"
        + frame.tobytes()
        + grey
        + grey
    )
    return path
