"""Line splitting and per-line predicates for the plain-text section tagger.

All offsets are character offsets into the (normalised, LF-only) text; ``end`` is exclusive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = [
    "Line",
    "split_lines",
    "BULLET_RE",
    "ORDERED_RE",
    "underline_char",
    "is_table_row",
    "is_fence",
    "ends_mid_clause",
]

_ZERO_WIDTH = "\ufeff\u200b"


def _lstrip(s: str) -> str:
    s = s.lstrip()
    while s and s[0] in _ZERO_WIDTH:
        s = s[1:].lstrip()
    return s


def _rstrip(s: str) -> str:
    s = s.rstrip()
    while s and s[-1] in _ZERO_WIDTH:
        s = s[:-1].rstrip()
    return s

# "- x", "* x", "• x", "+ x", "◦ x", "▪ x", "– x"
BULLET_RE = re.compile(r"[-*•+◦▪‣·–](?:\s+|$)")
# "1. x", "1) x", "(1) x", "a. x", "a) x", "(a) x", "i. x"
ORDERED_RE = re.compile(r"(?:\(?(?:\d{1,3}|[a-zA-Z]|[ivxIVX]{1,5})[.)])\s+\S")


@dataclass(slots=True)
class Line:
    """One line of the text.

    :ivar index: line number, 0-based.
    :ivar start: offset of the line's first character.
    :ivar end: offset one past the line's last character, line break excluded.
    :ivar cstart: offset of the first non-blank character (``== end`` for a blank line).
    :ivar cend: offset one past the last non-blank character.
    :ivar text: the stripped content, ``text[cstart:cend]``.
    :ivar indent: width of the leading blanks (a tab counts 4).
    :ivar blank: True when the line holds only blanks (spaces, tabs, form feeds, ...).
    :ivar formfeed: True when the line holds a form feed (a page break of paginated text).
    """

    index: int
    start: int
    end: int
    cstart: int
    cend: int
    text: str
    indent: int
    blank: bool
    formfeed: bool

    @property
    def length(self) -> int:
        """Visible width of the line: indentation plus content length (characters)."""
        return self.indent + len(self.text)


def split_lines(text: str) -> list[Line]:
    """Split ``text`` on LF into :class:`Line` records.

    Blanks are what :meth:`str.isspace` calls white space, plus zero-width spaces and U+FEFF.
    A lone ``\\r`` is treated as a blank character, so a text that was not normalised still
    yields valid spans. Runs in time linear in ``len(text)``; never raises.

    :param text: the document text.
    :return: one record per line (a text without a final LF still has its last line; the empty
        text gives one blank line).
    """
    out: list[Line] = []
    pos = 0
    n = len(text)
    idx = 0
    while True:
        nl = text.find("\n", pos)
        end = n if nl < 0 else nl
        raw = text[pos:end]
        stripped_left = _lstrip(raw)
        content = _rstrip(stripped_left)
        lead = raw[: len(raw) - len(stripped_left)]
        cstart = pos + len(lead)
        cend = cstart + len(content)
        indent = lead.count(" ") + 4 * lead.count("\t") + lead.count("\u3000") * 2
        out.append(
            Line(idx, pos, end, cstart, cend, content, indent, not content, "\f" in raw)
        )
        idx += 1
        if nl < 0:
            break
        pos = nl + 1
    return out


def underline_char(s: str) -> str | None:
    """Return the character of a reST/setext underline (``====``, ``----``, ``~~~~`` ...), else None.

    :param s: a stripped line.
    """
    if len(s) < 3:
        return None
    c = s[0]
    if c not in "=-~^*#+_`'\":.":
        return None
    if s.strip(c):
        return None
    return c


def is_table_row(s: str) -> bool:
    """True for a tab-separated row (a tab inside the content) or a pipe row (two ``|`` or more)."""
    return "\t" in s or (s.count("|") >= 2 and not s.startswith("||"))


def is_fence(s: str) -> bool:
    """True for a fenced-code delimiter line (three or more backticks or tildes)."""
    return s.startswith("```") or s.startswith("~~~")


# English words a phrase cannot end with: articles, "of", coordinating conjunctions, possessive
# determiners. A line that ends with one is cut in the middle of a clause (a wrapped line).
_OPEN_ENDS = frozenset(
    ("a", "an", "the", "of", "and", "or", "nor", "its", "their", "whose", "than", "our", "your", "my")
)


def ends_mid_clause(s: str) -> bool:
    """True when the stripped line ``s`` ends with a word that needs a continuation (``the``,
    ``of``, ``and`` ...): the line was wrapped inside a clause, so it is neither a heading nor a title."""
    k = len(s)
    while k > 0 and s[k - 1].isalpha():
        k -= 1
    if k == len(s) or (k > 0 and not s[k - 1].isspace()):
        return False
    return s[k:] in _OPEN_ENDS  # lower case only: "Plan A", "Part A" end with a name
