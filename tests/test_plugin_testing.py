"""The fixtures pipeline.testing gives plugin authors behave as documented."""

from __future__ import annotations

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from pipeline import Document, Reader, Source, Stage, StageError
from pipeline import plugins as plugins_module
from pipeline.plugins import make_plugin_manager
from pipeline.testing import document_from_text, plugin_for

pytest_plugins = ["pipeline.testing"]


class CountSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    key: str = "words"


class Count(Stage):
    """Counts words into the metadata."""

    name = "count_test"
    Settings = CountSettings

    def process(self, doc: Document) -> Document:
        key = self.settings.key  # type: ignore[attr-defined]
        return doc.model_copy(update={"metadata": {**doc.metadata, key: len(doc.text.split())}})


class NotADocument(Stage):
    """Returns a string."""

    name = "not_a_document"

    def process(self, doc: Document) -> Document:
        return "oops"  # type: ignore[return-value]


def test_make_document_blocks_and_spans(make_document):
    doc = make_document(
        "# Title\r\n\r\nIntro text.\n\n## Part one\n\n- item\n\n### Deeper\n\nBody.\n\n\n## Part two ##\n"
    )
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("title", 1, "Title"), ("paragraph", None, "Intro text."), ("heading", 2, "Part one"),
        ("list_item", None, "- item"), ("heading", 3, "Deeper"), ("paragraph", None, "Body."),
        ("heading", 2, "Part two"),
    ]
    assert all(doc.text[b.start:b.end] == b.text for b in doc.blocks)
    assert "#" not in doc.text and "\r" not in doc.text
    assert doc.source.media_type == "text/markdown"


def test_make_document_sections(make_document):
    doc = make_document("# Title\n\nIntro text.\n\n## Part one\n\n- item\n\n### Deeper\n\nBody.\n\n## Part two\n\nEnd.")
    lead, one, deeper, two = doc.sections
    assert (lead.heading, lead.tags, lead.block_ids) == (None, ["lead"], ["b1"])
    assert (lead.start, lead.end) == (doc.blocks[1].start, doc.blocks[1].end)
    assert (one.heading, one.level, one.parent, one.block_ids) == ("Part one", 2, None, ["b2", "b3"])
    assert (deeper.parent, deeper.block_ids) == (one.id, ["b4", "b5"])
    assert one.end == deeper.end == doc.blocks[5].end  # a section spans its subsections
    assert (two.parent, two.tags, two.end) == (None, ["body"], doc.blocks[-1].end)


def test_make_document_without_structure_and_empty(make_document):
    plain = make_document("Just text.\n", structure=False)
    assert (plain.text, plain.blocks, plain.sections) == ("Just text.\n", [], [])
    empty = make_document("")
    assert (empty.text, empty.blocks, empty.sections) == ("", [], [])
    headings = make_document("## A\n\n## B")
    assert [s.heading for s in headings.sections] == ["A", "B"]


def test_run_stage_records_the_stage_and_validates_settings(run_stage):
    out = run_stage(Count, "one two three", {"key": "n"})
    assert out.metadata["n"] == 3
    assert [(r.name, r.plugin) for r in out.stages] == [("count_test", "test")]
    with pytest.raises(ValidationError):
        run_stage(Count, "text", {"nope": 1})


def test_run_stage_checks_like_the_runner(run_stage):
    with pytest.raises(StageError, match="stage not_a_document .*returned str, not a Document"):
        run_stage(NotADocument, "text")


def test_run_pipeline_with_a_registered_stage(register_plugin, run_pipeline):
    register_plugin(Count)
    doc = run_pipeline("stages:\n  - name: count_test\n    settings: {key: total}\n", "a b c d\n", doc_id="x")
    assert (doc.id, doc.metadata["total"]) == ("x", 4)
    doc2 = run_pipeline({"stages": [{"name": "sections"}, {"name": "count_test"}]}, "Title\n\nSome words here.\n")
    assert doc2.sections and doc2.metadata["words"] == 4
    assert [r.name for r in doc2.stages] == ["sections", "count_test"]


def test_run_pipeline_reports_config_errors(run_pipeline):
    from pipeline import ConfigError

    with pytest.raises(ConfigError, match="no stage 'count_tset'"):
        run_pipeline({"stages": [{"name": "count_tset"}]}, "text")


def test_register_plugin_is_seen_by_every_manager_then_forgotten(register_plugin):
    assert plugins_module.FIXTURE_PLUGINS == []
    name = register_plugin(Count)
    assert make_plugin_manager(entry_points=False).registry.stages["count_test"].plugin == name
    named = register_plugin(plugin_for(NotADocument), name="custom")
    assert named == "custom"
    assert "not_a_document" in make_plugin_manager(entry_points=False).registry.stages


def test_register_plugin_leaves_nothing_behind():
    assert plugins_module.FIXTURE_PLUGINS == []
    assert "count_test" not in make_plugin_manager(entry_points=False).registry.stages


def test_plugin_for_rejects_non_components():
    with pytest.raises(TypeError, match="is not a Reader, Stage or Exporter subclass"):
        plugin_for(dict)  # type: ignore[arg-type]


def test_document_from_text_is_importable_without_fixtures():
    assert document_from_text("## A").sections[0].heading == "A"


def test_the_pipeline_never_imports_the_test_helpers():
    import subprocess
    import sys

    code = ("import sys, pipeline, pipeline.cli, pipeline.build, pipeline.plugins; "
            "pipeline.plugins.make_plugin_manager(); print('pipeline.testing' in sys.modules, 'pytest' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "False"]



class ShoutReader(Reader):
    """Reads .shout files upper-cased."""

    name = "shout_reader_test"
    suffixes = (".shout",)

    def read(self, raw: bytes, *, doc_id: str, path: str | None) -> Document:
        return Document(id=doc_id, source=Source(path=path), text=raw.decode().upper())


def test_run_pipeline_picks_the_reader_by_suffix(register_plugin, run_pipeline):
    register_plugin(ShoutReader)
    doc = run_pipeline({"stages": []}, "quiet words", path="notes.shout")
    assert (doc.text, doc.source.path) == ("QUIET WORDS", "notes.shout")
    plain = run_pipeline({"stages": []}, "quiet words")
    assert (plain.text, plain.source.path, plain.source.media_type) == ("quiet words", "doc.txt", "text/plain")


def test_make_document_sets_the_title_like_a_reader(make_document):
    doc = make_document("# The Title\n\nIntro.\n\n## Part\n\nBody.")
    assert doc.metadata == {"title": "The Title"}
    assert make_document("Intro only.").metadata == {}
