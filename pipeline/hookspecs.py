"""Hook specifications: the whole contract between copydesk's core and its plugins.

Plugin authors import the marker from the package: ``from pipeline import hookimpl``. The
``register_*`` hooks hand the plugin a ``register`` callback, so one hook implementation can
register any number of components; names must be unique across all plugins. Order of
execution is never taken from plugin load order: stage order lives in the pipeline config.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from pipeline.model import Document
    from pipeline.registry import Exporter, Reader, Stage

PROJECT = "copydesk"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_readers(register: Callable[[type[Reader]], None]) -> None:
    """Register reader classes.

    :param register: call it once per :class:`~pipeline.registry.Reader` subclass,
        e.g. ``register(PlainTextReader)``. A name already taken raises
        :class:`~pipeline.errors.RegistrationError` naming both plugins.
    :return: nothing; return values are ignored.
    """


@hookspec
def register_stages(register: Callable[[type[Stage]], None]) -> None:
    """Register stage classes.

    :param register: call it once per :class:`~pipeline.registry.Stage` subclass,
        e.g. ``register(SectionTagger)``. Duplicate names are an error.
    :return: nothing; return values are ignored.
    """


@hookspec
def register_exporters(register: Callable[[type[Exporter]], None]) -> None:
    """Register exporter classes.

    :param register: call it once per :class:`~pipeline.registry.Exporter` subclass,
        e.g. ``register(JsonExporter)``. Duplicate names are an error.
    :return: nothing; return values are ignored.
    """


@hookspec
def pipeline_started(config: Mapping[str, Any], inputs: list[str]) -> None:
    """Called once before the first document is read.

    :param config: the effective pipeline config as plain data (after overrides).
    :param inputs: where each document comes from, in input order: a file path, or
        ``corpus.jsonl:12`` / ``<stdin>:3`` for a line of a JSONL corpus.
    :return: nothing; return values are ignored.
    """


@hookspec
def document_finished(document: Document | None, doc_id: str, status: str, error: str | None) -> None:
    """Called in the coordinating process after each document, in input order.

    :param document: the final document, or ``None`` when it failed or was skipped.
    :param doc_id: the document id.
    :param status: ``ok``, ``failed``, ``timeout`` or ``skipped-cached``.
    :param error: the one-line error message when it failed, else ``None``.
    :return: nothing; return values are ignored.
    """


@hookspec
def pipeline_finished(summary: Mapping[str, Any]) -> None:
    """Called once after the last document.

    :param summary: the run totals: ``{"ok": int, "failed": int, "timeout": int,
        "skipped-cached": int, "not-run": int, "documents": int, "seconds": float}``
        (``not-run``: inputs never started because ``--fail-fast`` stopped the run or it was cut short).
    :return: nothing; return values are ignored.
    """
