"""Segment lines into units: the candidate blocks of the plain-text section tagger.

A *unit* is a run of lines that forms one block: a paragraph (hard-wrapped lines joined), a
list item (with its continuation lines), a code block, a quote, a table, an underlined heading,
a line of page furniture. Headings, titles and datelines are decided later (see
:mod:`plugins.sections.headings` and :mod:`plugins.sections.tagger`); here every prose unit is
provisionally a ``paragraph``.

Method (one pass over the lines, linear time):

* A :class:`Profile` of the document is measured first: whether its prose is hard-wrapped and at
  which width, its body indentation, whether it is paginated (form feeds, ``[Page N]`` footers).
* Blank lines separate units. Inside a run of non-blank lines, a line starts a new unit when it
  carries a list marker, is a table row, a fence, a ``>`` quote, or when the previous line is not
  a wrapped line: in a hard-wrapped text the previous line is wrapped when the next line's first
  word would not have fitted on it (``len(prev) + 1 + len(word) > width``); in a text whose
  paragraphs are one line each, every line is its own unit.
* Paragraph indentation (typewriter and newswire text): a paragraph may open with a line indented
  by 2 to 8 columns and go on at the margin (joined when the opener is wrapped or stops
  mid-sentence, or when the whole text opens its paragraphs so, :attr:`Profile.indented_openers`;
  a line indented like the opener then starts the next paragraph), or be set with a hanging
  indent (a long first line, then lines indented alike: bibliographic abstracts). Either way a
  hard-wrapped paragraph stays one unit, so its first line is never taken for a heading.
* ``#`` marks at line start (Markdown in plain text) make a heading unit; its span leaves the
  marks out.
* Fenced code runs to the closing fence; indented code and code-like runs continue across blank
  lines while their brackets are unbalanced or the next lines stay indented.
* In paginated text (RFCs), page headers and footers are ``other`` units and every
  blank-line separated group of body lines is one block. A paragraph split by a page break
  (its last line before the break is full and the text after the break goes on in lower case)
  is kept as one unit whose span covers the furniture; the furniture then gets no unit of its
  own, so blocks never overlap. This is what the evaluation corpus annotates and scores best.
* A line that is one quotation (``"..."`` with no other quote mark inside) is a ``quote``.
* ``[RFC2119]  Author...`` / ``[1] ...`` reference entries are list items.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from plugins.sections.lines import (
    BULLET_RE,
    ORDERED_RE,
    Line,
    ends_mid_clause,
    is_fence,
    is_table_row,
    underline_char,
)

__all__ = [
    "COLUMN_GAP_RE",
    "Unit",
    "Profile",
    "measure",
    "segment",
    "is_code_like",
    "first_word_len",
    "strip_anchor",
]

_PAGE_FOOTER_RE = re.compile(r"\[Page \d+\]\s*$")
_PAGE_HEADER_RE = re.compile(r"^(?:RFC|Internet-Draft|INTERNET[- ]DRAFT)\b.*\S\s{2,}\S")
_CODE_START_RE = re.compile(
    r"^(?:[{}\[\]()<>=#@/]|\$(?!\d)|% |//|/\*|\*/|\.\.\.|import\s|from\s\S+\s+import|def\s|class\s|func\s|fn\s"
    r"|var\s|let\s|const\s|return\b|if\s*\(|for\s*\(|while\s*\(|package\s|use\s\S+;|#include|@\w+)"
)
_CODE_STRONG_RE = re.compile(
    r"(?:[\w$.]+\(|(?:GET|POST|PUT|DELETE|HEAD|OPTIONS|PATCH) /|HTTP/\d"
    r"|[A-Z][a-z]*(?:-[A-Z][a-z]*)+: \S|(?:Host|Origin|Connection|Accept|Cookie|Server|Vary): \S+$"
    r"|[a-z][\w+.-]*:\S+$|_\W|\w+(?:,\s*\w+)*\s*:?=\s*\S|\w[\w.]*\.\w+\s*=)"
)  # used with .match (anchored); ");" and " // " are checked as substrings
_INNER_CHARS = "(=<>:|&+_-"
_ATX_RE = re.compile(r"^(#{1,6})[ \t]+\S")
_ATX_CLOSE_RE = re.compile(r"[ \t]+#+$")  # optional closing marks of a Markdown heading
_NUM_HEAD_RE = re.compile(r"^\d{1,2}(?:\.\d{1,2})+\.?\s+\S")
_HEX_RE = re.compile(r"(?:^|\s)(?:[0-9a-f]{2}\s+){3,}[0-9a-f]{2}\b|^(?:[0-9a-fA-F]{2}\s){1,2}[0-9a-fA-F]{2}$")
_CODE_END_RE = re.compile(r"(?:[{(\[]|\)\s*\{|=>|->|\*/)$")
_CODE_INNER_RE = re.compile(
    r"(?:\w\(\)|\)\s*;|\w\.\w+\(|[=!<>]==?|\s=\s|:=|=>|->|::|\w_\w|&&|\|\||\w\+\+[;)]|\+\+\w|\+=|</?\w+[ >])"
)
FIELD_RE = re.compile(r"^[A-Z][A-Za-z-]{1,30}(?: [A-Za-z-]{1,20})?:\s+\S")
_SYMBOL_RE = re.compile(r"[^\w\s]|_")
_WORD_RE = re.compile(r"[^\W\d_]{2,}")
COLUMN_GAP_RE = re.compile(r"\S {3,}\S")  # columns set apart by spaces (a table row)
_KEY_RE = re.compile(r"^[\w-]+:(?:\s|$)")
ANCHOR_RE = re.compile(r"\s*\{\s*[#/][^{}\s]*\s*\}\s*$")


def strip_anchor(s: str) -> str:
    """Drop a trailing heading anchor (``{#id}``, ``{/id/}``) from a stripped line."""
    if not s.endswith("}"):
        return s
    m = ANCHOR_RE.search(s)
    return s[: m.start()] if m and m.start() > 0 else s


@dataclass(slots=True)
class Unit:
    """A candidate block: lines ``first``..``last`` (inclusive) and what they seem to be.

    :ivar kind: provisional kind (``paragraph``, ``list_item``, ``code``, ``quote``, ``table``,
        ``heading`` for underlined headings, ``other`` for page furniture).
    :ivar start: offset of the first non-blank character.
    :ivar end: offset one past the last non-blank character (exclusive).
    :ivar blank_before: blank lines between the previous unit and this one (-1 at the top).
    :ivar blank_after: blank lines before the next unit (-1 at the end).
    :ivar underline: the underline character of an underlined heading, else ``""``.
    :ivar overline: True when the heading also has an overline (reST title style).
    :ivar marker: ``"bullet"``, ``"ordered"`` or ``""``.
    :ivar level: the heading level once decided.
    :ivar tail: the stripped text of the unit's last line (``text`` holds its first line).
    """

    first: int
    last: int
    kind: str
    start: int
    end: int
    text: str
    blank_before: int = 0
    blank_after: int = 0
    underline: str = ""
    overline: bool = False
    marker: str = ""
    indent: int = 0
    level: int | None = None
    tail: str = ""
    notes: dict[str, object] = field(default_factory=dict)


@dataclass(slots=True)
class Profile:
    """Document-wide layout facts measured before segmenting.

    :ivar width: the hard-wrap width in characters, or ``None`` when prose is not hard-wrapped.
    :ivar base_indent: the most common indentation of prose lines (3 in RFCs, usually 0).
    :ivar paginated: form feeds or ``[Page N]`` footers were found.
    :ivar spaced: blank lines separate blocks (False for texts with almost no blank lines).
    :ivar strict_wrap: set by :func:`segment`: the text is hard-wrapped throughout (no wrapped
        paragraph has a line past the width, over-width one-line paragraphs are few).
    :ivar indented_openers: paragraphs open with an indented line and go on less indented
        (typewriter and newswire style): at least two such openers, and more than twice as
        many as lines followed by a more indented one (hanging indents).
    """

    width: int | None
    base_indent: int
    paginated: bool
    spaced: bool = True
    strict_wrap: bool = False
    indented_openers: bool = False


def first_word_len(s: str) -> int:
    """Length of the first whitespace-separated word of ``s`` (0 for an empty string)."""
    i = 0
    n = len(s)
    while i < n and not s[i].isspace():
        i += 1
    return i


def _strong_code(s: str) -> bool:
    """Unmistakable code: a call at the start, an HTTP line, ``);``, `` // ``, a hex dump."""
    if _CODE_STRONG_RE.match(s) or ");" in s or " // " in s:
        return True
    return s.count(" ") >= 3 and _HEX_RE.search(s) is not None


_SENTENCE_BREAK_RE = re.compile(r"[a-z]{2}[.!?] [A-Z][a-z]")


def _prose_after_start(s: str) -> bool:
    """A line that opens like code (``/path``, ``{``) but goes on in sentences: prose that
    names a path or a value first (``/add/: POST {...}: adds documents. The server then ...``)."""
    return (
        not s.startswith(("//", "/*", "#", "$ ", "% "))
        and len(s.split()) >= 10
        and _SENTENCE_BREAK_RE.search(s) is not None
    )


def is_code_like(s: str) -> bool:
    """True when the stripped line ``s`` reads as source code or a command rather than prose.

    Method: code openers (``{``, ``def``, ``import``, ``$``, ``//`` ...), code endings (``;``,
    ``{``, ``(``), or operator/call patterns (``foo()``, ``a == b``, ``x => y``, ``a_b``) in a
    line that does not end like a sentence; or a high share of symbol characters.
    """
    s = strip_anchor(s)
    if not s:
        return False
    if _CODE_START_RE.match(s) and not (s[0] in "(<[" and s.endswith((".", ")")) and " " in s):
        if not (s[0] == "@" and " " in s and s[-1] in ".!?") and not _prose_after_start(s):
            return True
    ends_prose = s[-1] in ".!?:\"'”’)" and not s.endswith(");")
    if ends_prose and len(s) > 160 and s.count(" ") > len(s) // 12:
        return False  # a long line of prose (fast path)
    if _strong_code(s):
        return True
    words = _WORD_RE.findall(s)
    if _CODE_END_RE.search(s) or (s.endswith(";") and (len(words) <= 5 or _CODE_INNER_RE.search(s))):
        if not (s.endswith("(") and len(words) > 8):
            return True
    symbols = len(_SYMBOL_RE.findall(s))
    inner = not ends_prose and any(c in s for c in _INNER_CHARS) and _CODE_INNER_RE.search(s) is not None
    if inner and (len(words) <= 8 or symbols > len(s) * 0.08):
        return True
    if len(s) >= 4 and symbols > len(s) * 0.3 and not ends_prose:
        return True
    return False


def measure(lines: list[Line]) -> Profile:
    """Measure the :class:`Profile` of a document from its lines (linear time)."""
    mids: list[int] = []
    n_long = 0
    indents: dict[int, int] = {}
    paginated = False
    n_blank = 0
    openers = hanging = 0
    for i, ln in enumerate(lines):
        if ln.formfeed:
            paginated = True
        if ln.blank:
            n_blank += 1
            continue
        # an opener: first line at its indent, the next line less indented; a hanging indent:
        # the next two lines more indented than this one
        nxt = lines[i + 1] if i + 1 < len(lines) else None
        if nxt is not None and not nxt.blank and ln.text.count(" ") >= 2 and nxt.text.count(" ") >= 2:
            step = ln.indent - nxt.indent
            prv = lines[i - 1] if i else None
            if (
                2 <= step <= 8
                and (prv is None or prv.blank or prv.indent < ln.indent)
                and not (_marker(ln.text) or _marker(nxt.text) or is_table_row(ln.text) or is_table_row(nxt.text))
            ):
                openers += 1
            elif -8 <= step <= -2 and i + 2 < len(lines) and lines[i + 2].indent == nxt.indent:
                hanging += 1 if not lines[i + 2].blank else 0
        if _PAGE_FOOTER_RE.search(ln.text):
            paginated = True
        words = ln.text.count(" ")
        if words >= 3:
            indents[ln.indent] = indents.get(ln.indent, 0) + 1
        length = ln.length
        if length > 90 and words >= 8:
            n_long += 1
        elif 40 <= length <= 90 and words >= 4 and i + 1 < len(lines) and not lines[i + 1].blank:
            mids.append(length)
    base_indent = max(indents.items(), key=lambda kv: kv[1])[0] if indents else 0
    width: int | None = None
    if len(mids) >= 3 and len(mids) > 2 * n_long:
        mids.sort()
        width = mids[min(len(mids) - 1, int(len(mids) * 0.97))]
    lead = 0
    while lead < len(lines) and lines[lead].blank:
        lead += 1
    trail = 0
    while trail < len(lines) - lead and lines[len(lines) - 1 - trail].blank:
        trail += 1
    interior = n_blank - lead - trail
    spaced = interior >= 1 and interior >= 0.1 * (len(lines) - n_blank)
    return Profile(
        width=width,
        base_indent=base_indent if base_indent <= 8 else 0,
        paginated=paginated,
        spaced=spaced,
        indented_openers=openers >= 2 and openers > 2 * hanging,
    )


_REF_RE = re.compile(r"^\[(?:[\w.+-]*\d[\w.+-]*\](?:\s+\S|$)|[\w.+-]{1,20}\](?:\s{2,}\S|$))")


_QUOTES = {'"': '"', "“": "”", "«": "»", "„": "“"}


def _is_quotation(s: str) -> bool:
    """A line that is one quotation: opens with a quote mark, closes with the matching one at
    the end and holds no other quote mark (dialogue such as '"Yes," said he, "..."' does)."""
    if len(s) < 3:
        return False
    close = _QUOTES.get(s[0])
    if close is None or s[-1] != close:
        return False
    inner = s[1:-1]
    return not any(q in inner for q in _QUOTES) and not any(q in inner for q in _QUOTES.values())


def _marker(s: str) -> str:
    if BULLET_RE.match(s):
        return "bullet"
    if _REF_RE.match(s):
        return "ref"
    if ORDERED_RE.match(s):
        return "ordered"
    return ""


def _brackets(s: str) -> int:
    return s.count("{") + s.count("(") + s.count("[") - s.count("}") - s.count(")") - s.count("]")


class _Segmenter:
    def __init__(self, lines: list[Line], profile: Profile) -> None:
        self.lines = lines
        self.p = profile
        self.units: list[Unit] = []
        self.n = len(lines)
        # a "Key: value" field header at the top (PEP style): one unit per field
        z = 0
        while z < self.n and not lines[z].blank and (FIELD_RE.match(lines[z].text) or (z and lines[z].indent)):
            z += 1
        self.field_zone = z if z >= 3 else 0

    # -- helpers -----------------------------------------------------------------------------
    def unit(self, first: int, last: int, kind: str, text: str, **kw: object) -> Unit:
        a, b = self.lines[first], self.lines[last]
        u = Unit(first, last, kind, a.cstart, b.cend, "", indent=a.indent)
        for k, v in kw.items():
            setattr(u, k, v)
        u.text = text
        u.tail = b.text
        self.units.append(u)
        return u

    def furniture(self, i: int) -> bool:
        if not self.p.paginated:
            return False
        ln = self.lines[i]
        if ln.blank:
            return False
        if _PAGE_FOOTER_RE.search(ln.text):
            return True
        if _PAGE_HEADER_RE.match(ln.text) and ln.indent == 0:
            # a header directly after the form feed of a page break
            j = i - 1
            while j >= 0 and self.lines[j].blank and not self.lines[j].formfeed:
                j -= 1
            if j < 0 or self.lines[j].formfeed:
                return True
            return _PAGE_FOOTER_RE.search(self.lines[j].text) is not None
        return False

    def wrapped_on(self, a: Line, b: Line) -> bool:
        """``b`` starts like a list item (``1. ``, ``C. ``) but is the wrapped rest of ``a``'s sentence:
        in a hard-wrapped text, ``a`` stops mid-sentence and ``b``'s first word would not have
        fitted on it."""
        width = self.p.width
        if width is None or a.text[-1] in ".!?:;" or b.indent < a.indent or _marker(b.text) != "ordered":
            return False
        return a.length + 1 + first_word_len(b.text) > width

    def joins(self, a: Line, b: Line, first: Line, body: Line | None = None) -> bool:
        """Whether prose line ``b`` continues the unit whose last line is ``a``.

        In a hard-wrapped text a line is continued unless the next word would have fitted on
        it and there is a reason to break: a sentence end (only in texts without blank lines
        between paragraphs), a short heading-like first line, or a run of short lines.
        ``first`` is the unit's first line, ``body`` its second (``None`` while the unit has
        one line): a paragraph may open with an indented line (typewriter and wire style), its
        other lines then set the indentation the next lines are compared with.
        """
        s = b.text
        if (_marker(s) and not self.wrapped_on(a, b)) or is_table_row(s) or is_fence(s) or s.startswith(">"):
            return False
        if (
            b.index + 1 < self.n
            and underline_char(self.lines[b.index + 1].text)
            and not self.lines[b.index + 1].blank
            and not self._runs_into(a, b)
        ):
            return False  # ``b`` is an underlined heading unless ``a``'s sentence runs on into it
        if self._hanging(a, b, first, body):
            return True
        if body is None and self._opens_hanging(b):
            return False  # ``b`` opens a paragraph set with a hanging indent
        width = self.p.width
        if width is None:
            return False
        if a is first and b.indent < first.indent - 2:
            return self._indented_opener(a, b, width)
        ref = first if body is None else body
        if b.indent < ref.indent - 2:
            return False
        if body is not None and first.indent > body.indent + 2 and b.indent >= first.indent - 1:
            return False  # indented like this paragraph's opener: the next paragraph
        if self.p.indented_openers and 2 <= b.indent - ref.indent <= 8 and not self.p.paginated:
            return False  # the text opens its paragraphs so: the next paragraph
        if not self.p.spaced and self._heading_between(a, b, width):
            return False
        if a.length + 1 + first_word_len(s) > width:
            return True
        if self.p.paginated and b.indent >= self.p.base_indent:
            return True  # paginated text: a blank-line separated group is one block
        if s[0].islower() and a.text[-1] not in ".!?:":
            return True  # a sentence going on (ragged right margin)
        t = a.text
        short_a = a.length <= 0.6 * width
        if short_a and b.length <= 0.6 * width:
            return False  # a run of short lines (list, address, verse)
        if (
            a is first
            and a.length <= 0.7 * width
            and t[-1] not in ",;.!?:"
            and len(t.split()) <= 12
            and not (self.p.indented_openers and b.indent <= a.indent + 1)
            and not ends_mid_clause(t)
        ):
            # a heading glued to its paragraph; but where paragraphs open indented, a line that
            # is not indented goes on with the text above it
            return False
        if not self.p.spaced and t[-1] in ".!?:\"”)":
            return False  # compact text: a sentence end where the next word would have fitted
        return True

    def _hanging(self, a: Line, b: Line, first: Line, body: Line | None) -> bool:
        """A paragraph set with a hanging indent (bibliographic abstracts): its lines after the
        first are indented by the same 2 to 8 columns and wrapped at the first line's width. The
        first line is long and stops mid-sentence, the next goes on in lower case; a later line
        at that indent goes on when the line before it was full. Lines longer than the first
        (a definition under its term) or short lines under a short one (sub-items) do not.
        """
        if self.p.paginated or b.length > first.length + 8:
            return False
        if body is not None:
            if body.indent < first.indent + 2 or b.indent != body.indent or a.length < 0.75 * first.length:
                return False
            return not is_code_like(b.text)
        if a is not first or not 2 <= b.indent - a.indent <= 8 or a.length < 60:
            return False
        t = a.text
        if t[-1] in ".!?:;" or not b.text[0].islower():
            return False
        return not (is_code_like(t) or is_code_like(b.text))

    def _opens_hanging(self, b: Line) -> bool:
        """``b`` is the first line of a paragraph set with a hanging indent: the next line goes
        on with it, indented by 2 to 8 columns (see :meth:`_hanging`), and so does the line
        after that, or the paragraph ends there."""
        k = b.index + 1
        if k >= self.n or self.lines[k].blank or _marker(self.lines[k].text):
            return False
        c = self.lines[k]
        if not self._hanging(b, c, b, None):
            return False
        if k + 1 >= self.n or self.lines[k + 1].blank:
            return True
        return self._hanging(c, self.lines[k + 1], b, c) or self.lines[k + 1].indent <= b.indent

    def _runs_into(self, a: Line, b: Line) -> bool:
        """``a`` stops mid-sentence and ``b`` goes on with it: ``b`` starts in lower case, or its
        first word would not have fitted on ``a`` in a hard-wrapped text."""
        if a.text[-1] in ".!?:;" or len(a.text.split()) < 4 or is_code_like(a.text):
            return False
        if _KEY_RE.match(a.text) or _KEY_RE.match(b.text):
            return False  # "key: value" lines (front matter, headers)
        width = self.p.width
        return b.text[0].islower() or (width is not None and a.length + 1 + first_word_len(b.text) > width)

    def _indented_opener(self, a: Line, b: Line, width: int, item: bool = False) -> bool:
        """``a`` opens a paragraph with an indent (typewriter and wire style) and ``b``, less
        indented, goes on with its text: ``b``'s first word would not have fitted on ``a``, or
        ``a`` stops mid-sentence and ``b`` starts in lower case (not for a list ``item``, whose
        next line may be a field or a new block), or the whole text opens its paragraphs this way
        (:attr:`Profile.indented_openers`). Otherwise a short indented line followed by a
        capitalised line (a centred heading, an item) does not open a paragraph.
        """
        if a.indent - b.indent > 8 or self.p.paginated or a.indent >= self.p.base_indent + 4 + 4:
            return False
        t, s = a.text, b.text
        if t[-1] in ":" or is_code_like(t) or is_code_like(s) or len(t.split()) < 3:
            return False
        if a.length + 1 + first_word_len(s) > width and a.length > 0.6 * width:
            return True
        if self.p.indented_openers:
            return True  # every paragraph opens so: the less indented line cannot open one
        return not item and s[0].islower() and t[-1] not in ".!?" and not _KEY_RE.match(s)

    def _heading_between(self, a: Line, b: Line, width: int) -> bool:
        """In a wrapped text without blank lines: ``b`` is a heading line set between two paragraphs.

        ``a`` ends a sentence, ``b`` is a short line with no final punctuation that starts with
        a capital, and the next line starts a sentence whose first word would have fitted on
        ``b``: so ``b`` does not run on into the next line, and a paragraph never ends without
        punctuation. Whether ``a``'s next word would have fitted does not matter (a full line
        before a heading is common).
        """
        t, s = a.text, b.text
        if t[-1] not in ".!?" or s[-1] in ".,;:!?" or not (s[0].isupper() or s[0].isdigit()):
            return False
        if b.length > 0.6 * width or len(s.split()) > 12 or b.index + 1 >= self.n:
            return False
        c = self.lines[b.index + 1]
        if c.blank or not c.text[0].isupper() or _marker(c.text) or c.indent != b.indent:
            return False
        return b.length + 1 + first_word_len(c.text) <= width and c.length > 0.6 * width

    # -- main loop ---------------------------------------------------------------------------
    def run(self) -> list[Unit]:
        lines = self.lines
        i = 0
        blanks = -1
        while i < self.n:
            ln = lines[i]
            if ln.blank:
                blanks = blanks + 1 if blanks >= 0 else 1
                i += 1
                continue
            before = blanks
            start_count = len(self.units)
            i = self.step(i)
            for u in self.units[start_count:]:
                u.blank_before = before
                before = 0
            blanks = 0
        # blank_after
        for k, u in enumerate(self.units):
            if k + 1 < len(self.units):
                u.blank_after = self.units[k + 1].blank_before
            else:
                u.blank_after = -1
        return self.units

    def step(self, i: int) -> int:
        """Consume one unit starting at non-blank line ``i``; return the next line index."""
        lines = self.lines
        ln = lines[i]
        s = ln.text
        if self.furniture(i):
            self.unit(i, i, "other", s)
            return i + 1
        if i < self.field_zone:
            j = i
            while j + 1 < self.field_zone and lines[j + 1].indent:
                j += 1
            self.unit(i, j, "paragraph", s)
            return j + 1
        nxt = lines[i + 1] if i + 1 < self.n else None
        # reST over+underlined title: ===== / Title / =====
        uc = underline_char(s)
        if (
            uc
            and nxt is not None
            and not nxt.blank
            and i + 2 < self.n
            and underline_char(lines[i + 2].text) == uc
            and not underline_char(nxt.text)
        ):
            self.unit(i + 1, i + 1, "heading", nxt.text, underline=uc + uc, overline=True)
            return i + 3
        # setext / reST underlined heading
        if nxt is not None and not nxt.blank and len(s) <= 150:
            uc2 = underline_char(nxt.text)
            if uc2 and (uc2 in "=-~^*#+_`'\":.") and 0.5 * len(s) <= len(nxt.text) + 2 and not _marker(s):
                if nxt.indent <= ln.indent + 1 and not (is_table_row(s) or COLUMN_GAP_RE.search(s)):
                    self.unit(i, i, "heading", s, underline=uc2)
                    return i + 2
        m = _ATX_RE.match(s)
        if m and ln.indent < 4:
            # the span and text leave out the marks ("## Trade ##" -> "Trade")
            inner = _ATX_CLOSE_RE.sub("", s[m.end(1) :]).strip() or s[m.end(1) :].strip()
            u = self.unit(i, i, "heading", inner)
            u.start = ln.cstart + s.index(inner, m.end(1))
            u.end = u.start + len(inner)
            u.tail = inner
            u.notes["atx"] = len(m.group(1))
            return i + 1
        if is_fence(s):
            fence = s[:3]
            j = i + 1
            while j < self.n and not lines[j].text.startswith(fence):
                j += 1
            last = min(j, self.n - 1)
            while lines[last].blank:
                last -= 1
            self.unit(i, last, "code", s)
            return j + 1
        if is_table_row(s) and (
            (nxt is not None and not nxt.blank and is_table_row(nxt.text)) or "\t" in s or s.count("|") >= 3
        ):
            j = i
            while j + 1 < self.n and not lines[j + 1].blank and (
                is_table_row(lines[j + 1].text) or len(lines[j + 1].text) <= 12
            ):
                j += 1
            self.unit(i, j, "table", s)
            return j + 1
        if " | " in s and nxt is not None and " | " in nxt.text and not _marker(s):
            j = i
            while j + 1 < self.n and " | " in lines[j + 1].text:
                j += 1
            self.unit(i, j, "table", s)
            return j + 1
        if s.startswith(">"):
            j = i
            while j + 1 < self.n and not lines[j + 1].blank and lines[j + 1].text.startswith(">"):
                j += 1
            self.unit(i, j, "quote", s)
            return j + 1
        mk = _marker(s)
        if mk and not (mk == "bullet" and s[0] in "-–" and len(s) > 1 and s[1] == s[0]):
            return self.list_item(i, mk)
        base = self.p.base_indent
        if ln.indent >= base + 4 or (ln.indent >= 2 and base == 0 and is_code_like(s)):
            return self.indented(i)
        if (
            is_code_like(s)
            and not (_NUM_HEAD_RE.match(s) and len(s) <= 80)
            and (
                _strong_code(s)
                or not (self.p.width and ln.length > 0.8 * self.p.width and " " in s)
            )
            and not (base > 0 and ln.indent < base)
        ):
            return self.code_run(i)
        return self.paragraph(i)

    def list_item(self, i: int, mk: str) -> int:
        lines = self.lines
        ln = lines[i]
        margin = ln.indent  # where continuation lines start
        body: Line | None = None
        j = i
        # continuation: more indented lines, or wrapped prose lines
        while j + 1 < self.n:
            b = lines[j + 1]
            if b.blank:
                break
            if (_marker(b.text) and not (b.indent > ln.indent and self.wrapped_on(lines[j], b))) or (
                is_table_row(b.text) or is_fence(b.text)
            ):
                break
            if b.indent > ln.indent and (self.p.spaced or self.p.width is not None):
                j += 1
                continue
            width = self.p.width
            if width is not None and b.indent == margin and self.joins(lines[j], b, ln, body):
                j += 1
                continue
            if width is not None and j == i and b.indent < ln.indent and self._indented_opener(ln, b, width, item=True):
                j += 1  # an indented item whose text goes on at the margin (wire style)
                body = b
                margin = b.indent
                continue
            break
        self.unit(i, j, "list_item", ln.text, marker=mk)
        return j + 1

    def indented(self, i: int) -> int:
        """Indented block: quote when it reads as prose, else code; may span blank lines."""
        lines = self.lines
        ind = lines[i].indent
        j = i
        k = i + 1
        depth = _brackets(lines[i].text)
        while k < self.n:
            b = lines[k]
            if b.blank:
                k += 1
                continue
            if b.indent >= min(ind, self.p.base_indent + 4) and not self.furniture(k):
                gap = k - j - 1
                if gap > 0 and not (depth > 0 or (is_code_like(b.text) and is_code_like(lines[j].text))):
                    break
                if gap > 1 and depth <= 0:
                    break
                depth += _brackets(b.text)
                j = k
                k += 1
                continue
            if depth > 0 and is_code_like(b.text) and k - j - 1 <= 1:
                depth += _brackets(b.text)
                j = k
                k += 1
                continue
            break
        texts = [lines[x].text for x in range(i, j + 1) if not lines[x].blank]
        code = sum(1 for t in texts if is_code_like(t))
        prose = len(texts) - code
        kind = "code" if code * 2 >= len(texts) or prose == 0 else "quote"
        if kind == "quote" and self.p.base_indent > 0 and lines[i].indent < self.p.base_indent + 8:
            kind = "paragraph"
        if kind == "quote" and self.sub_items(i, j):
            for x in range(i, j + 1):
                self.unit(x, x, "list_item", lines[x].text)
            return j + 1
        self.unit(i, j, kind, lines[i].text)
        return j + 1

    def sub_items(self, i: int, j: int) -> bool:
        """Short indented lines glued under a short line (an item of a list without markers):
        the sub-items of that item, one per line, not a block quote."""
        lines = self.lines
        prev = lines[i - 1] if i > 0 else None
        if prev is None or prev.blank or prev.indent >= lines[i].indent or len(prev.text) > 100:
            return False
        if is_code_like(prev.text):
            return False
        return all(
            not lines[x].blank and len(lines[x].text) <= 100 and len(_WORD_RE.findall(lines[x].text)) >= 1
            for x in range(i, j + 1)
        )

    def code_run(self, i: int) -> int:
        """Unindented code: consecutive code-like lines, across blank lines while brackets are open."""
        lines = self.lines
        j = i
        depth = _brackets(lines[i].text)
        k = i + 1
        while k < self.n:
            b = lines[k]
            if b.blank:
                if depth > 0:
                    k += 1
                    continue
                break
            after_gap = k - j > 1
            if (depth > 0 and not after_gap) or is_code_like(b.text) or b.indent > lines[i].indent:
                depth += _brackets(b.text)
                j = k
                k += 1
                continue
            break
        self.unit(i, j, "code", lines[i].text)
        return j + 1

    def paragraph(self, i: int) -> int:
        lines = self.lines
        first = lines[i]
        body: Line | None = None  # the unit's second line
        j = i
        while j + 1 < self.n:
            b = lines[j + 1]
            if b.blank:
                if self.p.paginated:
                    k = self.skip_page_break(j + 1)
                    if k is not None and lines[k].text[0].islower() and self.joins(lines[j], lines[k], first, body):
                        j = k
                        body = body or lines[k]
                        continue
                break
            if not self.joins(lines[j], b, first, body):
                break
            j += 1
            body = body or b
        kind = "quote" if i == j and _is_quotation(first.text) else "paragraph"
        if j > i and not self.p.paginated and _mostly_code(lines, i, j):
            kind = "code"  # most lines read as code: a code block the wrap test joined
        u = self.unit(i, j, kind, first.text)
        if body is not None and body.indent >= first.indent + 2:
            u.notes["hanging"] = all(lines[x].indent == body.indent for x in range(i + 1, j + 1))
        return j + 1

    def skip_page_break(self, k: int) -> int | None:
        """From blank line ``k`` after a paragraph line: the first body line after a page break."""
        lines = self.lines
        seen_furniture = False
        while k < self.n:
            ln = lines[k]
            if ln.blank:
                k += 1
                continue
            if self.furniture(k):
                seen_furniture = True
                k += 1
                continue
            break
        if not seen_furniture or k >= self.n:
            return None
        return k


_MAYBE_CODE_RE = re.compile(
    r"[(){}\[\]=;<>$#@/]|^(?:import|from|def|class|func|fn|var|let|const|return|package|use|type)\b"
)


def _mostly_code(lines: list[Line], i: int, j: int) -> bool:
    """True when more than half of lines ``i``..``j`` read as code (stops as soon as it cannot be)."""
    total = j - i + 1
    need = total // 2 + 1
    code = prose = 0
    for x in range(i, j + 1):
        t = lines[x].text
        if _MAYBE_CODE_RE.search(t) and is_code_like(t):
            code += 1
            if code >= need:
                return True
        else:
            prose += 1
            if prose > total - need:
                return False
    return False


def _merge_code(units: list[Unit], lines: list[Line]) -> list[Unit]:
    """Join code units separated by one blank line when either of them spans several lines."""
    out: list[Unit] = []
    for u in units:
        if out and u.kind == "code" and out[-1].kind == "code" and u.blank_before == 1:
            prev = out[-1]
            if prev.last > prev.first or u.last > u.first:
                prev.last = u.last
                prev.tail = u.tail
                prev.end = u.end
                prev.blank_after = u.blank_after
                continue
        out.append(u)
    return out


def segment(lines: list[Line], profile: Profile) -> list[Unit]:
    """Split ``lines`` into :class:`Unit` records in document order (see the module docstring).

    :param lines: from :func:`plugins.sections.lines.split_lines`.
    :param profile: from :func:`measure`.
    :return: non-overlapping units, each covering at least one non-blank line.
    """
    units = _Segmenter(lines, profile).run()
    profile.strict_wrap = _strict_wrap(units, lines, profile)
    return units if profile.paginated else _merge_code(units, lines)


def _strict_wrap(units: list[Unit], lines: list[Line], profile: Profile) -> bool:
    """Whether every paragraph of a hard-wrapped text was wrapped: at least five wrapped
    paragraphs, none with a line past the width, and over-width one-line paragraphs at most
    half as many (texts that wrap some paragraphs and not others are not strict)."""
    width = profile.width
    if width is None or profile.paginated:
        return False
    wrapped = over = 0
    for u in units:
        if u.kind != "paragraph":
            continue
        if u.last > u.first:
            wrapped += 1
            if any(lines[x].length > width + 4 for x in range(u.first, u.last + 1)):
                return False
        elif lines[u.first].length > width + 4:
            over += 1
    return wrapped >= 5 and 2 * over <= wrapped
