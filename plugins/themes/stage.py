"""The ``themes`` stage: keyphrases and themes of a document, and theme tags on its sections.

Method: noun-phrase candidates from a rule-based part-of-speech tagger (Hulth 2003), generic
features of position, frequency, spread, structure (title, headings, lead; Boudin 2018),
rarity and position-biased PageRank (Florescu & Caragea 2017), scored by a small boosted-tree
model trained offline (``training/``), then grouped into themes by phrase containment.
"""

from __future__ import annotations

import gc
import logging
import re
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from pipeline.model import Diagnostic, Document
from pipeline.registry import Stage
from plugins.themes.candidates import FIRST_KIND, STOP, Candidate, stem
from plugins.themes.features import Analysis, analyse, prose_blocks
from plugins.themes.grouping import Scored, build_themes, group, tag_sections
from plugins.themes.language import looks_english
from plugins.themes.ranking import load_model

log = logging.getLogger(__name__)

# A document of this many sections or more is structured: its headings are used (see
# structure_priors and grouping.theme_score).
STRUCTURED_SECTIONS = 3
SECTION_SUBJECT_PRIOR = 0.5
NAMED_ENTITY_PRIOR = 0.5
PARTICIPLE = FIRST_KIND["VBN"]
_WORD_RE = re.compile(r"[^\W_]+")


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
        priors = np.zeros(len(scores))
        structured = len(doc.sections) >= STRUCTURED_SECTIONS
        if structured:
            priors = structure_priors(doc, an)
        # Kept: the best by the ranker's score raised by the structure prior (the same order as
        # the ranker's alone in an unstructured document); each keeps the ranker's score.
        adjusted = 1.0 - (1.0 - scores) * (1.0 - priors)
        order = sorted(
            (i for i, c in enumerate(an.candidates) if not (structured and is_fragment(c))),
            key=lambda i: (-adjusted[i], an.candidates[i].key),
        )
        phrases = []
        for i in order[: s.max_keyphrases]:
            if scores[i] < s.min_score:
                continue
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
                       spread, common=c.common_stems, words=c.words, prior=float(priors[i]))
            )
        groups = group(phrases, s.top_k, len(doc.sections))
        doc.themes = build_themes(groups, [sec.id for sec in doc.sections])
        tag_sections(doc, doc.themes, s.tags_per_section)
        return doc


def is_fragment(c: Candidate) -> bool:
    """A sub-phrase that never ends a noun phrase in the text: its last word only ever modifies a
    following noun ("high-level state" of "high-level state visits"), so it names nothing by
    itself. Single words are kept (a modifier noun such as "security" of "security concerns"
    still names a subject, and single-word keyphrase gold is full of them), and so are names
    written capitalised in the prose ("Exxon Valdez" of "Exxon Valdez oil spill").

    Dropped in structured documents only, where themes are read as the subjects of sections:
    in the unstructured keyphrase sets such sub-phrases are sometimes gold terms ("neural
    network" of "neural network training"), and dropping them costs F1 there."""
    return c.n_words >= 2 and c.final_hits == 0 and not (c.cap_hits and c.cap_hits == c.prose_hits)


def _content_stems(text: str) -> set[str]:
    return {stem(w) for w in _WORD_RE.findall(text) if w.lower() not in STOP}


def is_named_entity(c: Candidate) -> bool:
    """A multi-word name: every body occurrence is capitalised word by word, and it ends a noun
    phrase somewhere ("Korean Peninsula", "East Asia"; not "South Korean companies")."""
    return c.n_words >= 2 and c.cap_hits >= 1 and c.cap_hits == c.prose_hits and c.final_hits >= 1


def structure_priors(doc: Document, an: Analysis) -> np.ndarray:
    """Per candidate, how surely a structured document marks it as one of its subjects (0..1).

    The ranker is trained on headline news, broadcast stories and abstracts, which have no
    headings, so what the structure says is added as hand-set priors on the themes
    (:func:`plugins.themes.grouping.theme_score`; documents of at least
    :data:`STRUCTURED_SECTIONS` sections only). A keyphrase keeps the ranker's score, so the
    keyphrase ranking is the ranker's; the prior also lets a subject the ranker scores low be
    among the ``max_keyphrases`` kept.

    * **Section subjects** (:data:`SECTION_SUBJECT_PRIOR`). A heading names what its section
      is about. A phrase mentioned in the body of a section (children included) whose words
      all appear in the section's heading path (its heading and its ancestors' headings), in
      any order and not necessarily contiguous ("cultural exchange" under "Cultural and
      People-to-People Exchange"; "economic cooperation" under "Key Areas of Cooperation" >
      "Trade and Economic Stability"), with at least one word from the section's own heading,
      is that section's subject. A single word qualifies only when it is the only content word
      of the heading ("In China"): one word out of several is too weak a match ("challenges"
      of "Challenges Ahead"). A phrase led by a participle describes a change of state rather
      than naming a thing ("renewed momentum" under "A Renewed Diplomatic Momentum"), so it is
      not a section subject.
    * **Named entities** (:data:`NAMED_ENTITY_PRIOR`). A multi-word name
      (:func:`is_named_entity`) is a subject whatever its frequency: a place or body named
      once ("the Korean Peninsula") is still what its passage is about, while the training
      gold often omits names, so the ranker scores them low.
    """
    out = np.zeros(len(an.candidates))
    by_id = {sec.id: sec for sec in doc.sections}
    sections = []  # (start, end, own heading stems, heading path stems)
    for sec in doc.sections:
        if not sec.heading:
            continue
        own = _content_stems(sec.heading)
        if not own:
            continue
        path = set(own)
        parent = by_id.get(sec.parent) if sec.parent else None
        seen = {sec.id}
        while parent is not None and parent.id not in seen:
            seen.add(parent.id)
            if parent.heading:
                path |= _content_stems(parent.heading)
            parent = by_id.get(parent.parent) if parent.parent else None
        sections.append((sec.start, sec.end, own, path))
    for i, c in enumerate(an.candidates):
        prior = 0.0
        if sections and c.first_kind != PARTICIPLE:
            stems = set(c.key)
            body_offsets = [
                an.parts[pi].start for pi in c.mention_parts if an.sentence_kind[an.parts[pi].sent] == "body"
            ]
            for start, end, own, path in sections:
                if not (stems <= path and stems & own):
                    continue
                if len(stems) < 2 and stems != own:
                    continue
                if any(start <= off < end for off in body_offsets):
                    prior = SECTION_SUBJECT_PRIOR
                    break
        if is_named_entity(c):
            prior = max(prior, NAMED_ENTITY_PRIOR)
        out[i] = prior
    return out


def _section_at(doc: Document, offset: int) -> str | None:
    """The innermost (last starting) section whose span holds ``offset``."""
    best = None
    for sec in doc.sections:
        if sec.start <= offset < sec.end and (best is None or sec.start >= best.start):
            best = sec
    return best.id if best is not None else None
