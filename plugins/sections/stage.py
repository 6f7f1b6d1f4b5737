"""The ``sections`` stage: blocks (for plain text) and the section tree for every document."""

from __future__ import annotations

import logging
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict, Field

from pipeline.model import Block, Diagnostic, Document
from pipeline.registry import Stage
from plugins.sections.tree import DEFAULT_CONCLUSION_HEADINGS, build_sections

__all__ = ["SectionTagger"]

log = logging.getLogger(__name__)

_STAGE = "sections"


class SectionTagger(Stage):
    """Tag plain text into blocks (title, dateline, headings, paragraphs ...) and build sections.

    ``process`` keeps blocks a reader already produced (Markdown, HTML); for plain text it runs
    :func:`plugins.sections.tagger.tag_text` on ``Document.text``. It then builds the section
    tree (:func:`plugins.sections.tree.build_sections`) and fills ``metadata["title"]`` and
    ``metadata["date"]`` when they were found and not already set by the reader.
    """

    name: ClassVar[str] = "sections"
    requires: ClassVar[tuple[str, ...]] = ("text",)
    provides: ClassVar[tuple[str, ...]] = ("blocks", "sections")

    class Settings(BaseModel):
        """Settings of the ``sections`` stage.

        :ivar detect_dateline: tag a dateline and set ``metadata["date"]`` from it.
        :ivar detect_title: tag a title block and set ``metadata["title"]``.
        :ivar conclusion_headings: headings (lower case, numbering ignored) that tag a section
            ``conclusion``.
        :ivar retag_existing: re-tag plain text even when the document already has blocks.
        """

        model_config = ConfigDict(extra="forbid")

        detect_dateline: bool = True
        detect_title: bool = True
        conclusion_headings: list[str] = Field(default_factory=lambda: list(DEFAULT_CONCLUSION_HEADINGS))
        retag_existing: bool = False

    settings: Settings

    def process(self, doc: Document) -> Document:
        """Return a new document with ``blocks``, ``sections`` and title/date metadata.

        :param doc: the document; its ``text`` is normalised (LF line ends, no BOM).
        :return: a validated copy; ``doc`` itself is not modified.
        :raises pydantic.ValidationError: only if the produced spans were invalid (a bug).
        """
        st = self.settings
        diags = list(doc.diagnostics)
        metadata: dict[str, Any] = dict(doc.metadata)
        blocks: list[Block]
        if doc.blocks and not st.retag_existing:
            blocks = list(doc.blocks)
            if st.detect_title and "title" not in metadata:
                title = next((b for b in blocks if b.kind == "title"), None)
                if title is not None:
                    metadata["title"] = " ".join(title.text.split())
        else:
            from plugins.sections.tagger import tag_text  # on first use: registration stays cheap

            tagged = tag_text(doc.text)
            blocks = []
            for tb in tagged.blocks:
                kind, level = tb.kind, tb.level
                if kind == "dateline" and not st.detect_dateline:
                    kind, level = "other", None
                if kind == "title" and not st.detect_title:
                    kind, level = "paragraph", None
                blocks.append(
                    Block(
                        id=f"b{len(blocks) + 1}",
                        kind=kind,
                        level=level,
                        start=tb.start,
                        end=tb.end,
                        text=doc.text[tb.start : tb.end],
                    )
                )
            if st.detect_title and tagged.title and "title" not in metadata:
                metadata["title"] = tagged.title
            if st.detect_dateline and tagged.date and "date" not in metadata:
                metadata["date"] = tagged.date
            if st.detect_dateline and "ambiguous-date" in tagged.notes:
                diags.append(
                    Diagnostic(
                        stage=_STAGE,
                        level="info",
                        code="ambiguous-date",
                        message="the dateline's date is ambiguous (day/month order); no date set",
                    )
                )
        sections = build_sections(blocks, st.conclusion_headings)
        if not any(b.kind == "title" for b in blocks) and doc.text.strip():
            diags.append(Diagnostic(stage=_STAGE, level="info", code="no-title", message="no title found"))
        if not any(b.kind == "heading" for b in blocks) and doc.text.strip():
            diags.append(
                Diagnostic(stage=_STAGE, level="info", code="no-headings", message="no headings found")
            )
        log.debug("document %s: %d blocks, %d sections", doc.id, len(blocks), len(sections))
        data = doc.model_dump()
        data.update(
            blocks=[b.model_dump() for b in blocks],
            sections=[s.model_dump() for s in sections],
            metadata=metadata,
            diagnostics=[d.model_dump() for d in diags],
        )
        return Document.model_validate(data)
