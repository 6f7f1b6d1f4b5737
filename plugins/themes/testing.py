"""Hand-built documents for testing the theme stage without a reader or section tagger."""

from __future__ import annotations

import re

from pipeline.model import Block, Document, Section

_HEADING_RE = re.compile(r"^[^\n.!?:;,]{1,60}$")


def build(parts: list[tuple[str, str]], doc_id: str = "doc") -> Document:
    """Document from ``(kind, text)`` pairs joined by blank lines; a lead section, then one
    level-2 section per heading."""
    text = ""
    blocks: list[Block] = []
    for kind, chunk in parts:
        if text:
            text += "\n\n"
        start = len(text)
        text += chunk
        level = 1 if kind == "title" else 2 if kind == "heading" else None
        blocks.append(Block(id=f"b{len(blocks) + 1}", kind=kind, level=level, start=start,
                            end=len(text), text=chunk))
    sections: list[Section] = []
    for b in blocks:
        if b.kind == "heading":
            sections.append(Section(id=f"s{len(sections) + 1}", heading=b.text, level=2,
                                    start=b.start, end=b.end, block_ids=[b.id], tags=["body"]))
        else:
            if not sections:
                sections.append(Section(id="s1", start=b.start, end=b.end, block_ids=[], tags=["lead"]))
            sections[-1].block_ids.append(b.id)
            sections[-1].end = b.end
    return Document(id=doc_id, text=text, blocks=blocks, sections=sections)


def from_plain(text: str) -> list[tuple[str, str]]:
    """Blank-line separated chunks: a first-line date is a dateline, short unpunctuated lines
    are headings (the first one the title), the rest paragraphs."""
    out: list[tuple[str, str]] = []
    for chunk in re.split(r"\n\s*\n", text.strip()):
        for line in chunk.split("\n"):
            line = line.strip()
            if not line:
                continue
            if not out and re.match(r"^[A-Z][a-z]+ \d{1,2}, \d{4}$", line):
                out.append(("dateline", line))
            elif _HEADING_RE.match(line) and len(line.split()) <= 8:
                kind = "title" if not any(k == "title" for k, _ in out) else "heading"
                out.append((kind, line))
            else:
                out.append(("paragraph", line))
    return out
