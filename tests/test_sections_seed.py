"""Seed acceptance for the section tagger (seeds/000_2a3c3e522d4f526f.txt)."""

from __future__ import annotations

from pathlib import Path

import pytest
from seed_expectations import LEVEL2, PARENTS

from pipeline import Document
from plugins.sections import SectionTagger

SEED = Path(__file__).resolve().parent.parent / "seeds" / "000_2a3c3e522d4f526f.txt"

TOP, SUB = LEVEL2, PARENTS


@pytest.fixture(scope="module")
def doc() -> Document:
    text = SEED.read_text(encoding="utf-8")
    return SectionTagger().process(Document(id="seed", text=text))


def test_metadata(doc: Document) -> None:
    assert doc.metadata["date"] == "2026-01-07"
    assert doc.metadata["title"] == "South"


def test_title_and_dateline_blocks(doc: Document) -> None:
    titles = [b for b in doc.blocks if b.kind == "title"]
    assert [b.text for b in titles] == ["South"]
    assert titles[0].level == 1
    assert [b.text for b in doc.blocks if b.kind == "dateline"] == ["January 7, 2026"]


def test_headings_and_levels(doc: Document) -> None:
    heads = [b for b in doc.blocks if b.kind == "heading"]
    assert [b.text for b in heads if b.level == 2] == TOP
    assert sorted(b.text for b in heads if b.level == 3) == sorted(SUB)
    assert len(heads) == 17


def test_parents(doc: Document) -> None:
    by_id = {s.id: s for s in doc.sections}
    for s in doc.sections:
        if s.heading in SUB:
            assert s.parent is not None
            assert by_id[s.parent].heading == SUB[s.heading]
        elif s.heading in TOP:
            assert s.parent is None


def test_lead_section(doc: Document) -> None:
    lead = doc.sections[0]
    assert lead.heading is None and lead.tags == ["lead"]
    blocks = doc.block_by_id()
    paras = [blocks[i] for i in lead.block_ids]
    assert [b.kind for b in paras] == ["paragraph", "paragraph"]
    assert paras[0].text.startswith("The strengthening of South Korea")
    assert paras[1].text.startswith("As geopolitical tensions")


def test_conclusion_tag(doc: Document) -> None:
    tags = {s.heading: s.tags for s in doc.sections}
    assert tags["Conclusion"] == ["conclusion"]
    assert tags["Challenges Ahead"] == ["body"]


def test_spans_valid(doc: Document) -> None:
    doc.check()
    for b in doc.blocks:
        assert b.text == doc.text[b.start : b.end]
        assert b.text == b.text.strip()
        assert b.text
    for s in doc.sections:
        assert 0 <= s.start <= s.end <= len(doc.text)
    # a section spans its heading to the end of its last contained block, children included
    by_id = {s.id: s for s in doc.sections}
    for s in doc.sections:
        if s.parent:
            p = by_id[s.parent]
            assert p.start <= s.start and s.end <= p.end
