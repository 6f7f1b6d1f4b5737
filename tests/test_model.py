from __future__ import annotations

import pytest
from pydantic import ValidationError

from pipeline import Block, Document, Keyphrase, Section, Theme


def make(text: str, blocks: list[Block], **kw: object) -> Document:
    return Document(id="d", text=text, blocks=blocks, **kw)


def test_valid_document_round_trips_through_json() -> None:
    text = "Title\n\nBody text."
    doc = make(
        text,
        [Block(id="b1", kind="title", level=1, start=0, end=5, text="Title"),
         Block(id="b2", kind="paragraph", start=7, end=17, text="Body text.")],
        sections=[Section(id="s1", start=7, end=17, block_ids=["b2"], tags=["lead"])],
        themes=[Theme(id="t1", label="body", score=0.5,
                      keyphrases=[Keyphrase(text="body", score=0.5, mentions=[(7, 11)])], section_ids=["s1"])],
    )
    again = Document.model_validate_json(doc.model_dump_json())
    assert again == doc


@pytest.mark.parametrize(
    "blocks, problem",
    [
        ([Block(id="b1", kind="paragraph", start=0, end=50, text="x")], "outside text"),
        ([Block(id="b1", kind="paragraph", start=0, end=3, text="abd")], "differs"),
        ([Block(id="b1", kind="paragraph", start=0, end=4, text="abcd"),
          Block(id="b2", kind="paragraph", start=2, end=5, text="cde")], "before the previous block ends"),
        ([Block(id="b1", kind="paragraph", start=0, end=1, text="a"),
          Block(id="b1", kind="paragraph", start=2, end=3, text="c")], "duplicate block id"),
    ],
)
def test_span_invariants_are_enforced(blocks: list[Block], problem: str) -> None:
    with pytest.raises(ValidationError, match=problem):
        make("abcdefgh", blocks)


def test_section_references_are_checked() -> None:
    with pytest.raises(ValidationError, match="unknown parent"):
        make("abc", [], sections=[Section(id="s1", start=0, end=3, parent="s0")])
    with pytest.raises(ValidationError, match="unknown blocks"):
        make("abc", [], sections=[Section(id="s1", start=0, end=3, block_ids=["b7"])])


def test_mentions_must_be_inside_text() -> None:
    theme = Theme(id="t1", label="x", score=1.0, keyphrases=[Keyphrase(text="x", score=1.0, mentions=[(2, 9)])])
    with pytest.raises(ValidationError, match="mention"):
        make("abc", [], themes=[theme])


def test_check_catches_in_place_corruption() -> None:
    doc = make("abc", [Block(id="b1", kind="paragraph", start=0, end=3, text="abc")])
    doc.blocks[0].end = 99
    with pytest.raises(ValueError, match="outside text"):
        doc.check()


def test_unknown_fields_are_rejected() -> None:
    with pytest.raises(ValidationError):
        Document.model_validate({"id": "d", "text": "", "colour": "red"})
