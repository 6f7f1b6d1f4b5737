"""``tag_text``: tag a normalised plain text into typed blocks, with title and date.

Pipeline of the method (each step linear in the text):

1. :func:`~plugins.sections.lines.split_lines` splits the text into lines;
2. :func:`~plugins.sections.blocks.measure` measures the layout (wrap width, indentation,
   pagination) and :func:`~plugins.sections.blocks.segment` cuts the lines into units;
3. the *header* (the first units) is read for the title, the dateline and bylines: a dateline
   may come before or after the title; ``Key: value`` field headers (PEP style) give ``Title:``
   and ``Created:``/``Date:``; a front block of paginated text (RFC) is ``other``;
4. :func:`~plugins.sections.headings.decide_headings` finds headings and list runs in the body,
   :func:`~plugins.sections.headings.assign_levels` gives heading levels (2, 3, 4 ... at most 6; title = 1).
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field

from plugins.sections.blocks import FIELD_RE, Profile, Unit, measure, segment
from plugins.sections.dates import is_byline, is_dateline, parse_date
from plugins.sections.headings import assign_levels, decide_headings, is_caps, nest_bare_headings
from plugins.sections.lines import Line, ends_mid_clause, split_lines

__all__ = ["TaggedBlock", "Tagged", "tag_text"]

log = logging.getLogger(__name__)

_TOC_RE = re.compile(r"(?:\.\s?){4,}\s*\d+\s*$")
_COLUMNS_RE = re.compile(r"\S\s{3,}\S")
_CLOSERS = "\"'”’»);"  # closing quotes, brackets and a trailing ";" after a sentence end
_SENTENCE_ENDS = (".",)  # headlines may end with "!" or "?"


@dataclass(frozen=True, slots=True)
class TaggedBlock:
    """One tagged block.

    :ivar kind: ``title``, ``dateline``, ``heading``, ``paragraph``, ``list_item``, ``code``,
        ``quote``, ``table`` or ``other``.
    :ivar level: 1 for the title, 2 for top headings, 3, 4 ... below (at most 6); ``None`` for other kinds.
    :ivar start: character offset of the block's first non-blank character in the text.
    :ivar end: character offset one past its last non-blank character (exclusive).
    """

    kind: str
    level: int | None
    start: int
    end: int


@dataclass(slots=True)
class Tagged:
    """What :func:`tag_text` returns.

    :ivar blocks: the blocks in document order, non-overlapping.
    :ivar title: the title text (lines joined by one space), or ``None``.
    :ivar date: the dateline's date as ISO ``YYYY-MM-DD`` when unambiguous, else ``None``.
    :ivar notes: diagnostic codes (``no-title``, ``no-headings``, ``ambiguous-date``).
    """

    blocks: list[TaggedBlock] = field(default_factory=list)
    title: str | None = None
    date: str | None = None
    notes: list[str] = field(default_factory=list)


def _upper(s: str) -> bool:
    return any(c.isalpha() for c in s) and not any(c.islower() for c in s)


def _single(u: Unit) -> bool:
    return u.first == u.last


def _title_like(u: Unit, text: str, units: list[Unit]) -> bool:
    if "atx" in u.notes:
        # Markdown marks: the title is the first heading when it is the only "#" one
        return u.notes["atx"] == 1 and sum(1 for v in units if v.notes.get("atx") == 1) == 1
    if u.kind not in ("paragraph", "heading", "list_item"):
        return False
    span = text[u.start : u.end]
    if len(span) > 200 or (span.rstrip(_CLOSERS).endswith(_SENTENCE_ENDS) and len(span.split()) > 12):
        return False  # a long sentence: the first paragraph
    if not _single(u) and not is_caps(span) and not (u.notes.get("hanging") and u.last - u.first <= 2):
        return False  # one line, capitals, or a title wrapped with a hanging indent (abstracts)
    return not ends_mid_clause(u.tail)


def _header(units: list[Unit], lines: list[Line], text: str, profile: Profile, res: Tagged) -> int:
    """Tag the header units (title, dateline, bylines, front matter); return the body start index."""
    n = len(units)
    if n == 0:
        return 0
    k = 0
    # paginated front matter (RFC): column blocks before the title are "other"
    if profile.paginated and n and _COLUMNS_RE.search(units[0].text):
        # front matter in columns, then the centred title
        while k < n and k < 8 and units[k].indent <= profile.base_indent and units[k].kind != "heading":
            units[k].kind = "other"
            k += 1
        if k < n and units[k].indent > profile.base_indent:
            t = units[k]
            t.kind = "title"
            t.level = 1
            res.title = " ".join(ln.text for ln in lines[t.first : t.last + 1] if not ln.blank)
            return k + 1
        for u in units[:k]:
            u.kind = "paragraph"
        k = 0
    # field header (PEP style): "Key: value" lines at the top
    j = 0
    while j < n and units[j].blank_before <= 0 and FIELD_RE.match(units[j].text) and j < 30:
        j += 1
    if j >= 3:
        for u in units[:j]:
            key = u.text.split(":", 1)[0].lower()
            if key == "title" and res.title is None:
                u.kind = "title"
                res.title = u.text.split(":", 1)[1].strip()
            elif key in ("created", "date", "published") and res.date is None and is_dateline(u.text):
                u.kind = "dateline"
                res.date = parse_date(u.text)
            else:
                u.kind = "other"
        return j
    date_at: int | None = None
    title_at: int | None = None
    u0 = units[0]
    if _single(u0) and is_dateline(u0.text):
        date_at = 0
        if n > 1 and _title_like(units[1], text, units):
            title_at = 1
    elif _title_like(u0, text, units):
        title_at = 0
    if title_at is not None:
        t = units[title_at]
        # a multi-line title: consecutive short ALL CAPS (or short) lines glued together
        last = title_at
        while (
            "atx" not in t.notes
            and last + 1 < n
            and units[last + 1].blank_before == 0
            and _single(units[last + 1])
            and _upper(units[last + 1].text)
            and is_caps(t.text)
            and len(units[last + 1].text) <= 80
        ):
            last += 1
        if last > title_at:
            t.last = units[last].last
            t.tail = units[last].tail
            t.end = units[last].end
            del units[title_at + 1 : last + 1]
            n = len(units)
        t.kind = "title"
        t.level = 1
        if "atx" in t.notes:
            res.title = t.text
        else:
            res.title = " ".join(ln.text for ln in lines[t.first : t.last + 1] if not ln.blank)
    found = [x for x in (date_at, title_at) if x is not None]
    body = max(found) + 1 if found else 0
    if date_at is None and title_at is not None:
        for c in range(title_at + 1, min(title_at + 3, n)):
            u = units[c]
            if _single(u) and is_dateline(u.text):
                date_at = c
                for m in range(title_at + 1, c):
                    if is_byline(units[m].text) and len(units[m].text) < 120:
                        units[m].kind = "other"
                    else:
                        date_at = None
                if date_at is not None:
                    body = c + 1
                break
    if date_at is not None:
        units[date_at].kind = "dateline"
        res.date = parse_date(units[date_at].text)
        if res.date is None:
            res.notes.append("ambiguous-date")
    # a byline group right after the header ("By\nAuthor Name") is front matter
    if body < n and is_byline(units[body].text) and len(units[body].text) <= 80 and title_at is not None:
        first = body
        units[first].kind = "other"
        body += 1
        while body < n and units[body].blank_before == 0 and len(units[body].text) <= 80:
            units[first].last = units[body].last
            units[first].tail = units[body].tail
            units[first].end = units[body].end
            del units[body]
            n -= 1
    if title_at is None:
        res.notes.append("no-title")
    return body


def _paginated_body(units: list[Unit], body_from: int, profile: Profile) -> None:
    """Paginated text (RFC style): column-0 lines are headings, dot-leader lines are a TOC."""
    base = profile.base_indent
    for u in units[body_from:]:
        if u.kind == "other":
            continue
        if _TOC_RE.search(u.text):
            u.kind = "other"
            continue
        if u.kind in ("paragraph", "list_item") and u.indent < base and _single(u) and len(u.text) <= 100:
            u.kind = "heading"
            u.blank_before = max(u.blank_before, 1)


def tag_text(text: str) -> Tagged:
    """Tag a normalised plain text (no BOM, LF line ends) into blocks.

    :param text: the document text; any string is accepted (empty, one line, control
        characters, any script).
    :return: a :class:`Tagged` with non-overlapping blocks whose ``start``/``end`` are character
        offsets into ``text`` (end exclusive, first/last non-blank character of the block), the
        title text and the ISO date of the dateline when it is unambiguous.
    :raises: nothing for any ``str`` input; the time taken is linear in ``len(text)``.
    """
    res = Tagged()
    if not text or text.isspace():
        res.notes.append("empty")
        return res
    lines = split_lines(text)
    profile = measure(lines)
    units = segment(lines, profile)
    body_from = _header(units, lines, text, profile, res)
    if profile.paginated and profile.base_indent > 0:
        _paginated_body(units, body_from, profile)
    else:
        decide_headings(units, profile, body_from)
    heads = [u for u in units if u.kind == "heading"]
    assign_levels(heads)
    nest_bare_headings(units, body_from)
    if not heads:
        res.notes.append("no-headings")
    for u in units:
        if u.end <= u.start:
            continue
        level = u.level if u.kind == "heading" else (1 if u.kind == "title" else None)
        res.blocks.append(TaggedBlock(u.kind, level, u.start, u.end))
    log.debug("tagged %d blocks, %d headings", len(res.blocks), len(heads))
    return res
