"""Build a pipeline from a resolved config and run one document through it.

Data flows one way: reader -> Document -> stage -> stage -> ... -> exporters. After every
stage the runner checks that the stage returned a :class:`~pipeline.model.Document` whose
spans are still valid; a failure is a :class:`~pipeline.errors.StageError` naming the stage
and its plugin, and fails that document only.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass, field
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from pipeline.config import ResolvedPipeline
from pipeline.errors import ConfigError, CopydeskError, InputError, StageError
from pipeline.inputs import InputItem, display_path
from pipeline.model import Diagnostic, Document, StageRecord
from pipeline.registry import Component, Exporter, Reader, Registry, Stage

log = logging.getLogger(__name__)

# JSONL "format" hints -> reader names.
FORMAT_READERS = {
    "md": "markdown", "markdown": "markdown", "html": "html", "htm": "html", "txt": "text", "text": "text",
}
DEFAULT_READER = "text"


@dataclass
class DocumentResult:
    """What processing one input produced.

    :ivar status: ``ok`` or ``failed`` (the batch layer adds ``timeout`` and ``skipped-cached``).
    :ivar outputs: file name -> bytes, one per exporter (empty when failed).
    :ivar timings: step name -> seconds.
    :ivar stage: the failing stage (or ``read``), :ivar plugin: its plugin, :ivar error: the
        message, without the input's name in front (the report and the log line add it).
    """

    doc_id: str
    status: str
    outputs: dict[str, bytes] = field(default_factory=dict)
    document_json: bytes | None = None
    timings: dict[str, float] = field(default_factory=dict)
    stage: str | None = None
    plugin: str | None = None
    error: str | None = None
    input_sha256: str | None = None


class SetupError(ConfigError):
    """A reader, stage or exporter could not be set up: its constructor raised (a missing model
    file, say). Raised before any document runs; :func:`pipeline.build.build` adds the config line.

    :ivar loc: the config key path of the component: ``("stages", 0)``, ``("exporters", 1)`` or
        ``("readers", "text")``.
    """

    def __init__(self, loc: tuple[str | int, ...], message: str) -> None:
        self.loc = loc
        self.message = message
        super().__init__(message)


C = TypeVar("C", bound=Component)


def _instantiate(cls: type[C], settings: BaseModel, kind: str, plugin: str, loc: tuple[str | int, ...]) -> C:
    """``cls(settings)``, a failing constructor turned into one :class:`SetupError` line.

    :raises SetupError: ``stage 'x' (plugin p) failed to start: FileNotFoundError: ...``.
    """
    try:
        return cls(settings)
    except (Exception, SystemExit) as err:  # noqa: BLE001 - a plugin bug becomes one line naming it
        raise SetupError(loc, f"{kind} {cls.name!r} (plugin {plugin}) failed to start: "
                              f"{type(err).__name__}: {err}") from err


class Pipeline:
    """Readers, stages and exporters instantiated from a resolved config.

    :param resolved: the validated config.
    :param registry: the registry it was validated against.
    :raises SetupError: a component's constructor raised.
    """

    def __init__(self, resolved: ResolvedPipeline, registry: Registry) -> None:
        self.resolved = resolved
        self.registry = registry
        self.readers: dict[str, Reader] = {
            name: _instantiate(entry.cls, resolved.reader_settings[name], "reader", entry.plugin, ("readers", name))
            for name, entry in registry.readers.items()
        }
        self.stages: list[tuple[str, str, str, Stage]] = [
            (s.name, s.entry.plugin, s.entry.version,
             _instantiate(s.entry.cls, s.settings, "stage", s.entry.plugin, ("stages", i)))
            for i, s in enumerate(resolved.stages)
        ]
        self.exporters: list[Exporter] = [
            _instantiate(s.entry.cls, s.settings, "exporter", s.entry.plugin, ("exporters", i))
            for i, s in enumerate(resolved.exporters)
        ]

    def reader_name(self, item: InputItem) -> str:
        """Pick the reader: the JSONL format hint (read as a suffix, ``md`` as ``.md``, so a
        plugin's reader of that suffix takes it; else a built-in name such as ``text``), else
        the file suffix, else plain text."""
        if item.format:
            fmt = item.format.lower()
            name = self.registry.reader_for("." + fmt) or FORMAT_READERS.get(fmt)
            if name in self.readers:
                return name
        if item.path:
            found = self.registry.reader_for(item.path)
            if found:
                return found
        if DEFAULT_READER in self.readers:
            return DEFAULT_READER
        raise InputError(item.path, "no reader available for this input")

    def check_size(self, item: InputItem) -> None:
        """Refuse a file above its reader's ``max_bytes`` without reading it (bounded memory).

        :raises InputError: the file is too large or cannot be examined.
        """
        if item.raw is not None or item.path is None:
            return
        name = self.reader_name(item)
        max_bytes = getattr(self.readers[name].settings, "max_bytes", None)
        if not isinstance(max_bytes, int):
            return
        try:
            size = os.stat(item.path).st_size
        except OSError as err:
            raise InputError(item.path, f"cannot read: {err.strerror or err}") from None
        if size > max_bytes:
            raise InputError(item.path, f"{size} bytes is above the {name} reader's max_bytes ({max_bytes})")

    def read(self, item: InputItem) -> Document:
        """Read one input into a document (metadata given with the input is merged in).

        :raises InputError: unreadable, too large, binary or undecodable input.
        """
        name = self.reader_name(item)
        reader = self.readers[name]
        max_bytes = getattr(reader.settings, "max_bytes", None)
        self.check_size(item)
        raw = item.read_bytes()
        if isinstance(max_bytes, int) and len(raw) > max_bytes:
            raise InputError(item.path or item.origin, f"{len(raw)} bytes is above max_bytes ({max_bytes})")
        shown = display_path(item.path) if item.path is not None else None
        try:
            doc = reader.read(raw, doc_id=item.doc_id, path=shown)
        except InputError as err:
            if err.path is None and item.origin:  # a JSONL line: name it, not standard input
                raise InputError(item.origin, str(err).removeprefix("<stdin>: ")) from None
            raise
        except CopydeskError:
            raise
        except (Exception, SystemExit) as err:  # noqa: BLE001 - a reader bug fails this document only
            raise StageError("read", name, f"{type(err).__name__}: {err}") from err
        _check_read(doc, name, item)
        update: dict[str, Any] = {}
        extra = dict(item.metadata)
        if item.source_id is not None and item.source_id != item.doc_id:
            extra["source_id"] = item.source_id
        if extra:
            update["metadata"] = {**doc.metadata, **extra}
        if item.notes:
            notes = [Diagnostic(stage="read", level="warning", code="decoding", message=n) for n in item.notes]
            update["diagnostics"] = [*notes, *doc.diagnostics]
        return doc.model_copy(update=update) if update else doc

    def run_stages(self, doc: Document, timings: dict[str, float] | None = None) -> Document:
        """Pass ``doc`` through every stage in config order.

        :param timings: filled with stage name -> seconds, the failing stage's included.
        :raises StageError: a stage raised, returned something that is not a Document, changed
            the document id, or broke a span invariant.
        """
        for name, plugin, version, stage in self.stages:
            t0 = time.perf_counter()
            try:
                doc = self._run_stage(name, plugin, version, stage, doc)
            finally:  # a failing stage's time counts too (the report shows where it went)
                if timings is not None:
                    timings[name] = time.perf_counter() - t0
        return doc

    @staticmethod
    def _run_stage(name: str, plugin: str, version: str, stage: Stage, doc: Document) -> Document:
        """One stage's call and the checks of what it returned (see :meth:`run_stages`)."""
        doc_id = doc.id  # before the call: a stage may change doc.id in place and return doc itself
        try:
            out: Any = stage.process(doc)
        except (Exception, SystemExit) as err:  # noqa: BLE001 - recorded against the stage
            raise StageError(name, plugin, f"{type(err).__name__}: {err}") from err
        if not isinstance(out, Document):
            raise StageError(name, plugin, f"returned {type(out).__name__}, not a Document")
        if out.id != doc_id:
            # output names, the cache and the report all go by the id the runner gave
            raise StageError(name, plugin, f"changed the document id from {doc_id!r} to {out.id!r}; "
                                           "a stage must keep the id")
        try:
            out.check()
        except ValueError as err:
            raise StageError(name, plugin, f"produced an invalid document: {err}") from None
        out.stages.append(StageRecord(name=name, plugin=plugin, version=version))
        return out

    def export(self, doc: Document) -> dict[str, bytes]:
        """Render ``doc`` with every exporter: ``{file name: bytes}``.

        :raises StageError: an exporter raised.
        """
        out: dict[str, bytes] = {}
        for exporter in self.exporters:
            try:
                data: Any = exporter.render(doc)
            except (Exception, SystemExit) as err:  # noqa: BLE001
                raise StageError(f"export:{exporter.name}", exporter.name, f"{type(err).__name__}: {err}") from err
            if not isinstance(data, bytes):
                raise StageError(f"export:{exporter.name}", exporter.name,
                                 f"render() returned {type(data).__name__}, not bytes")
            out[doc.id + exporter.suffix] = data
        return out

    def process(self, item: InputItem, *, keep_json: bool = True) -> DocumentResult:
        """Read, run and export one input; never raises for problems of this document.

        :param keep_json: also serialise the document as one JSON line (``-o -`` and hooks need
            it; a second serialisation, so batch workers writing files skip it).
        """
        timings: dict[str, float] = {}
        result = DocumentResult(doc_id=item.doc_id, status="failed")
        step, t0 = "read", time.perf_counter()
        try:
            doc = self.read(item)
            result.input_sha256 = doc.source.sha256
            timings["read"] = time.perf_counter() - t0
            step = ""  # run_stages times each stage itself
            doc = self.run_stages(doc, timings)
            step, t0 = "export", time.perf_counter()
            result.outputs = self.export(doc)
            if keep_json:
                result.document_json = document_json_line(doc)
            timings["export"] = time.perf_counter() - t0
            result.status = "ok"
        except StageError as err:
            result.stage, result.plugin, result.error = err.stage, err.plugin, str(err)
        except InputError as err:
            result.stage, result.error = "read", _without_input(err, item)
        except CopydeskError as err:
            result.stage, result.error = "read", str(err)
        except ValidationError as err:
            result.stage, result.error = "read", f"invalid document: {err}"
        finally:  # a failed step's time counts too
            if step and step not in timings:
                timings[step] = time.perf_counter() - t0
            result.timings = timings
        return result


def _check_read(doc: object, reader: str, item: InputItem) -> None:
    """Refuse what a reader returned unless it is a Document with the id it was given: output
    names, the cache and the report go by the runner's id, so another id would overwrite (or
    be mistaken for) a different input's document.

    :raises StageError: at step ``read``, naming the reader and the input.
    """
    where = item.origin or (display_path(item.path) if item.path is not None else "<stdin>")
    if not isinstance(doc, Document):
        raise StageError("read", reader, f"reader {reader!r} returned {type(doc).__name__} for input {where}, "
                                         "not a Document")
    if doc.id != item.doc_id:
        raise StageError("read", reader, f"reader {reader!r} returned id {doc.id!r} for input {where}; "
                                         f"readers must keep the id they are given ({item.doc_id!r})")


def _without_input(err: InputError, item: InputItem) -> str:
    """The message of ``err`` without the input's name in front: report entries name the input
    in their own field, so every ``error`` has the same shape (the log line adds the name)."""
    message = str(err)
    if err.path is None or err.path in (item.origin, item.path):
        return message.removeprefix(f"{err.path or '<stdin>'}: ")
    return message


def document_json_line(doc: Document) -> bytes:
    """One document as compact JSON on one line (for ``-o -``), deterministic."""
    return doc.model_dump_json().encode("utf-8")

