"""The themes stage on very long documents and on documents that give no themes: bounded work,
and a diagnostic saying why."""

from __future__ import annotations

import numpy as np

from pipeline.model import Block, Document
from plugins.themes import ThemeExtractor
from plugins.themes.candidates import split_parts
from plugins.themes.features import _position_rank, analyse
from plugins.themes.testing import build

_FIRST = ("The harbour authority approved a dredging plan for the container terminal. "
          "Dredging the harbour channel lets larger container ships reach the terminal. ")
_LATER = ("The orchestra rehearsed a violin concerto in the concert hall. "
          "The violin concerto opens the winter festival. ")


def run(doc: Document, **settings: object) -> Document:
    out = ThemeExtractor(ThemeExtractor.Settings(**settings)).process(doc)
    out.check()
    return out


def codes(doc: Document) -> list[str]:
    return [d.code for d in doc.diagnostics if d.stage == "themes"]


def labels(doc: Document) -> str:
    return " | ".join(k.text.lower() for t in doc.themes for k in t.keyphrases)


def test_prose_beyond_max_prose_words_is_not_analysed_and_a_diagnostic_says_so() -> None:
    doc = build([("paragraph", _FIRST * 10)] + [("paragraph", _LATER * 10)] * 5)
    full = run(doc)
    assert "truncated" not in codes(full) and "violin concerto" in labels(full)
    cut = run(doc, max_prose_words=200)
    assert codes(cut) == ["truncated"]
    assert "container" in labels(cut) and "violin" not in labels(cut)
    limit = doc.blocks[1].start
    assert all(e <= limit for t in cut.themes for k in t.keyphrases for _, e in k.mentions)


def test_one_huge_block_is_cut_inside_the_block() -> None:
    text = _FIRST * 20 + _LATER * 2000
    doc = Document(id="one", text=text, blocks=[Block(id="b1", kind="paragraph", start=0, end=len(text), text=text)])
    an = analyse(doc, max_prose_words=300)
    assert an.truncated
    assert sum(tok.text[:1].isalnum() for tok in an.tokens) == 300
    assert an.tokens[-1].end <= len(_FIRST) * 20
    out = run(doc, max_prose_words=300)
    assert codes(out) == ["truncated"] and out.themes


def test_exactly_max_prose_words_is_not_truncated() -> None:
    doc = build([("paragraph", "Dredging plans worry harbour pilots.")])
    an = analyse(doc, max_prose_words=5)
    assert not an.truncated and len(an.tokens) == 6


def test_text_without_prose_blocks_gets_a_diagnostic() -> None:
    text = "def dredge(harbour):\n    return harbour.depth + 2\n"
    doc = Document(id="code", text=text, blocks=[Block(id="b1", kind="code", start=0, end=len(text), text=text)])
    out = run(doc)
    assert out.themes == [] and codes(out) == ["no-prose"]
    assert "code" in out.diagnostics[-1].message


def test_prose_without_noun_phrases_gets_a_diagnostic() -> None:
    out = run(build([("paragraph", "It is what it is, and so it was, and so it will be for them.")]))
    assert out.themes == [] and codes(out) == ["no-candidates"]


def test_min_score_that_drops_everything_gets_a_diagnostic() -> None:
    out = run(build([("paragraph", _FIRST * 3)]), min_score=1.0)
    assert out.themes == [] and codes(out) == ["below-min-score"]


def _dense_position_rank(stems: list[str], keep: list[int], window: int = 10) -> dict[str, float]:
    """The textbook PositionRank walk over an n x n matrix, for comparison."""
    vocab: dict[str, int] = {}
    ids = [vocab.setdefault(stems[i], len(vocab)) for i in keep]
    n = len(vocab)
    w = np.zeros((n, n))
    for x in range(len(keep)):
        for y in range(x + 1, len(keep)):
            if keep[y] - keep[x] < window and ids[x] != ids[y]:
                w[ids[x], ids[y]] += 1
                w[ids[y], ids[x]] += 1
    bias = np.zeros(n)
    for pos, i in enumerate(ids):
        bias[i] += 1.0 / (pos + 1)
    bias /= bias.sum()
    deg = w.sum(axis=1)
    deg[deg == 0] = 1
    s = np.full(n, 1.0 / n)
    for _ in range(30):
        s = 0.85 * (w / deg[:, None]).T @ s + 0.15 * bias
    return dict(zip(vocab, s.tolist(), strict=True))


def test_position_rank_matches_the_textbook_walk() -> None:
    an = analyse(build([("paragraph", _FIRST * 3 + _LATER * 2)]))
    parts = split_parts(an.tokens)
    tags = [t.tag for t in an.tokens]
    keep = [i for i, t in enumerate(parts.token) if tags[t] in {"NN", "NNS", "NNP", "NNPS", "JJ"}]
    want = _dense_position_rank(parts.stem, keep)
    for dense_max in (10_000, 0):  # the matrix walk and the edge-list walk
        got = _position_rank(parts, tags, dense_max=dense_max)
        assert got.keys() == want.keys()
        assert np.allclose([got[k] for k in want], list(want.values()), rtol=1e-9, atol=1e-12)
