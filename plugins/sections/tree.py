"""Build the section tree from a document's blocks.

Method: one pass with a stack of open sections. A heading of level ``L`` closes every open
section of level ``>= L`` and opens a new one whose parent is the innermost open section of a
lower level. Blocks before the first heading (other than the title, the dateline and
``other`` front matter) form the *lead* section. A section spans from its heading's start to
the end of the last block it contains, its subsections included; ``block_ids`` lists only the
blocks directly under it, the heading block first.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from pipeline.model import Block, Section

__all__ = ["DEFAULT_CONCLUSION_HEADINGS", "build_sections", "is_conclusion"]

DEFAULT_CONCLUSION_HEADINGS: tuple[str, ...] = (
    "conclusion",
    "conclusions",
    "in conclusion",
    "concluding remarks",
    "concluding thoughts",
    "summary",
    "in summary",
    "summing up",
    "final thoughts",
    "final words",
    "closing thoughts",
    "closing remarks",
    "wrapping up",
    "wrap-up",
    "wrap up",
    "outlook",
    "looking ahead",
    "the road ahead",
    "next steps",
    "takeaways",
    "key takeaways",
    "the bottom line",
    "bottom line",
)

_NUMBER_PREFIX = re.compile(r"^(?:(?:\d+(?:\.\d+)*|[IVXLC]+|[A-Z])[.)]?\s+)")
_NOT_WORD = re.compile(r"[^\w\s-]+")
_FRONT_KINDS = frozenset({"title", "dateline", "other"})


def _norm(s: str) -> str:
    s = _NUMBER_PREFIX.sub("", s.strip())
    s = _NOT_WORD.sub(" ", s.lower())
    return " ".join(s.split())


def is_conclusion(heading: str, names: Iterable[str] = DEFAULT_CONCLUSION_HEADINGS) -> bool:
    """True when ``heading`` reads as a conclusion.

    The heading is lower-cased, stripped of numbering (``5.``, ``IV.``) and punctuation, then
    compared with each name in ``names``: equal, or starting with the name followed by more words
    (``Conclusion and future work``), or ending with it (``Some final thoughts``).

    :param heading: the heading text.
    :param names: lower-case conclusion headings (compared after the same normalisation).
    """
    h = _norm(heading)
    if not h:
        return False
    for name in names:
        n = _norm(name)
        if not n:
            continue
        if h == n or h.startswith(n + " ") or h.endswith(" " + n):
            return True
    return False


def build_sections(
    blocks: Sequence[Block], conclusion_headings: Iterable[str] = DEFAULT_CONCLUSION_HEADINGS
) -> list[Section]:
    """Build the sections of a document from its blocks (see the module docstring).

    :param blocks: the document's blocks in order; heading blocks need a ``level`` (a missing
        level counts as 2).
    :param conclusion_headings: headings tagged ``conclusion`` (see :func:`is_conclusion`).
    :return: sections ``s1``, ``s2`` ... in document order; ``start``/``end`` are character
        offsets into ``Document.text`` (end exclusive). Tags: ``lead`` for the lead section,
        ``conclusion`` or ``body`` for the others. Empty when there is neither a heading nor
        lead content.
    """
    names = tuple(conclusion_headings)
    sections: list[Section] = []
    stack: list[tuple[int, Section]] = []  # (level, section)
    lead: Section | None = None

    def extend(end: int) -> None:
        for _, sec in stack:
            if end > sec.end:
                sec.end = end

    for b in blocks:
        if b.kind == "heading":
            level = b.level if b.level is not None else 2
            while stack and stack[-1][0] >= level:
                stack.pop()
            parent = stack[-1][1].id if stack else None
            text = " ".join(b.text.split())
            sec = Section(
                id=f"s{len(sections) + 1}",
                heading=text,
                level=level,
                parent=parent,
                start=b.start,
                end=b.end,
                block_ids=[b.id],
                tags=["conclusion" if is_conclusion(text, names) else "body"],
            )
            sections.append(sec)
            stack.append((level, sec))
            continue
        if stack:
            stack[-1][1].block_ids.append(b.id)
            extend(b.end)
            continue
        if b.kind in _FRONT_KINDS:
            continue
        if lead is None:
            lead = Section(id="s1", heading=None, level=None, start=b.start, end=b.end, tags=["lead"])
            sections.append(lead)
        lead.block_ids.append(b.id)
        lead.end = max(lead.end, b.end)
    return sections
