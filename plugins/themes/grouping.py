"""Group scored keyphrases into themes and tag the sections that discuss them.

Grouping is greedy and deterministic, in descending keyphrase score, after the topic clustering
of Bougouin et al. 2013 (TopicRank): phrases sharing enough stems name one subject. Themes are
then ranked by :func:`theme_score`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pipeline.model import Document, Keyphrase, Theme

THEME_TAG = "theme:"
HEADING_PRIOR = 0.0
COVERAGE_PRIOR = 1.0


@dataclass
class Scored:
    """A keyphrase with its stem key and the section ids of its mentions."""

    key: tuple[str, ...]
    text: str
    score: float
    mentions: list[tuple[int, int]]
    section_ids: set[str] = field(default_factory=set)
    in_heading: bool = False
    nouns: frozenset[str] = frozenset()
    noun_sections: set[str] = field(default_factory=set)  # sections using its common nouns
    theme_score: float = 0.0


def _related(a: Scored, b: Scored) -> bool:
    """Same subject: one phrase holds the other's words, they share their head noun, or they
    share a third of their words and one of the shared words is a noun in both
    ("security concerns", "security dialogue"; not "recent exchanges", "recent years")."""
    sa, sb = set(a.key), set(b.key)
    if sa <= sb or sb <= sa:
        return True
    if a.key[-1] == b.key[-1] and a.key[-1] in a.nouns:  # same head noun: "improved relations"
        return True
    shared = sa & sb
    return len(shared) * 3 >= len(sa | sb) and bool(shared & a.nouns & b.nouns)


def theme_score(members: list[Scored], n_sections: int) -> float:
    """A theme's score: in a document of fewer than three sections, its label's score, so the
    themes rank as their labels do and keeping the top themes never drops a better keyphrase.
    In a structured document, the noisy-or of its keyphrases' scores (a subject named several
    ways is surer), raised when a heading names it and by the share of sections using the
    common nouns of its label: hand-set priors, as the training sets have neither headings nor
    sections."""
    if n_sections < 3:
        return members[0].score
    miss = 1.0
    for m in members:
        miss *= 1.0 - m.score
    if any(m.in_heading for m in members):
        miss *= 1.0 - HEADING_PRIOR
    miss *= 1.0 - COVERAGE_PRIOR * len(members[0].noun_sections) / n_sections
    return 1.0 - miss


def group(phrases: list[Scored], max_themes: int, n_sections: int = 1) -> list[list[Scored]]:
    """Themes as lists of keyphrases (best first), themes in descending :func:`theme_score`.

    Each keyphrase, best first, joins the first theme whose label (its best keyphrase) is
    related to it; labels are compared, not members, so themes do not chain.
    """
    ordered = sorted(phrases, key=lambda p: (-p.score, p.key))
    themes: list[list[Scored]] = []
    for p in ordered:
        for members in themes:
            if _related(p, members[0]):
                members.append(p)
                break
        else:
            themes.append([p])
    scored = [(theme_score(m, n_sections), m) for m in themes]
    scored.sort(key=lambda sm: (-sm[0], sm[1][0].key))
    out = []
    for score, members in scored[:max_themes]:
        members[0].theme_score = score
        out.append(members)
    return out


def build_themes(groups: list[list[Scored]], section_order: list[str]) -> list[Theme]:
    """Pydantic themes with ids ``t1``, ``t2`` ... and sections in document order."""
    rank = {sid: i for i, sid in enumerate(section_order)}
    out = []
    for i, members in enumerate(groups, start=1):
        sids: set[str] = set()
        for m in members:
            sids |= m.section_ids
        out.append(
            Theme(
                id=f"t{i}",
                label=members[0].text,
                score=round(members[0].theme_score, 6),
                keyphrases=[
                    Keyphrase(text=m.text, score=round(m.score, 6), mentions=sorted(m.mentions))
                    for m in members
                ],
                section_ids=sorted(sids, key=lambda s: rank.get(s, len(rank))),
            )
        )
    return out


def tag_sections(doc: Document, themes: list[Theme], per_section: int) -> None:
    """Replace the ``theme:<label>`` tags of each section with its ``per_section`` best themes
    (lower-cased labels), in theme rank order; other tags are kept as they are."""
    by_section: dict[str, list[str]] = {}
    for t in themes:
        for sid in t.section_ids:
            labels = by_section.setdefault(sid, [])
            if len(labels) < per_section:
                labels.append(THEME_TAG + t.label.lower())
    for s in doc.sections:
        kept = [tag for tag in s.tags if not tag.startswith(THEME_TAG)]
        for tag in by_section.get(s.id, []):
            if tag not in kept:
                kept.append(tag)
        s.tags = kept
