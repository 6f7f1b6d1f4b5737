"""Documents for tests: :func:`document_from_text` builds blocks and sections from Markdown-like text."""


from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from pipeline.model import Block, Document, Section, Source

# What document_from_text gives a stage, so requirements on these are met without other stages.
FIXTURE_PROVIDES: tuple[str, ...] = ("text", "source", "blocks", "sections")

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])[ \t]+")


def document_from_text(text: str, doc_id: str = "doc", *, structure: bool = True) -> Document:
    """Build a document from Markdown-like text, as a reader and the ``sections`` stage would.

    Paragraphs are separated by blank lines. A paragraph ``# Title`` becomes a ``title`` block
    (level 1), ``## Heading`` a ``heading`` block of level 2 (one per ``#``); the ``#`` marks are
    removed from :attr:`Document.text`, so spans point at the heading words. Paragraphs starting
    with ``-``, ``*`` or ``1.`` are ``list_item`` blocks, everything else ``paragraph``.

    With ``structure`` the document also has sections: a lead section (tag ``lead``, heading
    ``None``) for the blocks before the first heading, then one section per heading (tag
    ``body``) nested by level; ``Section.end`` covers the subsections.

    :param text: the source text; ``\\r\\n`` is normalised to ``\\n``.
    :param doc_id: the document id.
    :param structure: add blocks and sections (``False``: text only, as the plain-text reader).
    :returns: a valid document (media type ``text/markdown``); block ids ``b0, b1 ...``,
        section ids ``s0, s1 ...`` in document order; ``metadata["title"]`` is the title block's
        text when there is one (as the readers set it). No stage runs, so ``stages`` is empty.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not structure:
        return Document(id=doc_id, source=Source(media_type="text/plain"), text=text)
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for para in re.split(r"\n[ \t]*\n+", text.strip("\n")):
        para = para.strip()
        if not para:
            continue
        kind: Any = "paragraph"
        level: int | None = None
        heading = _HEADING.match(para) if "\n" not in para else None
        if heading:
            level = len(heading.group(1))
            kind = "title" if level == 1 else "heading"
            para = heading.group(2)
        elif _LIST_ITEM.match(para):
            kind = "list_item"
        if parts:
            parts.append("\n\n")
            pos += 2
        blocks.append(Block(id=f"b{len(blocks)}", kind=kind, level=level, start=pos, end=pos + len(para), text=para))
        parts.append(para)
        pos += len(para)
    out_text = "".join(parts) + ("\n" if parts else "")
    return Document(
        id=doc_id,
        source=Source(media_type="text/markdown"),
        text=out_text,
        metadata={"title": blocks[0].text} if blocks and blocks[0].kind == "title" else {},
        blocks=blocks,
        sections=_sections(blocks),
    )


def _sections(blocks: Sequence[Block]) -> list[Section]:
    sections: list[Section] = []
    stack: list[Section] = []
    for block in blocks:
        if block.kind == "heading":
            stack = [s for s in stack if s.level is not None and s.level < (block.level or 2)]
            parent = stack[-1].id if stack else None
            section = Section(
                id=f"s{len(sections)}", heading=block.text, level=block.level, parent=parent,
                start=block.start, end=block.end, block_ids=[block.id], tags=["body"],
            )
            sections.append(section)
            stack.append(section)
        elif block.kind != "title":
            if not stack:
                lead = Section(id=f"s{len(sections)}", start=block.start, end=block.end, tags=["lead"])
                sections.append(lead)
                stack.append(lead)
            stack[-1].block_ids.append(block.id)
        for open_section in stack:
            open_section.end = max(open_section.end, block.end)
    return sections


