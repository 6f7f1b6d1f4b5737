"""Decide which units are headings and give them levels.

Method. Each prose unit of one line is scored with layout cues and shape cues:

* strong cues: an underline (``====`` / ``----``); more blank lines before it than the document
  puts between paragraphs (two or three blank lines before top headings); heading numbering
  (``2.1 Methods``, ``1.  Introduction``, ``IV.``, ``A.``) on a short line; ALL CAPS (outside a
  run of short lines); a ``CHAPTER``/``PART``/``Appendix`` label;
* medium cues: a short line glued to the paragraph that follows it (no blank line between), or a
  short isolated line followed by body text;
* shape: short (at most ~16 words), no final ``.``, ``,`` or ``;`` (a final ``?`` or ``:`` needs
  more support), starts with a capital or a number, does not read as code.

Runs of short lines without blank lines between them, and short lines that follow a paragraph
ending with ``:``, are list items rather than headings; so are three or more weak heading
candidates in a row with no text between them. In a text with blank lines between blocks,
one-line units glued together are list items when short, one paragraph when they are long
prose or hard-wrapped lines (continuations in lower case), and code when they read as code.

Levels come from, in this order: Markdown ``#`` marks when present; the numbering depth
(``2.1`` -> 2); the underline character (in order of first use); the number of blank lines
before (more blanks, higher rank); ALL CAPS vs mixed case (caps rank higher). Levels returned
are 2 for top headings, 3 and 4 below (the title is level 1). With no cue at all, every heading
is level 2.
"""

from __future__ import annotations

import re
from collections import Counter

from plugins.sections.blocks import Profile, Unit, is_code_like, strip_anchor
from plugins.sections.lines import BULLET_RE

__all__ = ["NUMBERED_RE", "number_depth", "is_caps", "decide_headings", "assign_levels"]

NUMBERED_RE = re.compile(
    r"^(?:(?:Section|Chapter|Part|Appendix)\s+)?"
    r"(?P<num>\d{1,3}(?:\.\d{1,3})*\.?|[IVXLC]{1,6}\.|[A-Z]\.|[A-Z]\.\d{1,3}(?:\.\d{1,3})*\.?)"
    r"(?:\s+|$)(?P<rest>.*)$"
)
_CHAPTER_RE = re.compile(r"^(?:CHAPTER|Chapter|PART|Part|BOOK|Book|APPENDIX|Appendix)\s+[\dIVXLCivxlc]+\b")
_ORDERED_ITEM_RE = re.compile(r"^\(?(\d{1,3}|[a-z])[.)]\s")
_SENTENCE_INSIDE = re.compile(r"[a-z0-9)\]][.!?]\s+[A-Z]")
_QUOTED_END = ('."', '?"', '!"', ".”", "?”", "!”")
_ROLE_RE = re.compile(r":[\w+-]+:`")
_CAPTION_RE = re.compile(r"^(?:Figure|Fig\.|Table|Listing|Image|Photo|Source)\s*\d+\b")
_PROSE_START_RE = re.compile(r"^(?:But|And|So|Or|Yet|Then|Now|Well|Also|Still|First|Next|Finally),?\s")
_LOWER_START_OK = re.compile(r"^(?:[a-z]+[/.][a-z]|[a-z]+[A-Z]|iOS|macOS|npm|git\b|go\b)")


def number_depth(s: str) -> int:
    """Depth of a heading number: ``2`` / ``2.`` -> 1, ``2.1`` -> 2, ``2.1.3.`` -> 3; 0 if none."""
    m = NUMBERED_RE.match(s)
    if m is None:
        return 0
    num = m.group("num").rstrip(".")
    if not num:
        return 0
    if num[0].isdigit():
        return num.count(".") + 1
    if "." in num:  # A.1
        return num.count(".") + 1
    return 1


def is_caps(s: str) -> bool:
    """True when ``s`` has at least three letters and no lower-case letter."""
    letters = 0
    for c in s:
        if c.isalpha():
            if c.islower():
                return False
            letters += 1
    return letters >= 3


def _words(s: str) -> int:
    return len(s.split())


def _numbered_body(s: str) -> str:
    m = NUMBERED_RE.match(s)
    return m.group("rest") if m else s


def _shape(u: Unit, loose: bool) -> bool:
    """Shape test; ``loose`` admits longer lines and final periods (strong layout cue present)."""
    s = strip_anchor(u.text)
    if not s or u.first != u.last:
        return False
    n = _words(s)
    if len(s) > (160 if loose else 120) or n > (24 if loose else 18):
        return False
    if sum(1 for c in s if c.isalpha()) < 2:
        return False
    if s.endswith(".") and loose and (n > 15 or _SENTENCE_INSIDE.search(s)):
        return False
    if _CAPTION_RE.match(s) or s.startswith(("—", "–", ".. ", "P.S.")) or _ROLE_RE.search(s):
        return False
    last = s[-1]
    if last in ",;" or (last == "." and not loose and not s.endswith("..")):
        dotted = number_depth(s) >= 2 and NUMBERED_RE.match(s) is not None and s[0].isdigit()
        if not (last == "." and (_numbered_body(s) == "" or (dotted and not _SENTENCE_INSIDE.search(s)))):
            return False
    if BULLET_RE.match(s):
        return False
    first = s[0]
    if first.islower() and not _LOWER_START_OK.match(s):
        return False
    if first in "([{<\"'`=#$/|\\" and not loose:
        return False
    if ("; " in s or " | " in s or s.endswith(_QUOTED_END)) and not loose:
        return False
    if is_code_like(s) and not (NUMBERED_RE.match(s) or is_caps(s)):
        return False
    return True


def decide_headings(units: list[Unit], profile: Profile, body_from: int) -> None:
    """Mark heading units in place (``kind = "heading"``); also mark list runs.

    :param units: all units of the document, in order.
    :param profile: the document profile.
    :param body_from: index of the first unit after the title/dateline header.
    """
    n = len(units)
    body = units[body_from:]
    # the document's paragraph spacing: the most common blank count before paragraphs
    gaps = Counter(u.blank_before for u in body if u.kind == "paragraph" and u.blank_before >= 0)
    para_gap = gaps.most_common(1)[0][0] if gaps else 1
    multi = [u for u in body[1:] if u.blank_before > para_gap and u.kind in ("paragraph", "list_item")]
    multi_short = [u for u in multi if _shape(u, loose=True)]
    uses_multi = bool(multi) and len(multi_short) >= max(1, int(0.6 * len(multi)))
    # the blank count before top headings: the most common count among heading-shaped units
    top_gap = Counter(u.blank_before for u in multi_short).most_common(1)[0][0] if multi_short else para_gap + 1
    top_gap = min(top_gap, max(u.blank_before for u in multi_short) if multi_short else top_gap)
    compact = para_gap == 0

    def strong(k: int, u: Unit) -> bool:
        s = u.text
        if len(s) > 240 or u.first != u.last:
            return False
        if is_code_like(s) and not (NUMBERED_RE.match(s) or is_caps(s)):
            return False
        if uses_multi and u.blank_before >= top_gap and k > body_from and _shape(u, loose=True):
            return True
        if _CHAPTER_RE.match(s) and _words(s) <= 14:
            return True
        return False

    # runs of short one-line units glued together, precomputed (linear time)
    def short(v: Unit) -> bool:
        return (
            v.kind in ("paragraph", "list_item")
            and v.first == v.last
            and len(v.text) <= 100
            and not v.text.endswith(":")
        )

    is_short = [short(v) for v in units]
    left = list(range(n))
    for i in range(body_from + 1, n):
        if units[i].blank_before == 0 and is_short[i - 1]:
            left[i] = left[i - 1]
    right = list(range(n))
    for i in range(n - 2, body_from - 1, -1):
        if units[i].blank_after == 0 and is_short[i + 1]:
            right[i] = right[i + 1]
    listish = [0] * (n + 1)  # prefix counts of unmarked lines without a sentence end
    for i, v in enumerate(units):
        listish[i + 1] = listish[i] + (0 if v.text.endswith((".", "!", "?")) or v.marker else 1)

    def in_short_run(k: int) -> bool:
        """A run of short one-line units with no blank line between them."""
        u = units[k]
        s_u = _numbered_body(u.text)
        a, b = left[k], right[k]
        if compact:
            return listish[b + 1] - listish[a] >= 3
        if b - a >= 2:
            return True
        for j in (k - 1, k + 1):
            if not (body_from <= j < n):
                continue
            v = units[j]
            gap = u.blank_before if j < k else u.blank_after
            if gap != 0 or v.kind not in ("paragraph", "list_item"):
                continue
            du, dv = number_depth(u.text), number_depth(v.text)
            if du and dv and du != dv:
                continue
            if compact and v.first == v.last and len(v.text) > 80:
                continue
            if v.first == v.last and len(v.text) <= 80 and not v.text.endswith((".", ":")):
                return True
            if v.kind == "list_item" and v.marker == "bullet" and not (is_caps(s_u) or du):
                return True
        return False

    for k in range(body_from, n):
        u = units[k]
        if u.kind == "heading":  # underlined
            continue
        if u.kind not in ("paragraph", "list_item"):
            continue
        if u.kind == "list_item" and u.marker == "bullet":
            continue
        s = strip_anchor(u.text)
        nxt = units[k + 1] if k + 1 < n else None
        prv = units[k - 1] if k - 1 >= 0 else None
        if strong(k, u):
            u.kind = "heading"
            u.notes["strong"] = True
            continue
        if not _shape(u, loose=False):
            continue
        numbered = NUMBERED_RE.match(s) is not None and number_depth(s) > 0
        if u.kind == "list_item":
            # "1. Introduction" vs items of a numbered list: an item has numbered neighbours
            if not numbered:
                continue
            near = [v for v in (prv, nxt) if v is not None and v.kind == "list_item" and v.marker == "ordered"]
            if near and any(
                (v is nxt and u.blank_after <= 1) or (v is prv and u.blank_before <= 1) for v in near
            ):
                continue
            if s.endswith(".") and not s.endswith(".."):
                continue
        if nxt is None:
            continue
        if nxt.kind not in ("paragraph", "list_item", "code", "quote", "table", "heading"):
            continue
        caps = is_caps(_numbered_body(s))
        last = s[-1]
        glued = u.blank_after == 0
        prev_colon = prv is not None and prv.kind == "paragraph" and prv.text.endswith(":") and k - 1 >= body_from
        if in_short_run(k):
            continue
        if prev_colon and not (caps or numbered) and u.blank_before <= para_gap:
            # "...:" then short lines is a list; a heading is followed by body text or a table
            if nxt.kind == "list_item" or (nxt.kind == "paragraph" and len(nxt.text) <= 100):
                continue
        if last in "?:!" and not (caps or numbered):
            # a question/colon line: a heading only when set apart and followed by body text
            if last == ":":
                continue
            if _SENTENCE_INSIDE.search(s) and not (uses_multi and u.blank_before >= top_gap):
                continue
            if _words(s) > 10 or ", " in s or _PROSE_START_RE.match(s):
                continue
            if nxt.kind == "heading":
                continue
            if compact or glued:
                if len(nxt.text) < 40:
                    continue
        if compact and not (caps or numbered):
            # no blank lines at all: a short line followed by longer body text
            nxt2 = units[k + 2] if k + 2 < n else None

            def plain_short(v: Unit | None, limit: float = max(40, 1.3 * len(s))) -> bool:
                return (
                    v is not None
                    and v.kind == "paragraph"
                    and v.first == v.last
                    and len(v.text) < limit
                    and not v.text.endswith((".", ":", "!", "?"))
                )

            if plain_short(nxt) and (nxt2 is None or plain_short(nxt2)):
                continue
        if glued and nxt.kind == "paragraph" and len(nxt.text) < 20:
            continue
        if para_gap >= 1 and u.blank_before == 0 and not (caps or numbered):
            continue  # glued to the text above it: part of that text, not a heading
        u.kind = "heading"
        u.notes["numbered"] = numbered
        u.notes["caps"] = caps

    _heading_runs(units, body_from)
    # list runs after a colon: short unmarked lines that follow "...:"
    _colon_lists(units, body_from, para_gap)
    if profile.spaced:
        _glued_lists(units, body_from)


def _heading_runs(units: list[Unit], body_from: int) -> None:
    """Three or more weak headings in a row with no text between them are a list, not headings."""
    n = len(units)
    k = body_from
    while k < n:
        if units[k].kind != "heading":
            k += 1
            continue
        j = k
        while j + 1 < n and units[j + 1].kind == "heading":
            j += 1
        run = units[k : j + 1]
        weak = [
            u
            for u in run
            if not (u.underline or u.notes.get("strong") or u.notes.get("numbered") or u.notes.get("caps"))
        ]
        if len(run) >= 3 and len(weak) == len(run):
            for u in run:
                u.kind = "list_item"
        k = j + 1


def _glued_lists(units: list[Unit], body_from: int) -> None:
    """In a text with blank lines between blocks, one-line paragraphs glued together are either
    list items (all short) or the soft-broken lines of one paragraph (merged in place)."""
    out: list[Unit] = units[:body_from]
    k = body_from
    n = len(units)
    while k < n:
        u = units[k]
        j = k
        if u.kind == "paragraph" and u.first == u.last:
            while (
                j + 1 < n
                and units[j].blank_after == 0
                and units[j + 1].kind == "paragraph"
                and units[j + 1].first == units[j + 1].last
            ):
                j += 1
        if j == k:
            out.append(u)
            k += 1
            continue
        run = units[k : j + 1]
        head = run[:-1]
        prose = all(v.text[-1] in ".!?:;\"'”’)" for v in head)
        wrapped = (
            all(len(v.text) >= 45 for v in head)
            and 2 * sum(1 for v in head if v.text[-1] not in ".!?:;") >= len(head)
            and 2 * sum(1 for v in run[1:] if v.text[0].islower()) >= len(head)
        )
        code = 2 * sum(1 for v in run if is_code_like(v.text)) >= len(run)
        long_prose = prose and any(len(v.text) > 100 for v in run)
        if code or wrapped or long_prose:
            u.last = run[-1].last
            u.end = run[-1].end
            u.blank_after = run[-1].blank_after
            u.kind = "code" if code and not wrapped else "paragraph"
            out.append(u)
        else:
            for v in run:
                v.kind = "list_item"
            out.extend(run)
        k = j + 1
    units[:] = out


def _colon_lists(units: list[Unit], body_from: int, para_gap: int) -> None:
    n = len(units)
    k = body_from
    while k < n:
        u = units[k]
        if not (u.kind == "paragraph" and u.text.endswith(":")):
            k += 1
            continue
        j = k + 1
        run: list[Unit] = []
        while j < n:
            v = units[j]
            if v.kind not in ("paragraph", "list_item") or v.marker or v.first != v.last:
                break
            if v.blank_before > max(para_gap, 1) or v.text.endswith(":"):
                break
            if len(run) >= 2 and v.blank_before != run[1].blank_before:
                break
            if len(v.text) > (600 if v.blank_before == 0 and run else 320):
                break
            run.append(v)
            j += 1
        if len(run) >= 2 and (run[1].blank_before == 0 or _uniform(run)):
            if run[1].blank_before == 0 and para_gap > 0:
                for v in run:
                    v.kind = "list_item"
            else:
                for v in _uniform_prefix(run):
                    v.kind = "list_item"
        k = j if j > k + 1 else k + 1


def _uniform(run: list[Unit]) -> bool:
    return len(_uniform_prefix(run)) >= 2


def _uniform_prefix(run: list[Unit]) -> list[Unit]:
    """The leading items that look alike: same final punctuation, similar length, one line each."""
    out: list[Unit] = []
    first = run[0]
    end_kind = first.text[-1] in ".!?"
    max_len = 0
    for v in run:
        if (v.text[-1] in ".!?") != end_kind:
            break
        if len(v.text) > 160:
            break
        if out and len(v.text) > max(2.2 * max_len, 60):
            break
        if _SENTENCE_INSIDE.search(v.text) and len(v.text) > 100:
            break
        out.append(v)
        max_len = max(max_len, len(v.text))
    return out


def assign_levels(heads: list[Unit]) -> None:
    """Give each heading unit a level (2 = top, 3, 4) in place; see the module docstring.

    :param heads: the heading units in document order.
    """
    if not heads:
        return
    depths = [number_depth(h.text) for h in heads]
    numbered = sum(1 for d in depths if d)
    keys: list[tuple[int, ...]] = []
    use_num = numbered >= 2 and numbered >= 0.5 * len(heads) and len(set(d for d in depths if d)) >= 1
    under_order: dict[str, int] = {}
    for h in heads:
        if h.underline and h.underline not in under_order:
            under_order[h.underline] = len(under_order)
    blanks = sorted({h.blank_before for h in heads if h.blank_before >= 1}, reverse=True)
    caps_vals = {is_caps(_numbered_body(h.text)) for h in heads}
    atx = any("atx" in h.notes for h in heads)
    for h, d in zip(heads, depths, strict=True):
        if atx:
            level = h.notes.get("atx")
            keys.append((level if isinstance(level, int) else 1,))
            continue
        if use_num:
            if d:
                keys.append((d,))
            else:
                keys.append((1,))
            continue
        if under_order:
            keys.append((under_order.get(h.underline, len(under_order)),))
            continue
        key: list[int] = []
        if len(blanks) >= 2:
            b = h.blank_before if h.blank_before >= 1 else blanks[-1]
            key.append(0 if b >= blanks[0] else (1 if len(blanks) == 2 or b >= blanks[1] else 2))
        if len(caps_vals) == 2:
            key.append(0 if is_caps(_numbered_body(h.text)) else 1)
        keys.append(tuple(key))
    ranks = sorted(set(keys))
    rank_of = {k: i for i, k in enumerate(ranks)}
    for h, k in zip(heads, keys, strict=True):
        h.level = min(2 + rank_of[k], 4)
