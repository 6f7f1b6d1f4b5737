"""Decide which units are headings and give them levels.

Method. Each prose unit of one line is scored with layout cues and shape cues:

* strong cues: an underline (``====`` / ``----``); more blank lines before it than the document
  puts between paragraphs (two or three blank lines before top headings); heading numbering
  (``2.1 Methods``, ``1.  Introduction``, ``IV.``, ``A.``) on a short line; ALL CAPS (outside a
  run of short lines); a ``CHAPTER``/``PART``/``Appendix`` label;
* medium cues: a short line glued to the paragraph that follows it (no blank line between), or a
  short isolated line followed by body text;
* shape: short (at most ~16 words), no final ``.``, ``,`` or ``;`` (a final ``?`` or ``:`` needs
  more support), starts with a capital or a number, does not read as code, does not end inside a
  clause (``the``, ``of``, ``and`` ...: a wrapped line), has no columns set apart by runs of
  spaces (a table row).

Runs of short lines without blank lines between them, and short lines that follow a paragraph
ending with ``:``, are list items rather than headings; so are three or more weak heading
candidates in a row with no text between them. In a text with blank lines between blocks,
one-line units glued together are list items when short, one paragraph when they are long
prose or hard-wrapped lines (continuations in lower case), and code when they read as code.

Levels come from, in this order: Markdown ``#`` marks when present (the number of marks, as
the Markdown reader gives it: ``## Trade`` -> 2, other headings of such a text 2); the numbering depth
(``2.1`` -> 2); the underline character (in order of first use); the number of blank lines
before (more blanks, higher rank); ALL CAPS vs mixed case (caps rank higher). Levels returned
are 2 for top headings, 3, 4 ... below, at most 6 (the title is level 1). With no cue at all, every heading
is level 2.
"""

from __future__ import annotations

import re
from collections import Counter

from plugins.sections.blocks import COLUMN_GAP_RE, Profile, Unit, is_code_like, strip_anchor
from plugins.sections.lines import BULLET_RE, ends_mid_clause

__all__ = ["NUMBERED_RE", "number_depth", "is_caps", "decide_headings", "assign_levels", "nest_bare_headings"]

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
# a callout label ("Note: ...", "Example: ..."): the line is part of the text, not a heading
_CALLOUT_RE = re.compile(
    r"^(?:Note|NB|N\.B\.|Example|Tip|Hint|Warning|Caution|Important|Edit|Update|See also|Aside)s?:\s*\S", re.I
)
_LABEL_RE = re.compile(r"^[A-Z][\w'’/-]*(?: [\w'’/-]+){0,3}: \S")
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
    if _CAPTION_RE.match(s) or _CALLOUT_RE.match(s) or s.startswith(("—", "–", ".. ", "P.S.")) or _ROLE_RE.search(s):
        return False
    last = s[-1]
    if last in ",;" or (last == "." and not loose and not s.endswith("..")):
        dotted = number_depth(s) >= 2 and NUMBERED_RE.match(s) is not None and s[0].isdigit()
        if not (last == "." and (_numbered_body(s) == "" or (dotted and not _SENTENCE_INSIDE.search(s)))):
            return False
    if BULLET_RE.match(s) or ends_mid_clause(s):
        return False
    if COLUMN_GAP_RE.search(s) and not is_caps(s):
        return False  # columns set apart by runs of spaces: a table row or a signature line
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


def _unwrapped(u: Unit, profile: Profile, nxt: Unit | None) -> bool:
    """A prose line left unwrapped in a hard-wrapped text: a heading.

    A wrapping tool breaks every paragraph line at the document's width, but leaves headings
    alone; so in a text wrapped throughout (``profile.strict_wrap``), an isolated one-line unit
    that runs well past the width although it could have been broken (a space before the
    width) is a heading, however long it is. Paginated text (RFCs), texts that wrap only some
    paragraphs, and lines that read as code, carry a list marker or introduce what follows
    (``:``) are left out.
    """
    width = profile.width
    if width is None or not profile.strict_wrap or u.kind != "paragraph" or u.first != u.last:
        return False
    s = u.text
    if u.indent + len(s) <= width + 4 or len(s) > 300 or _words(s) < 4:
        return False
    if s.find(" ", 0, max(1, width - u.indent)) < 0:
        return False  # one long word (a URL): it could not be wrapped
    if u.blank_before < 1 or u.blank_after < 1 or nxt is None or nxt.kind not in ("paragraph", "list_item"):
        return False
    if not (s[0].isupper() or s[0].isdigit()) or s.endswith((":", ",", ";")) or is_code_like(s):
        return False
    return not (BULLET_RE.match(s) or _CAPTION_RE.match(s) or " | " in s or "\t" in s)


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
        if k > body_from and _unwrapped(u, profile, units[k + 1] if k + 1 < n else None):
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
        prev_colon = prv is not None and prv.kind == "paragraph" and prv.tail.endswith(":") and k - 1 >= body_from
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
        if nxt.kind == "paragraph" and nxt.text[:1].islower() and not _LOWER_START_OK.match(nxt.text):
            continue  # the next line goes on with this line's sentence
        if glued and _LABEL_RE.match(s) and _LABEL_RE.match(nxt.text):
            continue  # "Term: what it is" lines in a row are the items of one list
        if para_gap >= 1 and u.blank_before == 0 and not (caps or numbered):
            continue  # glued to the text above it: part of that text, not a heading
        u.kind = "heading"
        u.notes["numbered"] = numbered
        u.notes["caps"] = caps

    for k in range(body_from, n - 1):
        u = units[k]
        if _weak(u) and u.text[-1] in "?!" and units[k + 1].kind == "heading":
            u.kind = "paragraph"  # a question or exclamation heads body text, not another heading
    _unnumbered_inside_numbered(units, body_from)
    _heading_runs(units, body_from)
    # list runs after a colon: short unmarked lines that follow "...:"
    _colon_lists(units, body_from, para_gap)
    if profile.spaced:
        _glued_lists(units, body_from)
    _attributions(units, body_from)


def _attributions(units: list[Unit], body_from: int) -> None:
    """A pull quote set as plain text: a paragraph followed by its attribution line
    (``— Ada Lovelace``, ``― Name, "Title"``). Both are quotes."""
    for k in range(body_from + 1, len(units)):
        u, prv = units[k], units[k - 1]
        s = u.text
        if (
            u.kind == "paragraph"
            and u.first == u.last
            and s[:2] in ("— ", "― ")
            and len(s) <= 160
            and prv.kind in ("paragraph", "quote")
            and k - 1 >= body_from
        ):
            u.kind = "quote"
            prv.kind = "quote"


def _weak(u: Unit) -> bool:
    """A heading decided on shape alone: no underline, ``#``, spacing, numbering or capitals."""
    return (
        u.kind == "heading"
        and "caps" in u.notes
        and not (u.notes.get("strong") or u.notes.get("numbered") or u.notes.get("caps"))
    )


def _unnumbered_inside_numbered(units: list[Unit], body_from: int) -> None:
    """In a document that numbers its headings, an unnumbered weak heading between two numbered
    ones is a lead-in line of the text (a bold phrase, a question), not a section heading.

    Unnumbered headings before the first or after the last numbered one (front and back
    matter: ``Abstract``, ``References``, a closing question) stay headings.
    """
    heads = [u for u in units[body_from:] if u.kind == "heading"]
    numbered = [bool(number_depth(u.text)) and NUMBERED_RE.match(u.text) is not None for u in heads]
    total = sum(numbered)
    if total < 3 or 3 * total < 2 * len(heads):
        return
    seen = 0
    for u, num in zip(heads, numbered, strict=True):
        if num:
            seen += 1
        elif 0 < seen < total and _weak(u):
            u.kind = "paragraph"


def _item_note(u: Unit, indent: int) -> bool:
    """A one-line paragraph indented under the line above it: a note on that line, not body text."""
    return u.kind == "paragraph" and u.first == u.last and u.indent >= indent + 2 and u.blank_before <= 1


def _heading_runs(units: list[Unit], body_from: int) -> None:
    """Three or more weak headings in a row with no text between them are a list, not headings.

    Lines indented under an item (a note on it) do not break the run and are list items too.
    """
    n = len(units)
    k = body_from
    while k < n:
        if units[k].kind != "heading":
            k += 1
            continue
        j = k
        ind = units[k].indent
        while j + 1 < n:
            if units[j + 1].kind == "heading":
                j += 1
            elif j + 2 < n and units[j + 2].kind == "heading" and _item_note(units[j + 1], ind):
                j += 2  # an indented note under an item ("Item\n\n  what it is")
            else:
                break
        run = units[k : j + 1]
        heads = [u for u in run if u.kind == "heading"]
        weak = [
            u
            for u in heads
            if not (
                u.underline
                or "atx" in u.notes
                or u.notes.get("strong")
                or u.notes.get("numbered")
                or u.notes.get("caps")
            )
        ]
        if len(heads) >= 3 and len(weak) == len(heads):
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
            u.tail = run[-1].tail
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


def _runs_on(a: Unit, b: Unit) -> bool:
    """``b`` goes on with ``a``'s sentence: glued, ``a`` starts like a sentence and stops without
    punctuation, ``b`` starts in lower case (a soft-broken line of one paragraph, not the next
    item of a list; items that all start in lower case are a list)."""
    return (
        a.kind == b.kind == "paragraph"
        and b.blank_before == 0
        and b.indent <= a.indent
        and a.tail[-1:].isalnum()
        and b.text[:1].islower()
        and not a.text[:1].islower()
    )


def _colon_lists(units: list[Unit], body_from: int, para_gap: int) -> None:
    n = len(units)
    k = body_from
    while k < n:
        u = units[k]
        if not (u.kind == "paragraph" and u.tail.endswith(":")):
            k += 1
            continue
        j = k + 1
        run: list[Unit] = []
        while j < n:
            v = units[j]
            if not (v.kind in ("paragraph", "list_item") or _weak(v)) or v.marker or v.first != v.last:
                break
            if v.blank_before > max(para_gap, 1) or v.text.endswith(":"):
                break
            if len(run) >= 2 and v.blank_before != run[1].blank_before:
                break
            if len(v.text) > (600 if v.blank_before == 0 and run else 320):
                break
            run.append(v)
            j += 1
        broken = any(_runs_on(a, b) for a, b in zip(run, run[1:], strict=False))
        if len(run) >= 2 and not broken and (run[1].blank_before == 0 or _uniform(run)):
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
    """Give each heading unit a level (2 = top, 3, 4 ... at most 6) in place; see the module docstring.

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
    if any("atx" in h.notes for h in heads):
        # Markdown marks: the level is the number of "#" (as the Markdown reader gives it)
        for h in heads:
            marks = h.notes.get("atx")
            h.level = marks if isinstance(marks, int) else 2
        return
    for h, d in zip(heads, depths, strict=True):
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
        h.level = min(2 + rank_of[k], 6)


_LEAD_NUM_RE = re.compile(r"\d+")
_BACK_MATTER_RE = re.compile(
    r"^(?:(?:\d+\.?|[A-Z]\.)\s+)?(?:References|Footnotes|Notes|Bibliography|Copyright|Acknowledge?ments?"
    r"|Appendix|Appendices|About the authors?|Author'?s'? Address(?:es)?)\b",
    re.I,
)


def _lead(s: str) -> tuple[str, ...]:
    """The first two words of a heading, lower-cased, numbers blanked (``Part 2:`` ~ ``Part 3:``)."""
    return tuple(_LEAD_NUM_RE.sub("#", w.lower()) for w in s.split()[:2])


def nest_bare_headings(units: list[Unit], body_from: int) -> None:
    """Infer nesting the layout does not show: a bare heading opens a group of subsections.

    A heading directly followed by another heading, with no text of its own, introduces the
    headings that follow ("Using the API" then "1. Install", "2. Configure"). When both are at
    the deepest level the layout gives (same spacing, case, no numbering, ``#`` marks or
    underline) and the second is not set off by more blank lines than paragraphs are, the
    headings after the bare one are moved one level down, until a heading of a higher level,
    the next bare heading (which opens a group of its own) or a heading worded like the bare
    one (``Part 1: ...`` / ``Part 2: ...``, ``Using the X events`` / ``Using the Y events``),
    which is its sibling. Runs after :func:`assign_levels`, in place, in linear time.
    """
    body = units[body_from:]
    gaps = Counter(u.blank_before for u in body if u.kind == "paragraph" and u.blank_before >= 0)
    para_gap = gaps.most_common(1)[0][0] if gaps else 1
    heads = [(k, u) for k, u in enumerate(units) if k >= body_from and u.kind == "heading"]
    if len(heads) < 3:
        return
    deepest = max(u.level or 2 for _, u in heads)
    if deepest >= 6:
        return
    n_num = sum(1 for _, u in heads if number_depth(u.text))
    by_number = n_num >= 2 and 2 * n_num >= len(heads)  # levels came from the numbering

    def plain(u: Unit) -> bool:
        if u.level != deepest or u.underline or "atx" in u.notes or _BACK_MATTER_RE.match(u.text):
            return False
        return not (by_number and number_depth(u.text))

    def bare(k: int) -> bool:
        u = units[k]
        if k + 1 >= len(units) or not plain(u):
            return False
        v = units[k + 1]
        return v.kind == "heading" and plain(v) and 0 <= v.blank_before <= para_gap

    parent: Unit | None = None
    for k, u in heads:
        if (u.level or 2) < deepest:
            parent = None
            continue
        if bare(k):
            parent = u
            continue
        if _BACK_MATTER_RE.match(u.text):
            parent = None  # the document's closing matter is never inside a section
            continue
        if parent is None or not plain(u):
            continue
        if _lead(strip_anchor(u.text)) == _lead(strip_anchor(parent.text)):
            parent = None  # worded like the bare heading: its sibling
            continue
        u.level = deepest + 1
    _nest_numbered_runs([u for _, u in heads])


_FRONT_MATTER_RE = re.compile(
    r"^(?:Abstract|Summary|Overview|Introduction|Preface|Foreword|Contents|Table of Contents|Status of)\b", re.I
)


def _step_number(u: Unit) -> int | None:
    """The number of a one-level numbered heading (``3. Add a listener`` -> 3), else None."""
    m = NUMBERED_RE.match(u.text)
    if m is None or not m.group("num")[0].isdigit() or number_depth(u.text) != 1:
        return None
    return int(m.group("num").rstrip("."))


def _nest_numbered_runs(heads: list[Unit]) -> None:
    """Numbered steps under an unnumbered heading: ``Using the API`` then ``1. Install``,
    ``2. Configure`` ... then ``Next steps``. In a document whose numbering has one level only,
    a run numbered from 1 that follows an unnumbered heading at the same level, and is closed
    by another unnumbered heading, is nested under the heading before it. Front matter
    (``Abstract``, ``Introduction``) and a run that goes on to the back matter (a document
    numbered ``1. Introduction`` ... ``References``) are left alone.
    """
    if any(number_depth(u.text) > 1 for u in heads):
        return
    n = len(heads)
    i = 0
    while i + 1 < n:
        p = heads[i]
        if _step_number(p) is not None or _step_number(heads[i + 1]) != 1 or p.level is None or p.level >= 6:
            i += 1
            continue
        j = i + 1
        step = 1  # the number of heads[j]
        while j + 1 < n and _step_number(heads[j + 1]) == step + 1 and heads[j + 1].level == p.level:
            j += 1
            step += 1
        closed = j + 1 < n and _step_number(heads[j + 1]) is None and not _BACK_MATTER_RE.match(heads[j + 1].text)
        run = heads[i + 1 : j + 1]
        if (
            closed
            and len(run) >= 2
            and all(u.level == p.level for u in run)
            and not _FRONT_MATTER_RE.match(p.text)
        ):
            for u in run:
                u.level = p.level + 1
        i = j + 1
