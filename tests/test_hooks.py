"""One test per hook spec (tests/test_docs.py insists): each hook is called with what its spec says.

The register hooks are exercised through :func:`pipeline.plugins.make_plugin_manager` with
plugin objects; the run hooks through ``copydesk run`` in-process (one worker, no cache), with
a recording plugin registered by the ``register_plugin`` fixture.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from pipeline import Document, Exporter, Reader, Source, Stage, hookimpl
from pipeline.plugins import make_plugin_manager

pytest_plugins = ["pipeline.testing"]


class LogReader(Reader):
    """Reads .log files as text."""

    name = "log_test"
    suffixes = (".log",)

    def read(self, raw: bytes, *, doc_id: str, path: str | None) -> Document:
        source = Source(path=path, sha256=hashlib.sha256(raw).hexdigest(), size_bytes=len(raw))
        return Document(id=doc_id, source=source, text=raw.decode("utf-8").upper())


class ShoutSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    suffix: str = "!"


class Shout(Stage):
    """Appends a metadata note."""

    name = "shout_test"
    Settings = ShoutSettings

    def process(self, doc: Document) -> Document:
        return doc.model_copy(update={"metadata": {**doc.metadata, "shout": "yes" + self.settings.suffix}})  # type: ignore[attr-defined]


class Explode(Stage):
    """Fails on documents containing BOOM."""

    name = "explode_test"

    def process(self, doc: Document) -> Document:
        if "BOOM" in doc.text:
            raise RuntimeError("boom")
        return doc


class WordsExporter(Exporter):
    """Writes the word count."""

    name = "words_test"
    suffix = ".words"

    def render(self, doc: Document) -> bytes:
        return f"{len(doc.text.split())}\n".encode()


class Registers:
    """A plugin object implementing the three register hooks."""

    @hookimpl
    def register_readers(self, register: Any) -> None:
        register(LogReader)

    @hookimpl
    def register_stages(self, register: Any) -> None:
        register(Shout)
        register(Explode)

    @hookimpl
    def register_exporters(self, register: Any) -> None:
        register(WordsExporter)


def _loaded():
    return make_plugin_manager(builtins=(), entry_points=False, plugin_objects=[("recorder", Registers())])


def test_hook_register_readers():
    entry = _loaded().registry.readers["log_test"]
    assert (entry.cls, entry.plugin) == (LogReader, "recorder")
    assert _loaded().registry.reader_for("x/app.LOG") == "log_test"


class PlainLogReader(LogReader):
    """Claims .txt and .log, as another plugin's reader."""

    name = "zz_text"  # sorts after the built-in "text": the name must not decide
    suffixes = (".txt", ".log")


def _readers_plugin(*readers: type[Reader]) -> object:
    class Plugin:
        @hookimpl
        def register_readers(self, register: Any) -> None:
            for reader in readers:
                register(reader)

    return Plugin()


def test_hook_register_readers_a_plugin_reader_replaces_the_built_in_reader_of_its_suffix():
    plain = _readers_plugin(PlainLogReader)
    registry = make_plugin_manager(entry_points=False, plugin_objects=[("plain", plain)]).registry
    assert registry.reader_for("notes/a.txt") == "zz_text"
    assert registry.reader_for("a.text") == "text"  # the suffixes it does not claim stay the built-in's


def test_hook_register_readers_a_jsonl_format_hint_is_read_as_a_suffix(register_plugin):
    from pipeline.build import build
    from pipeline.inputs import InputItem

    register_plugin(PlainLogReader, name="plain")
    pipeline = build(None).pipeline
    picks = {fmt: pipeline.reader_name(InputItem("d", None, raw=b"x", format=fmt)) for fmt in ("txt", "md", "text")}
    assert picks == {"txt": "zz_text", "md": "markdown", "text": "text"}


def test_hook_register_readers_two_plugins_claiming_one_suffix_is_a_registration_error():
    from pipeline.errors import RegistrationError

    with pytest.raises(RegistrationError) as info:
        make_plugin_manager(builtins=(), entry_points=False,
                            plugin_objects=[("a_logs", Registers()), ("b_plain", _readers_plugin(PlainLogReader))])
    assert str(info.value) == ("plugin b_plain: reader 'zz_text' claims '.log', which reader 'log_test' of plugin "
                               "a_logs claims too; one plugin's reader per suffix (a plugin's reader may replace "
                               "a built-in one)")


def test_hook_register_readers_suffixes_must_be_lower_case_with_the_dot():
    from pipeline.errors import RegistrationError

    class Upper(LogReader):
        """Upper-case suffix."""

        name = "upper"
        suffixes = (".LOG",)

    with pytest.raises(RegistrationError, match=r"reader 'upper' suffix '.LOG' must be lower case"):
        make_plugin_manager(builtins=(), entry_points=False, plugin_objects=[("up", _readers_plugin(Upper))])


def test_hook_register_stages():
    stages = _loaded().registry.stages
    assert sorted(stages) == ["explode_test", "shout_test"]
    assert stages["shout_test"].plugin == "recorder"


def test_hook_register_exporters():
    entry = _loaded().registry.exporters["words_test"]
    assert (entry.cls, entry.plugin) == (WordsExporter, "recorder")


def test_hook_register_stages_is_called_with_only_the_arguments_it_names():
    seen: list[str] = []

    class NoArgs:
        @hookimpl
        def register_stages(self) -> None:  # takes none of the offered arguments
            seen.append("called")

    make_plugin_manager(builtins=(), entry_points=False, plugin_objects=[("noargs", NoArgs())])
    assert seen == ["called"]


class Recorder:
    """Records the run hooks' calls."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, dict[str, Any]]] = []

    @hookimpl
    def pipeline_started(self, config: Any, inputs: list[str]) -> None:
        self.calls.append(("pipeline_started", {"config": config, "inputs": inputs}))

    @hookimpl
    def document_finished(self, document: Any, doc_id: str, status: str, error: str | None) -> None:
        self.calls.append(("document_finished", {"document": document, "doc_id": doc_id, "status": status,
                                                 "error": error}))

    @hookimpl
    def pipeline_finished(self, summary: Any) -> None:
        self.calls.append(("pipeline_finished", {"summary": summary}))


@pytest.fixture
def recorded_run(tmp_path, register_plugin, copydesk_cli):
    """Run two documents (one fails) with the recorder registered; return its calls."""
    recorder = Recorder()
    register_plugin(Registers(), name="components")
    register_plugin(recorder, name="recorder")
    (tmp_path / "a.txt").write_text("first document\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("BOOM goes the second\n", encoding="utf-8")
    config = tmp_path / "pipeline.yaml"
    config.write_text(
        "stages:\n  - name: shout_test\n    settings: {suffix: '?'}\n  - name: explode_test\n"
        "exporters:\n  - name: words_test\n",
        encoding="utf-8",
    )
    result = copydesk_cli("run", str(config), str(tmp_path / "a.txt"), str(tmp_path / "b.txt"),
                          "-o", str(tmp_path / "out"), "-j", "1", "--no-cache", "--progress", "none")
    assert result.exit_code == 1, result.stderr  # one document failed
    assert (tmp_path / "out" / "a.words").read_text() == "2\n"
    return recorder.calls


def test_hook_pipeline_started(recorded_run):
    started = [c for name, c in recorded_run if name == "pipeline_started"]
    assert len(started) == 1 and recorded_run[0][0] == "pipeline_started"
    config = started[0]["config"]
    assert [s["name"] for s in config["stages"]] == ["shout_test", "explode_test"]
    assert config["stages"][0]["settings"] == {"suffix": "?"}
    json.dumps(config)  # plain data
    assert [i.rsplit("/", 1)[-1] for i in started[0]["inputs"]] == ["a.txt", "b.txt"]


def test_hook_document_finished(recorded_run):
    finished = [c for name, c in recorded_run if name == "document_finished"]
    assert [(c["status"], c["error"] is None) for c in finished] == [("ok", True), ("failed", False)]
    assert finished[0]["doc_id"] != finished[1]["doc_id"]
    assert "explode_test" in finished[1]["error"] and "boom" in finished[1]["error"]
    assert finished[1]["document"] is None
    ok_doc = finished[0]["document"]
    assert isinstance(ok_doc, Document) and ok_doc.metadata["shout"] == "yes?"
    assert [r.name for r in ok_doc.stages] == ["shout_test", "explode_test"]


def test_hook_pipeline_finished(recorded_run):
    assert recorded_run[-1][0] == "pipeline_finished"
    summary = recorded_run[-1][1]["summary"]
    assert (summary["ok"], summary["failed"], summary["documents"]) == (1, 1, 2)
    assert isinstance(summary["seconds"], float) and summary["seconds"] >= 0


def test_hook_document_finished_is_not_called_for_documents_fail_fast_left_out(tmp_path, register_plugin,
                                                                                copydesk_cli):
    recorder = Recorder()
    register_plugin(Registers(), name="components")
    register_plugin(recorder, name="recorder")
    for name, text in (("a", "BOOM first\n"), ("b", "second\n"), ("c", "third\n"), ("d", "fourth\n")):
        (tmp_path / f"{name}.txt").write_text(text, encoding="utf-8")
    config = tmp_path / "pipeline.yaml"
    config.write_text("stages:\n  - name: explode_test\nexporters:\n  - name: words_test\n", encoding="utf-8")
    result = copydesk_cli("run", str(config), *(str(tmp_path / f"{n}.txt") for n in "abcd"), "-o",
                          str(tmp_path / "out"), "-j", "1", "--no-cache", "--fail-fast", "--progress", "none")
    assert result.exit_code == 1, result.stderr
    finished = [c["status"] for name, c in recorder.calls if name == "document_finished"]
    summary = recorder.calls[-1][1]["summary"]
    assert "not-run" not in finished and finished[0] == "failed"
    assert summary["not-run"] == 4 - len(finished) > 0
