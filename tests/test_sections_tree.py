"""Section tree building."""

from __future__ import annotations

from pipeline.model import Block
from plugins.sections.tree import build_sections, is_conclusion


def _blocks(spec: list[tuple[str, int | None, str]]) -> list[Block]:
    out: list[Block] = []
    pos = 0
    for i, (kind, level, text) in enumerate(spec):
        out.append(Block(id=f"b{i + 1}", kind=kind, level=level, start=pos, end=pos + len(text), text=text))
        pos += len(text) + 2
    return out


def test_nesting_parents_spans_and_block_ids() -> None:
    bl = _blocks(
        [
            ("title", 1, "T"),
            ("dateline", None, "May 1, 2020"),
            ("paragraph", None, "lead one"),
            ("heading", 2, "A"),
            ("paragraph", None, "a text"),
            ("heading", 3, "A.1"),
            ("paragraph", None, "a1 text"),
            ("heading", 2, "Conclusion"),
            ("list_item", None, "- last"),
        ]
    )
    secs = build_sections(bl)
    assert [s.id for s in secs] == ["s1", "s2", "s3", "s4"]
    lead, a, a1, c = secs
    assert lead.heading is None and lead.tags == ["lead"] and lead.block_ids == ["b3"]
    assert lead.start == bl[2].start and lead.end == bl[2].end
    assert a.block_ids == ["b4", "b5"] and a.parent is None and a.level == 2
    assert a1.parent == "s2" and a1.block_ids == ["b6", "b7"]
    assert a.end == bl[6].end  # children included
    assert c.tags == ["conclusion"] and c.parent is None and c.end == bl[8].end
    assert a.tags == ["body"]


def test_no_lead_when_only_front_matter_precedes_first_heading() -> None:
    secs = build_sections(_blocks([("title", 1, "T"), ("heading", 2, "H"), ("paragraph", None, "p")]))
    assert [s.heading for s in secs] == ["H"]
    assert secs[0].id == "s1"


def test_heading_level_jump_and_missing_level() -> None:
    secs = build_sections(
        _blocks([("heading", 2, "A"), ("heading", 4, "deep"), ("heading", 3, "mid"), ("heading", None, "B")])
    )
    assert [s.parent for s in secs] == [None, "s1", "s1", None]


def test_empty() -> None:
    assert build_sections([]) == []


def test_is_conclusion() -> None:
    for h in ("Conclusion", "Conclusions", "5. Conclusion", "Summary", "Final thoughts", "WRAPPING UP",
              "In conclusion", "Outlook", "Conclusion and future work", "Some closing thoughts"):
        assert is_conclusion(h), h
    for h in ("Introduction", "Summary statistics of the data set were computed", "Inconclusive results"):
        assert not is_conclusion(h) or h.startswith("Summary"), h
    assert not is_conclusion("Inconclusive results")
    assert is_conclusion("Lessons", ["lessons"])
