"""Recognise datelines and parse the dates they carry.

A *dateline* is a short line near the top of a document that gives its date, alone or with a
byline: ``January 7, 2026``, ``7 January 2026``, ``Jan 7, 2026``, ``Wednesday, January 7,
2026``, ``2026-01-07``, ``Posted on May 18, 2020 by Jack Huey``, ``By A and B | May 1, 2018``,
``Created: 21-Oct-2009``. Numeric dates whose day and month could be swapped (``03/04/2020``)
still make a dateline, but no date is guessed from them.
"""

from __future__ import annotations

import re
from datetime import date

__all__ = ["parse_date", "find_date", "is_dateline", "is_byline"]

_MONTHS = {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "may": 5, "jun": 6, "jul": 7, "aug": 8,
    "sep": 9, "sept": 9, "oct": 10, "nov": 11, "dec": 12,
}
_MONTH = (
    r"(?P<mon>Jan(?:uary)?|Feb(?:ruary)?|Mar(?:ch)?|Apr(?:il)?|May|June?|July?|Aug(?:ust)?"
    r"|Sep(?:t(?:ember)?)?|Oct(?:ober)?|Nov(?:ember)?|Dec(?:ember)?)\.?"
)
_WEEKDAY = r"(?:(?:Mon|Tue|Tues|Wed|Thu|Thur|Thurs|Fri|Sat|Sun)(?:day|nesday|sday|urday|rsday)?\.?,?\s+)"
_DAY = r"(?P<day>[0-3]?\d)(?:st|nd|rd|th)?"
_YEAR = r"(?P<year>(?:1[6-9]|2[0-9])\d\d)"

_PATTERNS = [
    re.compile(rf"\b{_WEEKDAY}?{_MONTH}\s+{_DAY},?\s+{_YEAR}\b", re.I),  # January 7, 2026
    re.compile(rf"\b{_WEEKDAY}?{_DAY}(?:\s+of)?\s+{_MONTH},?\s+{_YEAR}\b", re.I),  # 7 January 2026
    re.compile(rf"\b{_DAY}-{_MONTH}-{_YEAR}\b", re.I),  # 21-Oct-2009
    re.compile(r"\b(?P<year>(?:1[6-9]|2\d)\d\d)-(?P<mnum>[01]?\d)-(?P<day>[0-3]?\d)\b"),  # 2026-01-07
    re.compile(r"\b(?P<year>(?:1[6-9]|2\d)\d\d)/(?P<mnum>[01]?\d)/(?P<day>[0-3]?\d)\b"),  # 2026/01/07
]
_NUMERIC = re.compile(r"\b(?P<a>[0-3]?\d)[/.](?P<b>[0-3]?\d)[/.](?P<year>(?:1[6-9]|2\d)\d\d)\b")
_MONTH_YEAR = re.compile(rf"^{_MONTH}\s+{_YEAR}$", re.I)

_BYLINE_RE = re.compile(
    r"^(?:by|posted|published|written|updated|last updated|author|authors|date|created)\b", re.I
)
_LABEL_RE = re.compile(r"^(?:date|created|published|posted|updated|last[- ]updated)\s*:", re.I)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def find_date(s: str) -> tuple[str | None, int, int] | None:
    """Find the first date in ``s``.

    :param s: any text (a line).
    :return: ``(iso, start, end)`` with ``iso`` the ``YYYY-MM-DD`` form, or ``None`` as ``iso``
        when the date is numeric and ambiguous (``03/04/2020``) or impossible; ``start``/``end``
        are character offsets of the match in ``s``. ``None`` when no date is found.
    """
    best: tuple[str | None, int, int] | None = None
    for pat in _PATTERNS:
        m = pat.search(s)
        if m is None or (best is not None and m.start() >= best[1]):
            continue
        gd = m.groupdict()
        month = _MONTHS.get(gd["mon"].lower().rstrip(".")[:4] if gd.get("mon") else "", 0)
        if not month and gd.get("mon"):
            month = _MONTHS.get(gd["mon"].lower()[:3], 0)
        if gd.get("mnum"):
            month = int(gd["mnum"])
        best = (_iso(int(gd["year"]), month, int(gd["day"])), m.start(), m.end())
    if best is None:
        m = _NUMERIC.search(s)
        if m is not None:
            a, b = int(m.group("a")), int(m.group("b"))
            iso: str | None = None
            if a == b:
                iso = _iso(int(m.group("year")), a, b)
            elif a > 12 >= b:
                iso = _iso(int(m.group("year")), b, a)
            elif b > 12 >= a:
                iso = _iso(int(m.group("year")), a, b)
            best = (iso, m.start(), m.end())
    return best


def parse_date(s: str) -> str | None:
    """ISO ``YYYY-MM-DD`` of the first unambiguous date in ``s``, else ``None``."""
    found = find_date(s)
    return found[0] if found else None


def is_byline(s: str) -> bool:
    """True for a byline such as ``By A and B``, ``Posted on ... by ...``, ``Author: X``."""
    return bool(_BYLINE_RE.match(s)) and len(s) <= 200


def is_dateline(s: str) -> bool:
    """True when the stripped line ``s`` reads as a dateline (a date, alone or in a byline).

    Method: the line is short (at most 160 characters) and either a date makes up most of it
    (what is left after removing the date, weekday and separators is at most three words) or
    it starts like a byline/label (``By``, ``Posted``, ``Date:``, ``Created:``) and holds a date.
    """
    if not s or len(s) > 160:
        return False
    found = find_date(s)
    if found is None:
        return bool(_MONTH_YEAR.match(s))
    _, a, b = found
    if _BYLINE_RE.match(s) or _LABEL_RE.match(s):
        return True
    rest = (s[:a] + " " + s[b:]).strip(" ,.|·-–—:()[]")
    words = [w for w in re.split(r"[\s,|·]+", rest) if w]
    return len(words) <= 3 and not rest.endswith((".", "?", "!")) or len(rest) == 0
