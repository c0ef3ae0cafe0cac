"""The Chinese catalog is complete, and the committed .mo is the compiled form of the .po.

Machines without GNU gettext never run compilemessages, so they show whatever django.mo holds:
a .po edited without recompiling must fail here. The .po is parsed in pure Python (no polib).
"""

import gettext
import re
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from pathlib import Path

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from centers import weekdays
from core.errors import Invalid, NotFound

LC_MESSAGES = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans" / "LC_MESSAGES"
PO_FILE = LC_MESSAGES / "django.po"
MO_FILE = LC_MESSAGES / "django.mo"

CJK = re.compile(r"[\u4e00-\u9fff]")


@dataclass
class Entry:
    line: int
    msgctxt: str | None = None
    msgid: str | None = None
    msgid_plural: str | None = None
    msgstr: dict[int, str] = field(default_factory=dict)
    flags: set[str] = field(default_factory=set)

    @property
    def is_header(self) -> bool:
        return self.msgid == "" and self.msgctxt is None

    @property
    def label(self) -> str:
        ctxt = f"[{self.msgctxt}] " if self.msgctxt is not None else ""
        return f"django.po:{self.line} {ctxt}{self.msgid!r}"


_ESCAPES = {
    "n": "\n",
    "t": "\t",
    "r": "\r",
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "v": "\v",
    '"': '"',
    "\\": "\\",
    "'": "'",
    "?": "?",
}
_ESCAPE = re.compile(r"\\(?:([0-7]{1,3})|x([0-9a-fA-F]{1,2})|(.))")
_KEYWORD = re.compile(r'^(msgctxt|msgid_plural|msgid|msgstr)(?:\[(\d+)\])?\s+"(.*)"\s*$')
_CONTINUATION = re.compile(r'^"(.*)"\s*$')


def unescape(text: str) -> str:
    def replace(match: re.Match) -> str:
        octal, hexa, char = match.groups()
        if octal is not None:
            return chr(int(octal, 8))
        if hexa is not None:
            return chr(int(hexa, 16))
        if char in _ESCAPES:
            return _ESCAPES[char]
        raise ValueError(f"unknown escape \\{char}")

    return _ESCAPE.sub(replace, text)


def parse_po(text: str) -> list[Entry]:
    """Entries of a .po file, header included, obsolete (#~) entries left out."""
    entries: list[Entry] = []
    current: Entry | None = None
    target: tuple[str, int] | None = None  # the field that continuation lines extend
    pending_flags: set[str] = set()
    pending_line = 0

    def finish() -> None:
        nonlocal current, target
        if current is not None:
            if current.msgid is None or not current.msgstr:
                raise ValueError(f"django.po:{current.line}: entry without msgid or msgstr")
            entries.append(current)
        current, target = None, None

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line:
            finish()
            continue
        if line.startswith("#~"):  # obsolete: not compiled into the .mo
            continue
        if line.startswith("#"):
            if current is not None and current.msgstr:
                finish()
            if line.startswith("#,"):
                pending_flags |= {f.strip() for f in line[2:].split(",") if f.strip()}
            pending_line = pending_line or number
            continue
        keyword = _KEYWORD.match(line)
        if keyword:
            name, index, value = keyword.groups()
            if name in ("msgctxt", "msgid") and current is not None and current.msgstr:
                finish()
            if current is None:
                current = Entry(line=pending_line or number, flags=pending_flags)
                pending_flags, pending_line = set(), 0
            if name == "msgstr":
                key = int(index) if index is not None else 0
                current.msgstr[key] = unescape(value)
                target = ("msgstr", key)
            else:
                setattr(current, name, unescape(value))
                target = (name, 0)
            continue
        continuation = _CONTINUATION.match(line)
        if continuation and current is not None and target is not None:
            name, key = target
            value = unescape(continuation.group(1))
            if name == "msgstr":
                current.msgstr[key] += value
            else:
                setattr(current, name, getattr(current, name) + value)
            continue
        raise ValueError(f"django.po:{number}: cannot parse {raw!r}")
    finish()
    return entries


@cache
def po_entries() -> tuple[Entry, ...]:
    return tuple(parse_po(PO_FILE.read_text(encoding="utf-8")))


def messages() -> list[Entry]:
    return [e for e in po_entries() if not e.is_header]


def header() -> dict[str, str]:
    (entry,) = [e for e in po_entries() if e.is_header]
    fields = {}
    for line in entry.msgstr[0].splitlines():
        name, _, value = line.partition(":")
        fields[name.strip()] = value.strip()
    return fields


def po_msgstr(msgid: str) -> str:
    (entry,) = [e for e in messages() if e.msgid == msgid and e.msgctxt is None]
    return entry.msgstr[0]


@cache
def compiled() -> gettext.GNUTranslations:
    with MO_FILE.open("rb") as fp:
        return gettext.GNUTranslations(fp)


# The parser itself, on the cases the real file may not happen to contain.


def test_parser_handles_continuations_escapes_context_and_plurals() -> None:
    sample = r"""# comment
#, fuzzy
msgid ""
msgstr ""
"Language: zh_Hans\n"

#: a.py:1
#, python-format
msgctxt "month"
msgid ""
"May %(day)s "
"\"short\"\n"
msgstr "五月%(day)s日“短”\n"

msgid "%(n)s seat"
msgid_plural "%(n)s seats"
msgstr[0] "%(n)s个座位"
msgstr[1] ""
"(unused)"

#~ msgid "gone"
#~ msgstr "已删除"
"""
    header_entry, dated, plural = parse_po(sample)
    assert header_entry.is_header
    assert header_entry.flags == {"fuzzy"}
    assert header_entry.msgstr[0] == "Language: zh_Hans\n"
    assert dated.msgctxt == "month"
    assert dated.msgid == 'May %(day)s "short"\n'
    assert dated.msgstr == {0: "五月%(day)s日“短”\n"}
    assert dated.flags == {"python-format"}
    assert plural.msgid_plural == "%(n)s seats"
    assert plural.msgstr == {0: "%(n)s个座位", 1: "(unused)"}


# The catalog.


def test_header_is_filled_in_and_not_fuzzy() -> None:
    (entry,) = [e for e in po_entries() if e.is_header]
    assert "fuzzy" not in entry.flags
    fields = header()
    assert fields["Language"] == "zh_Hans"
    assert fields["Project-Id-Version"] == "linli"
    assert fields["Content-Type"] == "text/plain; charset=UTF-8"
    assert fields["Plural-Forms"].replace(" ", "") == "nplurals=1;plural=0;"


def test_catalog_has_the_project_strings() -> None:
    msgids = {e.msgid for e in messages()}
    assert {"Every day", "Some of the data sent is not valid.", "%(n)s person"} <= msgids
    assert len(msgids) > 100


def test_every_entry_is_translated() -> None:
    untranslated = [
        e.label
        for e in messages()
        if not e.msgstr or any(not text.strip() for text in e.msgstr.values())
    ]
    assert untranslated == []


def test_no_entry_is_fuzzy() -> None:
    assert [e.label for e in messages() if "fuzzy" in e.flags] == []


def test_plural_entries_have_exactly_one_form() -> None:
    """nplurals=1: msgstr[0] only (a stray msgstr[1] is never used and hides mistakes)."""
    plurals = [e for e in messages() if e.msgid_plural is not None]
    assert plurals
    assert [e.label for e in plurals if sorted(e.msgstr) != [0]] == []


def test_python_format_placeholders_are_kept() -> None:
    placeholder = re.compile(r"%\(\w+\)[sd]|\{\{\s*\w+\s*\}\}|<[^>]+>")
    wrong = [
        e.label
        for e in messages()
        for text in e.msgstr.values()
        if sorted(placeholder.findall(e.msgid)) != sorted(placeholder.findall(text))
    ]
    assert wrong == []


def test_committed_mo_matches_po() -> None:
    """Recompile after editing the .po: `manage.py compilemessages -l zh_Hans --ignore=.venv`."""
    mo = compiled()
    stale = []
    for entry in messages():
        if entry.msgid_plural is None:
            if entry.msgctxt is None:
                got = mo.gettext(entry.msgid)
            else:
                got = mo.pgettext(entry.msgctxt, entry.msgid)
            if got != entry.msgstr[0]:
                stale.append((entry.label, entry.msgstr[0], got))
        else:
            for n in (1, 2, 5):
                if entry.msgctxt is None:
                    got = mo.ngettext(entry.msgid, entry.msgid_plural, n)
                else:
                    got = mo.npgettext(entry.msgctxt, entry.msgid, entry.msgid_plural, n)
                if got != entry.msgstr[0]:
                    stale.append((f"{entry.label} n={n}", entry.msgstr[0], got))
    assert stale == [], "django.mo is out of date with django.po; run compilemessages"


def test_mo_header_declares_utf8_and_one_plural_form() -> None:
    info = compiled().info()
    assert info["content-type"] == "text/plain; charset=UTF-8"
    assert info["language"] == "zh_Hans"
    assert [compiled().plural(n) for n in (0, 1, 2, 7)] == [0, 0, 0, 0]


# What Django serves.


@pytest.mark.parametrize(
    ("lazy", "msgid"),
    [
        (Invalid.message, "Some of the data sent is not valid."),
        (NotFound.message, "Not found."),  # the project's wording wins over DRF's catalog
        (weekdays.WEEKDAY_NAMES[0], "Mon"),
    ],
)
def test_django_translates_project_strings(lazy, msgid: str) -> None:
    with translation.override("zh-hans"):
        chinese = str(lazy)
    with translation.override("en"):
        english = str(lazy)
    assert chinese == po_msgstr(msgid)
    assert CJK.search(chinese)
    assert english == msgid


def test_weekdays_describe_in_both_languages() -> None:
    mon_thu = weekdays.to_mask([0, 1, 2, 3])
    with translation.override("zh-hans"):
        assert weekdays.describe(weekdays.ALL_DAYS) == "每天"
        assert weekdays.describe(mon_thu) == "周一–周四"
    with translation.override("en"):
        assert weekdays.describe(weekdays.ALL_DAYS) == "Every day"
        assert weekdays.describe(mon_thu) == "Mon–Thu"


def test_templates_translate_plural_and_placeholders() -> None:
    template = Template(
        "{% load i18n %}"
        "{% blocktranslate with floor=3 %}Floor {{ floor }}{% endblocktranslate %}|"
        "{% blocktranslate count n=50 %}{{ n }} person{% plural %}{{ n }} people"
        "{% endblocktranslate %}"
    )
    with translation.override("zh-hans"):
        floor, people = template.render(Context()).split("|")
    assert floor == po_msgstr("Floor %(floor)s") % {"floor": 3}
    assert people == po_msgstr("%(n)s person") % {"n": 50}
    with translation.override("en"):
        assert template.render(Context()) == "Floor 3|50 people"


def test_chinese_takes_full_width_colons_and_writes_years_first() -> None:
    """Chinese writes "电话：" and "手机号码：" (Django's own Chinese keeps the ASCII colon
    after form labels); no Chinese text in the catalog puts an ASCII colon after a character."""
    ascii_colon = [
        e.label
        for e in messages()
        if any(re.search(r"[\u4e00-\u9fff]:", text) for text in e.msgstr.values())
    ]
    assert ascii_colon == []
    template = Template('{% load linli %}{{ _("Phone")|colon }}{{ born|full_date }}')
    context = Context({"born": date(1958, 3, 12)})
    with translation.override("zh-hans"):
        assert template.render(context) == "电话：1958年3月12日"
        assert forms.Form().label_suffix == "："
    with translation.override("en"):
        assert template.render(context) == "Phone: 12 Mar 1958"
        assert forms.Form().label_suffix == ":"
