"""The analysis behind the ``themes`` stage (see :mod:`.stage`): rank candidates, apply the
structure priors, group keyphrases into themes and tag sections.

Imported on a document's first use of the stage, not at plugin registration: it pulls in numpy,
the tagger and the model.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

from pipeline.model import Diagnostic, Document
from plugins.themes.candidates import FIRST_KIND, Candidate, display_text, word_sets
from plugins.themes.features import Analysis, analyse, prose_blocks
from plugins.themes.grouping import Scored, build_themes, group, tag_sections
from plugins.themes.language import looks_english
from plugins.themes.lexical import STOP, stem
from plugins.themes.names import NameCuts
from plugins.themes.ranking import load_model
from plugins.themes.text import word_key, word_runs

if TYPE_CHECKING:
    from plugins.themes.stage import ThemeSettings

# A document of this many sections or more is structured: its headings are used (see
# structure_priors and grouping.theme_score).
STRUCTURED_SECTIONS = 3
SECTION_SUBJECT_PRIOR = 0.5
NAMED_ENTITY_PRIOR = 0.5
PARTICIPLE = FIRST_KIND["VBN"]
def extract(doc: Document, s: ThemeSettings, stage_name: str) -> Document:
    """A copy of ``doc`` with its themes and section theme tags (see
    :class:`plugins.themes.stage.ThemeExtractor`)."""
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
                stage=stage_name,
                level="info",
                code="not-english",
                message="the text does not read as English; no themes extracted",
            )
        )
        tag_sections(doc, [], s.tags_per_section)
        return doc
    an = analyse(doc, max_words=s.max_words, max_prose_words=s.max_prose_words)
    if an.truncated:
        _info(doc, stage_name, "truncated",
              f"the prose is longer than max_prose_words ({s.max_prose_words} words): themes come "
              "from its first words only")
    if not an.candidates:
        if not blocks and doc.text.strip():
            kinds = sorted({b.kind for b in doc.blocks})
            _info(doc, stage_name, "no-prose",
                  f"no prose to extract themes from (only blocks of kind {', '.join(kinds)})")
        elif an.tokens:
            _info(doc, stage_name, "no-candidates", "the prose has no noun phrases to extract themes from")
        tag_sections(doc, [], s.tags_per_section)
        return doc
    scores = load_model().predict(an.X)
    parts = an.parts

    section_of_block: dict[str, str] = {}
    for sec in doc.sections:
        for bid in sec.block_ids:
            section_of_block.setdefault(bid, sec.id)
    # Per token block index: its section id.
    block_section = {bi: section_of_block.get(doc.blocks[bi].id) for bi in set(an.token_block) if bi >= 0}
    structured = len(doc.sections) >= STRUCTURED_SECTIONS
    priors = structure_priors(doc, an) if structured else np.zeros(len(scores))
    # Kept: the best by the ranker's score raised by the structure prior (the same order as
    # the ranker's alone in an unstructured document); each keeps the ranker's score. Ties go
    # to the smaller key: candidates are sorted by key, so a stable sort keeps that order.
    adjusted = 1.0 - (1.0 - scores) * (1.0 - priors)
    cands = an.candidates
    order = np.argsort(-adjusted, kind="stable").tolist()
    names = NameCuts(an.tokens, an.parts)
    taken: list[int] = []
    for i in order:
        if len(taken) >= s.max_keyphrases:
            break
        c = cands[i]
        # Themes name the subjects of sections: no sub-phrase fragments, and no single
        # adjectives or verbs (they are keyphrases in crowd-sourced news gold, not subjects).
        if structured and (is_fragment(c) or c.word_kind):
            continue
        if names.is_fragment(c):  # "Hong", "Kong" of "Hong Kong"
            continue
        taken.append(i)
    kept = [i for i in taken if scores[i] >= s.min_score]
    phrases = []
    sentence_kind, token_block, p_sent, p_token, p_start = (
        an.sentence_kind, an.token_block, parts.sent, parts.token, parts.start)
    for i in kept:
        c = cands[i]
        sids = set()
        heading = False
        for pi in c.mention_parts:
            heading = heading or sentence_kind[p_sent[pi]] == "heading"
            sid = block_section.get(token_block[p_token[pi]])
            if sid is None:
                sid = _section_at(doc, p_start[pi])
            if sid is not None:
                sids.add(sid)
        ws = word_sets(c, an.tokens, parts)
        phrases.append(
            Scored(c.key, display_text(c), float(scores[i]), list(c.mentions), sids, heading, ws.noun_stems,
                   common=ws.common_stems, words=ws.words, prior=float(priors[i]))
        )
    if structured:
        # The sections using each phrase's common nouns (grouping.theme_score's coverage).
        wanted = {st for p in phrases for st in p.common}
        stem_sections: dict[str, set[str]] = {st: set() for st in wanted}
        for st, ti in zip(parts.stem, p_token, strict=True):
            if st in wanted:
                sid = block_section.get(token_block[ti])
                if sid is not None:
                    stem_sections[st].add(sid)
        for p in phrases:
            for st in p.common:
                p.noun_sections |= stem_sections[st]
    if not phrases:
        _info(doc, stage_name, "below-min-score", f"no keyphrase scores min_score ({s.min_score}) or more")
    groups = group(phrases, s.top_k, len(doc.sections))
    doc.themes = build_themes(groups, [sec.id for sec in doc.sections])
    tag_sections(doc, doc.themes, s.tags_per_section)
    return doc


def _info(doc: Document, stage_name: str, code: str, message: str) -> None:
    doc.diagnostics.append(Diagnostic(stage=stage_name, level="info", code=code, message=message))


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
    keys = (word_key(text[a:b]) for a, b in word_runs(text))
    return {stem(k) for k in keys if k.lower() not in STOP}


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
    # Sections by the stems of their own heading: a candidate is checked only against the
    # sections whose heading shares one of its stems (linear, not candidates x sections).
    by_stem: dict[str, list[int]] = {}
    for k, (_, _, own, _) in enumerate(sections):
        for st in own:
            by_stem.setdefault(st, []).append(k)
    for i, c in enumerate(an.candidates):
        prior = 0.0
        if sections and c.first_kind != PARTICIPLE:
            stems = set(c.key)
            ks = sorted({k for st in stems for k in by_stem.get(st, ())})
            body_offsets = [
                an.parts.start[pi] for pi in c.mention_parts if an.sentence_kind[an.parts.sent[pi]] == "body"
            ] if ks else []
            for start, end, own, path in (sections[k] for k in ks):
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
