"""The ``sections`` stage and its registration."""

from __future__ import annotations

import pluggy
import pytest
from pydantic import ValidationError

from pipeline import Block, Document, Stage
from pipeline.hookspecs import PROJECT
from pipeline.registry import Registry
from plugins import sections as plugin
from plugins.sections import SectionTagger

TEXT = (
    "Title Of Doc\nJune 3, 2026\n\nOpening paragraph of the document, with a full stop.\n\n\n"
    "First Part\n\nBody text of the first part, with a full stop at the end.\n\n\n"
    "Wrapping up\n\nThe last words of the document, with a full stop too.\n"
)


def test_process_plain_text() -> None:
    doc = Document(id="d", text=TEXT)
    out = SectionTagger().process(doc)
    assert out is not doc and doc.blocks == [] and doc.sections == []
    assert out.metadata == {"title": "Title Of Doc", "date": "2026-06-03"}
    assert [b.id for b in out.blocks] == [f"b{i + 1}" for i in range(len(out.blocks))]
    assert all(b.text == out.text[b.start : b.end] for b in out.blocks)
    assert [s.tags for s in out.sections] == [["lead"], ["body"], ["conclusion"]]
    assert out.stages == []
    out.check()


def test_reader_metadata_not_overwritten() -> None:
    doc = Document(id="d", text=TEXT, metadata={"title": "From Reader", "date": "2000-01-01"})
    out = SectionTagger().process(doc)
    assert out.metadata == {"title": "From Reader", "date": "2000-01-01"}


def test_existing_blocks_are_kept() -> None:
    text = "Intro\n\nHello there."
    blocks = [
        Block(id="x1", kind="heading", level=2, start=0, end=5, text="Intro"),
        Block(id="x2", kind="paragraph", start=7, end=19, text="Hello there."),
    ]
    out = SectionTagger().process(Document(id="d", text=text, blocks=blocks))
    assert [b.id for b in out.blocks] == ["x1", "x2"]
    assert len(out.sections) == 1 and out.sections[0].block_ids == ["x1", "x2"]


def test_settings() -> None:
    st = SectionTagger.Settings(detect_dateline=False, conclusion_headings=["first part"])
    out = SectionTagger(st).process(Document(id="d", text=TEXT))
    assert "date" not in out.metadata
    assert not any(b.kind == "dateline" for b in out.blocks)
    assert [s.tags for s in out.sections] == [["lead"], ["conclusion"], ["body"]]
    with pytest.raises(ValidationError):
        SectionTagger.Settings(bogus=1)  # type: ignore[call-arg]


def test_diagnostics() -> None:
    out = SectionTagger().process(Document(id="d", text="just some words without any structure at all."))
    codes = {d.code for d in out.diagnostics}
    assert "no-title" in codes or "no-headings" in codes
    assert all(d.stage == "sections" for d in out.diagnostics)
    amb = SectionTagger().process(Document(id="d", text="Title\n03/04/2020\n\nSome text here, fine.\n"))
    assert "ambiguous-date" in {d.code for d in amb.diagnostics}
    assert "date" not in amb.metadata


def test_class_contract() -> None:
    assert SectionTagger.name == "sections"
    assert SectionTagger.requires == ("text",)
    assert SectionTagger.provides == ("blocks", "sections")
    assert issubclass(SectionTagger, Stage)


def test_hook_registers_stage() -> None:
    pm = pluggy.PluginManager(PROJECT)
    from pipeline import hookspecs

    pm.add_hookspecs(hookspecs)
    pm.register(plugin, name="sections")
    reg = Registry()
    pm.hook.register_stages(register=lambda cls: reg.add("stage", cls, "sections", "0"))
    assert reg.stages["sections"].cls is SectionTagger
