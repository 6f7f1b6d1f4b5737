"""The document model: what every reader produces, every stage transforms and every exporter writes.

It follows ``DESIGN.md`` (schema_version "1"). Spans are ``start``/``end`` character offsets
into :attr:`Document.text` (Python ``str`` indices, i.e. Unicode code points), end exclusive.

Validation enforces the span invariants on construction and on :meth:`Document.check`:

* ``0 <= start <= end <= len(text)`` for blocks, sections and keyphrase mentions;
* ``block.text == text[block.start:block.end]``;
* blocks are in document order and do not overlap;
* ids are unique within their list; section ``parent`` and ``block_ids`` refer to existing ids.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

SCHEMA_VERSION = "1"

BlockKind = Literal[
    "title", "dateline", "heading", "paragraph", "list_item", "code", "quote", "table", "other"
]
Newline = Literal["lf", "crlf", "cr", "mixed"]
DiagnosticLevel = Literal["info", "warning", "error"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", validate_assignment=False)


class Source(_Strict):
    """Where a document came from.

    :ivar path: the input path as given (relative where possible); ``None`` for stdin/JSONL lines.
    :ivar media_type: e.g. ``text/plain``, ``text/markdown``, ``text/html``.
    :ivar sha256: hex digest of the raw input bytes.
    :ivar size_bytes: length of the raw input in bytes.
    :ivar encoding: the codec the reader decoded with (``None`` when the text came decoded).
    :ivar newline: the line-ending convention found in the raw input, ``None`` if no line break.
    """

    path: str | None = None
    media_type: str = "text/plain"
    sha256: str | None = None
    size_bytes: int | None = None
    encoding: str | None = None
    newline: Newline | None = None


class Block(_Strict):
    """A contiguous piece of the text with one role.

    :ivar kind: one of :data:`BlockKind`.
    :ivar level: 1 for ``title``; 2, 3, ... for ``heading`` (Markdown ``#`` counts); else ``None``.
    :ivar start: character offset of the first character in :attr:`Document.text`.
    :ivar end: character offset one past the last character (exclusive).
    :ivar text: exactly ``Document.text[start:end]``.
    :ivar source_span: for readers that extract text from markup (Markdown, HTML), the block's
        ``(start, end)`` character offsets in the decoded source file; ``None`` for plain text,
        where :attr:`Document.text` is the source.
    """

    id: str
    kind: BlockKind
    level: int | None = None
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    text: str
    source_span: tuple[int, int] | None = None


class Section(_Strict):
    """A heading and what it governs, or the lead (``heading is None``) before the first heading.

    :ivar level: the heading level (2, 3, ...); ``None`` for the lead section.
    :ivar parent: id of the enclosing section, ``None`` at top level.
    :ivar start: offset of the heading's first character (the lead: of its first block).
    :ivar end: offset one past the last block the section contains, children included.
    :ivar block_ids: ids of the blocks directly under this section (the heading block first).
    :ivar tags: roles (``lead``, ``body``, ``conclusion``) and labels stages add.
    """

    id: str
    heading: str | None = None
    level: int | None = None
    parent: str | None = None
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    block_ids: list[str] = Field(default_factory=list)
    tags: list[str] = Field(default_factory=list)


class Keyphrase(_Strict):
    """A candidate phrase with its score (0..1) and every mention as ``(start, end)`` spans."""

    text: str
    score: float = Field(ge=0.0, le=1.0)
    mentions: list[tuple[int, int]] = Field(default_factory=list)


class Theme(_Strict):
    """Keyphrases naming one subject; ``label`` is its best keyphrase, ``score`` in 0..1."""

    id: str
    label: str
    score: float = Field(ge=0.0, le=1.0)
    keyphrases: list[Keyphrase] = Field(default_factory=list)
    section_ids: list[str] = Field(default_factory=list)


class StageRecord(_Strict):
    """Which stage touched the document: registered name, plugin name and plugin version."""

    name: str
    plugin: str
    version: str


class Diagnostic(_Strict):
    """Something a stage wants the user to know about one document (not an exception)."""

    stage: str
    level: DiagnosticLevel = "warning"
    code: str
    message: str


class Document(_Strict):
    """One document as it flows through the pipeline (schema_version "1" of ``DESIGN.md``).

    :raises pydantic.ValidationError: when a span invariant is broken (see the module docstring).
    """

    schema_version: Literal["1"] = "1"
    id: str = Field(min_length=1)
    source: Source = Field(default_factory=Source)
    text: str = ""
    metadata: dict[str, Any] = Field(default_factory=dict)
    blocks: list[Block] = Field(default_factory=list)
    sections: list[Section] = Field(default_factory=list)
    themes: list[Theme] = Field(default_factory=list)
    stages: list[StageRecord] = Field(default_factory=list)
    diagnostics: list[Diagnostic] = Field(default_factory=list)

    @model_validator(mode="after")
    def _check_spans(self) -> Document:
        problems = span_problems(self)
        if problems:
            raise ValueError("; ".join(problems[:5]) + (" ..." if len(problems) > 5 else ""))
        return self

    def check(self) -> None:
        """Re-validate the span invariants after in-place edits.

        :raises ValueError: naming the first problems found.
        """
        problems = span_problems(self)
        if problems:
            raise ValueError("; ".join(problems[:5]) + (" ..." if len(problems) > 5 else ""))

    def block_by_id(self) -> dict[str, Block]:
        """Map block id -> block."""
        return {b.id: b for b in self.blocks}


def _span_ok(start: int, end: int, n: int) -> bool:
    return 0 <= start <= end <= n


def span_problems(doc: Document) -> list[str]:
    """Return human-readable descriptions of every broken invariant (empty list when valid)."""
    n = len(doc.text)
    out: list[str] = []
    prev_end = 0
    seen: set[str] = set()
    for b in doc.blocks:
        if b.id in seen:
            out.append(f"duplicate block id {b.id!r}")
        seen.add(b.id)
        if not _span_ok(b.start, b.end, n):
            out.append(f"block {b.id} span [{b.start}, {b.end}) outside text of length {n}")
            continue
        if doc.text[b.start : b.end] != b.text:
            out.append(f"block {b.id} text differs from text[{b.start}:{b.end}]")
        if b.start < prev_end:
            out.append(f"block {b.id} starts at {b.start}, before the previous block ends ({prev_end})")
        prev_end = max(prev_end, b.end)
    section_ids = {s.id for s in doc.sections}
    if len(section_ids) != len(doc.sections):
        out.append("duplicate section id")
    for s in doc.sections:
        if not _span_ok(s.start, s.end, n):
            out.append(f"section {s.id} span [{s.start}, {s.end}) outside text of length {n}")
        if s.parent is not None and s.parent not in section_ids:
            out.append(f"section {s.id} has unknown parent {s.parent!r}")
        missing = [bid for bid in s.block_ids if bid not in seen]
        if missing:
            out.append(f"section {s.id} refers to unknown blocks {missing[:3]}")
    for t in doc.themes:
        unknown = [sid for sid in t.section_ids if sid not in section_ids]
        if unknown:
            out.append(f"theme {t.id} refers to unknown sections {unknown[:3]}")
        for k in t.keyphrases:
            for start, end in k.mentions:
                if not _span_ok(start, end, n):
                    out.append(f"theme {t.id} mention [{start}, {end}) outside text of length {n}")
    return out
