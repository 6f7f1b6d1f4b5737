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
    words: tuple[str, ...] = ()  # stems by word (see Candidate.words); the key when not given
    common: frozenset[str] = frozenset()  # stems of its common nouns
    prior: float = 0.0  # structure prior: how surely the document's structure marks it a subject
    relation: int = 0  # relatedness to its theme's label when it joined (0: it is the label)
    theme_score: float = 0.0
    wordset: frozenset[str] = field(init=False, repr=False, default=frozenset())

    def __post_init__(self) -> None:
        if not self.words:
            self.words = self.key
        self.wordset = frozenset(self.words)


def relatedness(a: Scored, b: Scored) -> int:
    """How surely two phrases name one subject: 0 (not) .. 4, compared word by word, where a
    hyphenated compound is one word ("high-level" is not "levels": a bare fragment of a compound
    modifier says nothing of the phrase it modifies in).

    4. one phrase holds all the other's words ("state visits", "high-level state visits");
    3. they share their head noun ("improved relations", "bilateral relations");
    2. they share a noun (a noun in both) that is a third of their words, or a common noun
       that modifies both heads ("security concerns", "security dialogue", "regional security
       frameworks"; not "recent exchanges", "recent years");
    1. siblings: ``a`` is an adjective and a head noun, and the adjective is the modifier right
       before ``b``'s different head ("bilateral interests" beside "... bilateral relations"):
       two aspects of one qualified subject. Not for a name ("Korean Peninsula" is no sibling
       of "South Korean companies"). The weakest tie, so
       a phrase whose head names another theme joins that theme instead ("regional
       cooperation" goes with "cooperation", not with "regional challenges").
    """
    sa, sb = a.wordset, b.wordset
    if sa.isdisjoint(sb):  # every tie below needs a shared word
        return 0
    wa, wb = a.words, b.words
    if sa <= sb or sb <= sa:
        return 4
    if wa[-1] == wb[-1] and a.key[-1] in a.nouns:
        return 3
    shared = sa & sb
    same_modifier = len(wa) >= 2 and len(wb) >= 2 and wa[-2] == wb[-2]
    if len(shared) * 3 >= len(sa | sb) and bool(shared & a.nouns & b.nouns):
        return 2
    if same_modifier and wa[-2] in a.common and wb[-2] in b.common:
        return 2
    if (
        same_modifier
        and len(wa) == 2
        and not all(w[:1].isupper() for w in a.text.split())  # a name's words are not modifiers
        and wa[-2] not in a.nouns
        and wa[-2] not in b.nouns
        and wa[-1] in a.nouns
        and wb[-1] in b.nouns
    ):
        return 1
    return 0


def theme_score(members: list[Scored], n_sections: int) -> float:
    """A theme's score: in a document of fewer than three sections, its label's score, so the
    themes rank as their labels do and keeping the top themes never drops a better keyphrase.
    In a structured document, the noisy-or of its keyphrases' scores (a subject named several
    ways is surer; siblings, :func:`relatedness` 1, name a neighbouring aspect, not the subject
    again, so they attach without adding evidence), raised when a heading names it, by the
    best structure prior of its keyphrases (a section subject or a name:
    :func:`plugins.themes.extract.structure_priors`) and by the share of sections using the
    common nouns of its label: hand-set priors, as the training sets have neither headings nor
    sections."""
    if n_sections < 3:
        return members[0].score
    miss = 1.0
    for m in members:
        if m.relation != 1:
            miss *= 1.0 - m.score
    if any(m.in_heading for m in members):
        miss *= 1.0 - HEADING_PRIOR
    miss *= 1.0 - max(m.prior for m in members if m.relation != 1)
    miss *= 1.0 - COVERAGE_PRIOR * len(members[0].noun_sections) / n_sections
    return 1.0 - miss


def group(phrases: list[Scored], max_themes: int, n_sections: int = 1) -> list[list[Scored]]:
    """Themes as lists of keyphrases (best first), themes in descending :func:`theme_score`.

    Each keyphrase, best first, joins the theme whose label (its best keyphrase) is most
    surely related to it (:func:`relatedness`; the first such theme on a tie); labels are
    compared, not members, so themes do not chain.
    """
    ordered = sorted(phrases, key=lambda p: (-p.score, p.key))
    themes: list[list[Scored]] = []
    for p in ordered:
        best, best_rel = None, 0
        wordset = p.wordset
        for members in themes:
            # most pairs share no word (relatedness 0): that test alone, without the call
            if wordset.isdisjoint(members[0].wordset):
                continue
            rel = relatedness(p, members[0])
            if rel > best_rel:
                best, best_rel = members, rel
                if rel == 4:
                    break
        if best is None:
            p.relation = 0
            themes.append([p])
        else:
            p.relation = best_rel
            best.append(p)
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
