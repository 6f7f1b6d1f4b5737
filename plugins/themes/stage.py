"""The ``themes`` stage: keyphrases and themes of a document, and theme tags on its sections.

Method: noun-phrase candidates from a rule-based part-of-speech tagger (Hulth 2003), with single
adjectives and verbs as keyphrases too in documents of fewer than three sections, generic
features of position, frequency, spread, structure (title, headings, lead; Boudin 2018),
rarity and position-biased PageRank (Florescu & Caragea 2017), scored by a small boosted-tree
model trained offline (``training/``), then grouped into themes by phrase containment.

This module holds only the settings and the stage class, so registering the plugin imports
nothing heavy; the analysis (:mod:`.extract`: numpy, the tagger, the model) is imported when
the first document runs.
"""

from __future__ import annotations

import gc
import logging
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline.model import Document
from pipeline.registry import Stage

log = logging.getLogger(__name__)


class ThemeSettings(BaseModel):
    """Settings of the ``themes`` stage."""

    model_config = ConfigDict(extra="forbid")
    top_k: int = Field(default=12, ge=1, le=100, description="most themes kept per document")
    max_keyphrases: int = Field(default=60, ge=1, le=500, description="most keyphrases kept, best first")
    max_words: int = Field(default=5, ge=1, le=10, description="longest keyphrase, in words")
    max_prose_words: int = Field(
        default=50_000, ge=100, le=5_000_000,
        description="most words of prose analysed, in document order (the rest gives no themes; "
        "an info diagnostic says so): bounds the stage's time and memory on very long documents",
    )
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
    and an ``info`` diagnostic ``not-english``; a document with text but no themes gets an
    ``info`` diagnostic saying why (``no-prose``, ``no-candidates``, ``below-min-score``), and one
    with more than ``max_prose_words`` words of prose is analysed up to that many words
    (``info`` diagnostic ``truncated``).
    """

    name = "themes"
    requires = ("sections",)
    provides = ("themes",)
    Settings = ThemeSettings

    def process(self, doc: Document) -> Document:
        from plugins.themes.extract import extract  # heavy: numpy, tagger, model (first use only)

        # The analysis makes many short-lived, acyclic objects: cyclic garbage collection passes
        # during it cost about a fifth of the time and free nothing, so they wait until the end.
        was_enabled = gc.isenabled()
        gc.disable()
        try:
            return extract(doc, self.settings, self.name)  # type: ignore[arg-type]
        finally:
            if was_enabled:
                gc.enable()
