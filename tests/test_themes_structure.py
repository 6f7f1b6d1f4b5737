"""Structure rules of the themes stage: section subjects, names, grouping by whole words."""

from __future__ import annotations

from pipeline.model import Document
from plugins.themes import ThemeExtractor
from plugins.themes.grouping import Scored, group, relatedness
from plugins.themes.testing import build

PARAS = [
    "The council met on Tuesday to review the city budget and the harbour works.",
    "Members said the ferry timetable needs work before the summer season begins.",
    "A report on school meals and the library hours was delayed until next month.",
    "Volunteers run a youth orchestra and a chess club, and both ask for rooms in the town hall.",
    "Officials expect visitors from the Baltic Coast at the harbour festival in June.",
]


def run(doc: Document) -> Document:
    out = ThemeExtractor(ThemeExtractor.Settings(top_k=100)).process(doc)
    out.check()
    return out


def theme_of(doc: Document, text: str) -> tuple[int, float]:
    for i, t in enumerate(doc.themes):
        if any(k.text.lower() == text.lower() for k in t.keyphrases):
            return i, t.score
    return len(doc.themes), 0.0


def council(heading: str) -> Document:
    return build([("title", "Council meeting"), ("paragraph", PARAS[0]), ("heading", "Harbour"),
                  ("paragraph", PARAS[1]), ("heading", "Budget"), ("paragraph", PARAS[2]),
                  ("heading", heading), ("paragraph", PARAS[3]), ("paragraph", PARAS[4])])


def test_a_phrase_spelled_by_its_section_heading_is_that_sections_subject() -> None:
    # "youth orchestra" is named by the heading's words, though not contiguously
    named = run(council("Youth Music and Orchestra"))
    other = run(council("Other business"))
    assert theme_of(named, "youth orchestra")[1] > theme_of(other, "youth orchestra")[1]
    assert theme_of(named, "youth orchestra")[0] < theme_of(other, "youth orchestra")[0]


def test_a_multi_word_name_mentioned_once_ranks_among_the_themes() -> None:
    doc = run(council("Other business"))
    rank, score = theme_of(doc, "Baltic Coast")
    assert score >= 0.5 and rank < 10, [t.label for t in doc.themes]
    # an unstructured document keeps the ranker's scores: no structure prior
    flat = run(build([("title", "Council meeting"), ("paragraph", " ".join(PARAS))]))
    assert [t.score for t in flat.themes] == [t.keyphrases[0].score for t in flat.themes]


def _p(text: str, score: float, words: tuple[str, ...], nouns: set[str], common: set[str] | None = None) -> Scored:
    return Scored(key=tuple(w for ws in words for w in ws.split("-")), text=text, score=score, mentions=[],
                  nouns=frozenset(nouns), words=words, common=frozenset(common if common is not None else nouns))


def test_a_bare_fragment_of_a_compound_modifier_is_not_related() -> None:
    visits = _p("high-level state visits", 0.3, ("high-level", "state", "visit"), {"state", "visit"})
    levels = _p("levels", 0.05, ("level",), {"level"})
    assert relatedness(levels, visits) == 0
    assert [len(g) for g in group([visits, levels], 10)] == [1, 1]


def test_siblings_join_but_a_shared_head_wins() -> None:
    relations = _p("bilateral relations", 0.6, ("bilater", "relat"), {"relat"})
    challenges = _p("regional challenges", 0.5, ("region", "challeng"), {"challeng"})
    cooperation = _p("cooperation", 0.4, ("cooper",), {"cooper"})
    interests = _p("bilateral interests", 0.3, ("bilater", "interest"), {"interest"})
    regional = _p("regional cooperation", 0.2, ("region", "cooper"), {"cooper"})
    groups = group([relations, challenges, cooperation, interests, regional], 10, n_sections=5)
    labels = {g[0].text: [m.text for m in g] for g in groups}
    assert labels["bilateral relations"] == ["bilateral relations", "bilateral interests"]
    assert labels["cooperation"] == ["cooperation", "regional cooperation"]
    # a sibling attaches without adding evidence to its theme's score
    alone = group([relations], 10, n_sections=5)[0][0].theme_score
    assert groups[0][0].theme_score == alone
