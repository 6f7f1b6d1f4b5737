"""Test helpers for plugin authors: pytest fixtures and a one-line stage contract suite.

Opt in from a test module or ``conftest.py``::

    pytest_plugins = ["pipeline.testing"]

    def test_my_stage(make_document, run_stage):
        doc = make_document("# Title\\n\\nIntro.\\n\\n## Coffee\\n\\nWe brew coffee.")
        out = run_stage(MyStage, doc, {"words": ["coffee"]})
        assert "mentions:coffee" in out.sections[1].tags

    def test_contract():
        check_stage_contract(MyStage, {"words": ["coffee"]})

Fixtures (each returns a function):

* ``make_document`` -- :func:`document_from_text`: a document with blocks and sections from
  Markdown-like text, as a reader plus the ``sections`` stage would give it;
* ``run_stage`` -- :func:`run_stage`: one stage on one document, checked like the runner does;
* ``run_pipeline`` -- :func:`run_pipeline`: a whole config (mapping or YAML) on one text;
* ``register_plugin`` -- register a plugin module, object or component class for one test; the
  CLI and :func:`pipeline.plugins.make_plugin_manager` see it until the test ends;
* ``copydesk_cli`` -- invoke the ``copydesk`` command in-process: ``(exit_code, stdout, stderr)``.

Nothing here is imported by the pipeline itself; pytest and click are needed only when the
fixtures are used. The checks raise their own errors instead of using ``assert``, so the module
opts out of pytest's assertion rewriting (PYTEST_DONT_REWRITE) and may be imported before it
is named in ``pytest_plugins``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest
from pydantic import BaseModel

from pipeline.config import LoadedConfig, ResolvedPipeline, ResolvedStep, resolve
from pipeline.errors import CopydeskError, StageError
from pipeline.hookspecs import hookimpl
from pipeline.model import Block, Diagnostic, Document, Keyphrase, Section, Source, StageRecord, Theme
from pipeline.registry import Component, Entry, Exporter, Reader, Registry, Stage
from pipeline.runner import DEFAULT_READER, Pipeline
from pipeline.yamlload import load_yaml

__all__ = [
    "CliResult",
    "StageContractError",
    "check_stage_contract",
    "copydesk_cli",
    "document_from_text",
    "make_document",
    "plugin_for",
    "register_plugin",
    "run_pipeline",
    "run_stage",
    "stage_contract_problems",
]

# What document_from_text gives a stage, so requirements on these are met without other stages.
FIXTURE_PROVIDES: tuple[str, ...] = ("text", "source", "blocks", "sections")

_HEADING = re.compile(r"^(#{1,6})[ \t]+(.*?)[ \t#]*$")
_LIST_ITEM = re.compile(r"^(?:[-*+]|\d+[.)])[ \t]+")


# --------------------------------------------------------------------------------------------
# Building documents


def document_from_text(text: str, doc_id: str = "doc", *, structure: bool = True) -> Document:
    """Build a document from Markdown-like text, as a reader and the ``sections`` stage would.

    Paragraphs are separated by blank lines. A paragraph ``# Title`` becomes a ``title`` block
    (level 1), ``## Heading`` a ``heading`` block of level 2 (one per ``#``); the ``#`` marks are
    removed from :attr:`Document.text`, so spans point at the heading words. Paragraphs starting
    with ``-``, ``*`` or ``1.`` are ``list_item`` blocks, everything else ``paragraph``.

    With ``structure`` the document also has sections: a lead section (tag ``lead``, heading
    ``None``) for the blocks before the first heading, then one section per heading (tag
    ``body``) nested by level; ``Section.end`` covers the subsections.

    :param text: the source text; ``\\r\\n`` is normalised to ``\\n``.
    :param doc_id: the document id.
    :param structure: add blocks and sections (``False``: text only, as the plain-text reader).
    :returns: a valid document (media type ``text/markdown``); block ids ``b0, b1 ...``,
        section ids ``s0, s1 ...`` in document order.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if not structure:
        return Document(id=doc_id, source=Source(media_type="text/plain"), text=text)
    parts: list[str] = []
    blocks: list[Block] = []
    pos = 0
    for para in re.split(r"\n[ \t]*\n+", text.strip("\n")):
        para = para.strip()
        if not para:
            continue
        kind: Any = "paragraph"
        level: int | None = None
        heading = _HEADING.match(para) if "\n" not in para else None
        if heading:
            level = len(heading.group(1))
            kind = "title" if level == 1 else "heading"
            para = heading.group(2)
        elif _LIST_ITEM.match(para):
            kind = "list_item"
        if parts:
            parts.append("\n\n")
            pos += 2
        blocks.append(Block(id=f"b{len(blocks)}", kind=kind, level=level, start=pos, end=pos + len(para), text=para))
        parts.append(para)
        pos += len(para)
    out_text = "".join(parts) + ("\n" if parts else "")
    return Document(
        id=doc_id,
        source=Source(media_type="text/markdown"),
        text=out_text,
        blocks=blocks,
        sections=_sections(blocks),
    )


def _sections(blocks: Sequence[Block]) -> list[Section]:
    sections: list[Section] = []
    stack: list[Section] = []
    for block in blocks:
        if block.kind == "heading":
            stack = [s for s in stack if s.level is not None and s.level < (block.level or 2)]
            parent = stack[-1].id if stack else None
            section = Section(
                id=f"s{len(sections)}", heading=block.text, level=block.level, parent=parent,
                start=block.start, end=block.end, block_ids=[block.id], tags=["body"],
            )
            sections.append(section)
            stack.append(section)
        elif block.kind != "title":
            if not stack:
                lead = Section(id=f"s{len(sections)}", start=block.start, end=block.end, tags=["lead"])
                sections.append(lead)
                stack.append(lead)
            stack[-1].block_ids.append(block.id)
        for open_section in stack:
            open_section.end = max(open_section.end, block.end)
    return sections


# --------------------------------------------------------------------------------------------
# Running stages and pipelines


def _single_stage_pipeline(stage: type[Stage], settings: BaseModel, plugin: str = "test") -> Pipeline:
    step = ResolvedStep(stage.name, Entry(stage, plugin, "0"), settings)
    from pipeline.config import PipelineConfig

    resolved = ResolvedPipeline(PipelineConfig(stages=[]), {}, [step], [], None)
    return Pipeline(resolved, Registry())


def run_stage(
    stage: type[Stage], doc: Document | str, settings: Mapping[str, Any] | BaseModel | None = None
) -> Document:
    """Run one stage on one document with the runner's own checks.

    :param stage: the stage class (it need not be registered).
    :param doc: a document, or text turned into one by :func:`document_from_text`.
    :param settings: a mapping validated by ``stage.Settings`` (defaults when ``None``) or a
        settings instance.
    :returns: the stage's output, with its :class:`~pipeline.model.StageRecord` appended.
    :raises pydantic.ValidationError: the settings are invalid.
    :raises StageError: the stage raised, returned something that is not a document, or broke a
        span invariant (the message names the stage).
    """
    if isinstance(doc, str):
        doc = document_from_text(doc)
    if not isinstance(settings, BaseModel):
        settings = stage.Settings.model_validate(dict(settings or {}))
    return _single_stage_pipeline(stage, settings).run_stages(doc)


def _loaded_config(config: Mapping[str, Any] | str) -> LoadedConfig:
    if isinstance(config, str):
        data, lines = load_yaml(config, "<test config>")
        if not isinstance(data, dict):
            raise TypeError("the test config must be a YAML mapping")
        return LoadedConfig(data, "<test config>", lines)
    return LoadedConfig(dict(config), "<test config>", {})


def run_pipeline(
    config: Mapping[str, Any] | str, text: str, *, doc_id: str = "doc", path: str = "doc.txt"
) -> Document:
    """Run a whole pipeline config on one input text, reading it like ``copydesk run`` would.

    Plugins come from the built-ins, entry points (``COPYDESK_PLUGINS`` applies), the config's
    ``plugins:`` list and plugins registered with the ``register_plugin`` fixture.

    :param config: the config as a mapping or YAML text (``inputs`` and ``exporters`` may be
        omitted; exporters are not run).
    :param text: the input text.
    :param path: the file name the text pretends to come from: its suffix picks the reader as for
        ``copydesk run`` (``.md`` Markdown, ``.html``, a plugin's own suffixes; plain text
        otherwise) and it becomes ``Document.source.path``. Nothing is read from disk.
    :returns: the document after the last stage.
    :raises pipeline.errors.ConfigError: the config is invalid (as ``copydesk validate`` says).
    :raises StageError: reading or a stage failed.
    """
    from pipeline.build import load_plugins_for

    loaded = _loaded_config(config)
    plugins = load_plugins_for(loaded)
    resolved = resolve(loaded, plugins.registry, sorted(plugins.failures))
    pipeline = Pipeline(resolved, plugins.registry)
    # Read in memory with the reader ``copydesk run`` would pick for a file named ``path``.
    reader = plugins.registry.reader_for(path) or DEFAULT_READER
    if reader not in pipeline.readers:
        raise StageError("read", reader, f"no reader for {path!r}")
    try:
        doc = pipeline.readers[reader].read(text.encode("utf-8"), doc_id=doc_id, path=path)
    except CopydeskError:
        raise
    except Exception as err:  # noqa: BLE001 - reported like the runner does
        raise StageError("read", reader, f"{type(err).__name__}: {err}") from err
    return pipeline.run_stages(doc)


def plugin_for(*components: type[Component]) -> SimpleNamespace:
    """A plugin object whose ``register_*`` hooks register ``components``.

    :param components: reader, stage and exporter classes, in any mix.
    :returns: an object to pass to ``register_plugin`` or ``make_plugin_manager(plugin_objects=...)``.
    :raises TypeError: a component that is not a Reader, Stage or Exporter subclass.
    """
    kinds: dict[str, list[type[Component]]] = {"readers": [], "stages": [], "exporters": []}
    for cls in components:
        for kind, base in (("readers", Reader), ("stages", Stage), ("exporters", Exporter)):
            if isinstance(cls, type) and issubclass(cls, base):
                kinds[kind].append(cls)
                break
        else:
            raise TypeError(f"{cls!r} is not a Reader, Stage or Exporter subclass")
    hooks: dict[str, Callable[..., None]] = {}
    for kind, classes in kinds.items():
        if classes:

            def hook(register: Callable[[type[Component]], None], _classes: list[type[Component]] = classes) -> None:
                for cls in _classes:
                    register(cls)

            hooks["register_" + kind] = hookimpl(hook)
    return SimpleNamespace(**hooks)


@dataclass
class CliResult:
    """What an in-process ``copydesk`` invocation produced."""

    exit_code: int
    stdout: str
    stderr: str


def copydesk_cli(*args: str, input: str | None = None) -> CliResult:
    """Invoke ``copydesk ARGS...`` in-process (plugins from ``register_plugin`` included).

    :returns: exit code, standard output and standard error as text.
    """
    from click.testing import CliRunner

    from pipeline.cli import main

    result = CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)
    return CliResult(result.exit_code, result.stdout, result.stderr)


# --------------------------------------------------------------------------------------------
# The stage contract suite


class StageContractError(AssertionError):
    """A stage broke its contract; the message lists every problem, one per line.

    :ivar problems: the problems found.
    """

    def __init__(self, stage: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"stage {stage!r} breaks its contract:\n" + "\n".join(f"- {p}" for p in problems))


SAMPLE_TEXT = (
    "# Café notes\n\n"
    "An introduction to naïve brewing — with an emoji ☕ and 😀 outside the BMP.\n\n"
    "## Brewing coffee\n\n"
    "Water, coffee and patience. Coffee beans are ground before brewing.\n\n"
    "- grind the beans\n\n"
    "### Temperature\n\n"
    "Water just off the boil extracts coffee well.\n\n"
    "## Conclusion\n\n"
    "Good coffee needs fresh beans and clean water."
)
HEADINGS_ONLY_TEXT = "# Title\n\n## One\n\n## Two\n\n### Two point one"


def _sample_documents() -> dict[str, Document]:
    sample = document_from_text(SAMPLE_TEXT, "sample")
    # What earlier stages wrote, which the stage under test must keep.
    sample.metadata["earlier"] = "kept"
    sample.sections[1].tags.append("earlier-tag")
    start = sample.text.index("coffee")
    sample.themes.append(Theme(
        id="t0", label="coffee", score=0.5, section_ids=[sample.sections[1].id],
        keyphrases=[Keyphrase(text="coffee", score=0.5, mentions=[(start, start + 6)])],
    ))
    sample.diagnostics.append(Diagnostic(stage="earlier", level="info", code="earlier", message="kept"))
    sample.stages.append(StageRecord(name="earlier", plugin="test", version="0"))
    return {
        "empty document": Document(id="empty", text=""),
        "headings-only document": document_from_text(HEADINGS_ONLY_TEXT, "headings"),
        "plain-text document": document_from_text(SAMPLE_TEXT, "plain", structure=False),
        "sample document": sample,
    }


def _dropped(before: Document, after: Document, provides: Iterable[str]) -> list[str]:
    """What ``after`` lost of ``before`` that the stage does not claim to provide."""
    provided = set(provides)
    lost: list[str] = []
    if after.text != before.text:
        lost.append("changed Document.text (spans of earlier stages would point at the wrong characters)")
    if after.source != before.source:
        lost.append("changed Document.source")
    missing_meta = sorted(set(before.metadata) - set(after.metadata))
    if missing_meta:
        lost.append(f"dropped metadata keys {missing_meta}")
    if after.diagnostics[: len(before.diagnostics)] != before.diagnostics:
        lost.append("dropped or changed earlier diagnostics")
    if after.stages[: len(before.stages)] != before.stages:
        lost.append("dropped or changed earlier stage records")
    if "blocks" not in provided and [b.model_dump() for b in after.blocks] != [b.model_dump() for b in before.blocks]:
        lost.append("changed blocks without providing 'blocks'")
    if "sections" not in provided:
        after_sections = {s.id: s for s in after.sections}
        for s in before.sections:
            got = after_sections.get(s.id)
            if got is None or (got.start, got.end, got.parent) != (s.start, s.end, s.parent):
                lost.append(f"dropped or moved section {s.id} without providing 'sections'")
            elif not set(s.tags) <= set(got.tags):
                lost.append(f"dropped tags {sorted(set(s.tags) - set(got.tags))} of section {s.id}")
    if "themes" not in provided:
        missing_themes = sorted({t.id for t in before.themes} - {t.id for t in after.themes})
        if missing_themes:
            lost.append(f"dropped themes {missing_themes} without providing 'themes'")
    return lost


def stage_contract_problems(
    stage: type[Stage],
    settings: Mapping[str, Any] | None = None,
    *,
    before: Sequence[type[Stage] | tuple[type[Stage], Mapping[str, Any]]] = (),
    documents: Mapping[str, Document] | None = None,
) -> list[str]:
    """Check ``stage`` against the stage contract; return the problems (empty when it holds).

    The contract: the stage has a name and a docstring; its ``Settings`` is a pydantic model
    that forbids unknown keys, has a JSON Schema and validates ``settings``; on an empty
    document, a headings-only document, a plain-text document (no blocks) and a sample with
    non-ASCII text it returns a valid :class:`~pipeline.model.Document` (spans in bounds), the
    same output on a second run and from a fresh instance (deterministic), and keeps what
    earlier stages wrote (text, source, metadata keys, diagnostics, stage records, and the
    blocks, sections and section tags, themes it does not itself ``provide``).

    Documents whose content the stage ``requires`` but neither the fixtures
    (:data:`FIXTURE_PROVIDES`) nor ``before`` provide are skipped with a problem saying so.

    :param stage: the stage class.
    :param settings: settings for the stage (defaults when ``None``).
    :param before: stages (or ``(stage, settings)`` pairs) run first on each document, e.g.
        the stage that provides what this one requires.
    :param documents: extra ``{description: document}`` inputs to check as well.
    :returns: human-readable problems, one per broken rule and document.
    """
    problems: list[str] = []
    if not stage.name or not re.fullmatch(r"[a-z][a-z0-9_]*", stage.name):
        problems.append(f"name {stage.name!r} is not a snake_case identifier")
    if not stage.summary():
        problems.append("has no docstring (its first line is what `copydesk plugins` shows)")
    model = getattr(stage, "Settings", None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return [*problems, "Settings is not a pydantic model"]
    if model.model_config.get("extra") != "forbid":
        problems.append("Settings does not forbid unknown keys (model_config = ConfigDict(extra='forbid'))")
    try:
        schema = model.model_json_schema()
        if schema.get("type") != "object":
            problems.append("Settings JSON Schema is not an object schema")
    except Exception as err:  # noqa: BLE001 - reported, not raised
        problems.append(f"Settings has no JSON Schema: {type(err).__name__}: {err}")
    try:
        parsed = model.model_validate(dict(settings or {}))
    except Exception as err:  # noqa: BLE001
        return [*problems, f"settings {dict(settings or {})!r} are invalid: {err}"]

    upstream: list[tuple[type[Stage], BaseModel]] = []
    for item in before:
        cls, raw = item if isinstance(item, tuple) else (item, {})
        upstream.append((cls, cls.Settings.model_validate(dict(raw))))
    provided_upstream = {p for cls, _ in upstream for p in cls.provides}

    docs = {**_sample_documents(), **(documents or {})}
    for label, doc in docs.items():
        has = set(FIXTURE_PROVIDES if doc.blocks or not doc.text else ("text", "source")) | provided_upstream
        unmet = [r for r in stage.requires if r not in has]
        if unmet:
            if label == "sample document":
                problems.append(f"cannot check: requires {unmet}; pass before=[a stage that provides it]")
            continue
        try:
            for cls, up_settings in upstream:
                doc = _single_stage_pipeline(cls, up_settings, "upstream").run_stages(doc)
        except StageError as err:
            problems.append(f"{label}: an upstream stage failed: {err}")
            continue
        problems.extend(f"{label}: {p}" for p in _check_on(stage, parsed, doc))
    return problems


def _check_on(stage: type[Stage], settings: BaseModel, doc: Document) -> list[str]:
    pipeline = _single_stage_pipeline(stage, settings)
    try:
        first = pipeline.run_stages(doc.model_copy(deep=True))
        again = pipeline.run_stages(doc.model_copy(deep=True))
        fresh = _single_stage_pipeline(stage, settings).run_stages(doc.model_copy(deep=True))
    except StageError as err:
        return [str(err)]
    out: list[str] = []
    dump = first.model_dump(mode="json")
    if again.model_dump(mode="json") != dump or fresh.model_dump(mode="json") != dump:
        out.append("not deterministic: the same input gave different documents")
    out.extend(_dropped(doc, first, stage.provides))
    return out


def check_stage_contract(
    stage: type[Stage],
    settings: Mapping[str, Any] | None = None,
    *,
    before: Sequence[type[Stage] | tuple[type[Stage], Mapping[str, Any]]] = (),
    documents: Mapping[str, Document] | None = None,
) -> None:
    """Assert the stage contract in one line: ``check_stage_contract(MyStage)``.

    Same arguments as :func:`stage_contract_problems`.

    :raises StageContractError: listing every problem found (an :class:`AssertionError`, so
        pytest shows it as a test failure).
    """
    problems = stage_contract_problems(stage, settings, before=before, documents=documents)
    if problems:
        raise StageContractError(stage.name, problems)


# --------------------------------------------------------------------------------------------
# pytest fixtures


@pytest.fixture
def make_document() -> Callable[..., Document]:
    """:func:`document_from_text` (``make_document(text, doc_id="doc", structure=True)``)."""
    return document_from_text


@pytest.fixture(name="run_stage")
def run_stage_fixture() -> Callable[..., Document]:
    """:func:`run_stage` (``run_stage(StageClass, doc_or_text, settings=None)``)."""
    return run_stage


@pytest.fixture(name="run_pipeline")
def run_pipeline_fixture() -> Callable[..., Document]:
    """:func:`run_pipeline` (``run_pipeline(config, text, doc_id="doc", path="doc.txt")``)."""
    return run_pipeline


@pytest.fixture
def register_plugin(monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., str]]:
    """Register a plugin for this test only: ``register_plugin(obj_or_component, name=None)``.

    ``obj`` is a plugin module or object with ``@hookimpl`` functions, or Reader/Stage/Exporter
    classes (wrapped by :func:`plugin_for`). Every plugin manager built during the test (the
    CLI, :func:`run_pipeline`) includes it. Returns the plugin name (default ``test_plugin_N``).
    """
    from pipeline import plugins

    added: list[tuple[str, object]] = []
    monkeypatch.setattr(plugins, "FIXTURE_PLUGINS", added)

    def register(*objs: object, name: str | None = None) -> str:
        classes = [o for o in objs if isinstance(o, type) and issubclass(o, Component)]
        obj: object = plugin_for(*classes) if classes else objs[0]
        if classes and len(classes) != len(objs) or not classes and len(objs) != 1:
            raise TypeError("pass one plugin object, or one or more component classes")
        pname = name or f"test_plugin_{len(added) + 1}"
        added.append((pname, obj))
        return pname

    yield register


@pytest.fixture(name="copydesk_cli")
def copydesk_cli_fixture() -> Callable[..., CliResult]:
    """:func:`copydesk_cli` (``copydesk_cli("stages", "wordlist")``)."""
    return copydesk_cli
