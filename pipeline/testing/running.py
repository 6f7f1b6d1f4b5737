"""Running stages, pipelines and the CLI in tests, with the runner's own checks."""


from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

from pydantic import BaseModel

from pipeline.config import LoadedConfig, PipelineConfig, ResolvedPipeline, ResolvedStep, resolve
from pipeline.errors import CopydeskError, StageError
from pipeline.hookspecs import hookimpl
from pipeline.model import Document
from pipeline.registry import Component, Entry, Exporter, Reader, Registry, Stage
from pipeline.runner import DEFAULT_READER, Pipeline
from pipeline.testing.documents import document_from_text
from pipeline.yamlload import load_yaml


def single_stage_pipeline(stage: type[Stage], settings: BaseModel, plugin: str = "test") -> Pipeline:
    """A pipeline of just ``stage`` (registered as by plugin ``plugin``), for :meth:`Pipeline.run_stages`."""
    step = ResolvedStep(stage.name, Entry(stage, plugin, "0"), settings)
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
    return single_stage_pipeline(stage, settings).run_stages(doc)


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


