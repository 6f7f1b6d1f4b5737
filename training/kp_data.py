"""Plain news text -> Document, the way the keyphrase evaluation adapter builds one.

The first line is a title block when it looks like one (short, no final full stop); the rest is
split into paragraph blocks on blank lines; one lead section holds every block.
"""

from __future__ import annotations

import re

from pipeline.model import Block, Document, Section

_BLANK_RE = re.compile(r"\n[ \t]*\n")


def _paragraphs(text: str, pos: int) -> list[tuple[int, int]]:
    out = []
    cuts = [(m.start(), m.end()) for m in _BLANK_RE.finditer(text, pos)] + [(len(text), len(text))]
    for a, b in cuts:
        chunk = text[pos:a]
        if chunk.strip():
            s = pos + len(chunk) - len(chunk.lstrip())
            e = pos + len(chunk.rstrip())
            out.append((s, e))
        pos = b
    return out


def looks_like_title(line: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 25 and not line.rstrip().endswith((".", ":", ";", ","))


def document_from_text(text: str, doc_id: str = "doc") -> Document:
    blocks: list[Block] = []
    pos = 0
    first_nl = text.find("\n")
    first = text if first_nl < 0 else text[:first_nl]
    if first.strip() and looks_like_title(first) and first_nl >= 0:
        s = len(first) - len(first.lstrip())
        e = len(first.rstrip())
        blocks.append(Block(id="b1", kind="title", level=1, start=s, end=e, text=text[s:e]))
        pos = first_nl + 1
    for s, e in _paragraphs(text, pos):
        blocks.append(Block(id=f"b{len(blocks) + 1}", kind="paragraph", start=s, end=e, text=text[s:e]))
    sections = []
    if blocks:
        sections.append(Section(id="s1", start=blocks[0].start, end=blocks[-1].end,
                                block_ids=[b.id for b in blocks], tags=["lead"]))
    return Document(id=doc_id, text=text, blocks=blocks, sections=sections)
