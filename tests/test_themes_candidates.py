"""Candidates of the theme stage: noun phrases, and single adjectives and verbs."""

from __future__ import annotations

from plugins.themes import ThemeExtractor
from plugins.themes.features import FEATURES, analyse
from plugins.themes.testing import build

_TEXT = [
    ("title", "Actress joins fairytale film"),
    ("paragraph", "The nominated actress will star in an upcoming fairytale film. Critics praised her "
                  "earlier roles warmly, and the studio said the new film would open soon."),
]


def _kinds(doc_parts: list[tuple[str, str]], **kw: bool) -> dict[str, int]:
    an = analyse(build(doc_parts), **kw)
    return {c.first_surface: c.word_kind for c in an.candidates}


def test_single_adjectives_and_verbs_are_candidates_of_their_kind() -> None:
    kinds = _kinds(_TEXT)
    assert kinds["upcoming"] == 1  # an adjective that only ever modifies a noun
    assert kinds["nominated"] == 2 and kinds["praised"] == 2
    assert "warmly" not in kinds and "soon" not in kinds  # adverbs are not candidates
    # noun phrases keep kind 0, including the ones these words modify
    assert kinds["upcoming fairytale film"] == 0 and kinds["nominated actress"] == 0
    assert kinds["film"] == 0


def test_stop_words_and_dating_modifiers_are_never_single_word_candidates() -> None:
    kinds = _kinds(_TEXT)
    assert "new" not in kinds and "will" not in kinds and "would" not in kinds
    assert all(any(ch.isalpha() for ch in s) for s in kinds)


def test_single_words_can_be_switched_off() -> None:
    kinds = _kinds(_TEXT, single_words=False)
    assert set(kinds.values()) == {0}
    assert "upcoming" not in kinds and "praised" not in kinds
    an = analyse(build(_TEXT))
    assert an.X[:, FEATURES.index("word_kind")].max() == 2


def test_structured_documents_theme_only_noun_phrases() -> None:
    body = ("Officials praised the harbour dredging plan warmly. The upcoming dredging season "
            "starts in May, and engineers praised the revised plan. ")
    parts = [("title", "Harbour dredging plan"), ("paragraph", body)]
    for heading in ("Dredging season", "Engineering review", "Harbour funding"):
        parts += [("heading", heading), ("paragraph", body)]
    doc = build(parts)
    assert len(doc.sections) >= 3
    single = {c.first_surface.lower() for c in analyse(doc).candidates if c.word_kind}
    assert {"praised", "upcoming"} <= single
    out = ThemeExtractor().process(doc)
    shown = {k.text.lower() for t in out.themes for k in t.keyphrases}
    assert shown and not shown & single
