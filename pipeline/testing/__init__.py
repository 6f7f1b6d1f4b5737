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

* ``make_document`` -- :func:`document_from_text`: a document with blocks, sections and
  ``metadata["title"]`` from Markdown-like text, shaped as a reader plus the ``sections`` stage
  would give it (built directly: no stage records);
* ``run_stage`` -- :func:`run_stage`: one stage on one document, checked like the runner does;
* ``run_pipeline`` -- :func:`run_pipeline`: a whole config (mapping or YAML) on one text;
* ``register_plugin`` -- register a plugin module, object or component class for one test; the
  CLI and :func:`pipeline.plugins.make_plugin_manager` see it until the test ends;
* ``copydesk_cli`` -- invoke the ``copydesk`` command in-process: ``(exit_code, stdout, stderr)``.

The helpers live in :mod:`pipeline.testing.documents` (building documents),
:mod:`pipeline.testing.running` (stages, pipelines, the CLI) and :mod:`pipeline.testing.contract`
(the contract suite); import them from here. Nothing here is imported by the pipeline itself;
pytest and click are needed only when the fixtures are used. The checks raise their own
errors instead of using ``assert``, so the package opts out of pytest's assertion rewriting
(PYTEST_DONT_REWRITE) and may be imported before it is named in ``pytest_plugins``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest

from pipeline.model import Document
from pipeline.registry import Component
from pipeline.testing.contract import StageContractError, check_stage_contract, stage_contract_problems
from pipeline.testing.documents import FIXTURE_PROVIDES, document_from_text
from pipeline.testing.running import CliResult, copydesk_cli, plugin_for, run_pipeline, run_stage

__all__ = [
    "FIXTURE_PROVIDES",
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
