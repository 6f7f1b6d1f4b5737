"""The ``themes`` stage: keyphrases and themes of a document, and theme tags on its sections.

Method: noun-phrase candidates from a rule-based part-of-speech tagger (Hulth 2003), generic
features of position, frequency, spread, structure (title, headings, lead; Boudin 2018),
rarity and position-biased PageRank (Florescu & Caragea 2017), scored by a small boosted-tree
model trained offline (``training/``), then grouped into themes by phrase containment.
"""

from __future__ import annotations

import gc
import logging
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.model import Diagnostic, Document
from pipeline.registry import Stage
from plugins.themes.features import analyse, prose_blocks
from plugins.themes.grouping import Scored, build_themes, group, tag_sections
from plugins.themes.language import looks_english
from plugins.themes.ranking import load_model

log = logging.getLogger(__name__)


class ThemeSettings(BaseModel):
    """Settings of the ``themes`` stage."""

    model_config = ConfigDict(extra="forbid")
    top_k: int = Field(default=12, ge=1, le=100, description="most themes kept per document")
    max_keyphrases: int = Field(default=60, ge=1, le=500, description="most keyphrases kept, best first")
    max_words: int = Field(default=5, ge=1, le=10, description="longest keyphrase, in words")
    min_score: float = Field(default=0.0, ge=0.0, le=1.0, description="drop keyphrases scoring below")
    language: Literal["en"] = Field(default="en", description="the language themes are extracted for")
    check_language: bool = Field(default=True, description="skip text that does not read as English")
    tags_per_section: int = Field(default=3, ge=0, le=20, description="theme:<label> tags per section")


class ThemeExtractor(Stage):
    """Extract keyphrases, group them into ranked themes and tag sections with their top themes.

    Output: ``doc.themes`` (ids ``t1``, ``t2`` ... by descending score, each labelled by its best
    keyphrase, with every mention's span and the ids of the sections that discuss it) and
    ``theme:<label>`` tags on the sections. Only prose produces themes: blocks of kind code,
    table, other and datelines are skipped. Text that does not read as English gets no themes
    and an ``info`` diagnostic ``not-english``.
    """

    name = "themes"
    requires = ("sections",)
    provides = ("themes",)
    Settings = ThemeSettings

    def process(self, doc: Document) -> Document:
        # The analysis makes many short-lived, acyclic objects: cyclic garbage collection passes
        # during it cost about a fifth of the time and free nothing, so they wait until the end.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return self._process(doc)
        finally:
            if was_enabled:
                gc.enable()

    def _process(self, doc: Document) -> Document:
        s: ThemeSettings = self.settings  # type: ignore[assignment]
        # A new document; only the parts this stage changes are copied.
        doc = doc.model_copy(
            update={
                "themes": [],
                "sections": [sec.model_copy(update={"tags": list(sec.tags)}) for sec in doc.sections],
                "diagnostics": list(doc.diagnostics),
            }
        )
        blocks = prose_blocks(doc)
        prose = "\n".join(b.text for _, b in blocks)
        if s.check_language and not looks_english(prose):
            doc.diagnostics.append(
                Diagnostic(
                    stage=self.name,
                    level="info",
                    code="not-english",
                    message="the text does not read as English; no themes extracted",
                )
            )
            tag_sections(doc, [], s.tags_per_section)
            return doc
        an = analyse(doc, max_words=s.max_words)
        if not an.candidates:
            tag_sections(doc, [], s.tags_per_section)
            return doc
        scores = load_model().predict(an.X)

        section_of_block: dict[str, str] = {}
        for sec in doc.sections:
            for bid in sec.block_ids:
                section_of_block.setdefault(bid, sec.id)
        stem_sections: dict[str, set[str]] = {}
        for part in an.parts:
            bi = an.token_block[part.token]
            sid = section_of_block.get(doc.blocks[bi].id) if bi >= 0 else None
            if sid is not None:
                stem_sections.setdefault(part.stem, set()).add(sid)
        order = sorted(range(len(an.candidates)), key=lambda i: (-scores[i], an.candidates[i].key))
        phrases = []
        for i in order[: s.max_keyphrases]:
            if scores[i] < s.min_score:
                break
            c = an.candidates[i]
            sids = set()
            heading = False
            for pi in c.mention_parts:
                heading = heading or an.sentence_kind[an.parts[pi].sent] == "heading"
                bi = an.token_block[an.parts[pi].token]
                sid = section_of_block.get(doc.blocks[bi].id) if bi >= 0 else None
                if sid is None:
                    sid = _section_at(doc, an.parts[pi].start)
                if sid is not None:
                    sids.add(sid)
            spread: set[str] = set()
            for st in c.common_stems:
                spread |= stem_sections.get(st, set())
            phrases.append(
                Scored(c.key, an.texts[i], float(scores[i]), list(c.mentions), sids, heading, c.noun_stems,
                       spread)
            )
        groups = group(phrases, s.top_k, len(doc.sections))
        doc.themes = build_themes(groups, [sec.id for sec in doc.sections])
        tag_sections(doc, doc.themes, s.tags_per_section)
        return doc


def _section_at(doc: Document, offset: int) -> str | None:
    """The innermost (last starting) section whose span holds ``offset``."""
    best = None
    for sec in doc.sections:
        if sec.start <= offset < sec.end and (best is None or sec.start >= best.start):
            best = sec
    return best.id if best is not None else None
