"""The executor interface, the pipeline spec workers rebuild from, and the in-process executor."""

from __future__ import annotations

import dataclasses
import logging
import os
from abc import ABC, abstractmethod
from collections.abc import Generator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from pipeline.errors import CopydeskError
from pipeline.runner import DocumentResult

if TYPE_CHECKING:
    from types import TracebackType

    from pipeline.build import Built
    from pipeline.inputs import InputItem

log = logging.getLogger(__name__)

Task = tuple["InputItem", DocumentResult | None]
Outcome = tuple["InputItem", DocumentResult]



@dataclass(frozen=True)
class PipelineSpec:
    """What a worker needs to rebuild the pipeline: ``build(config_path, list(overrides))``.

    :ivar config_path: absolute path of the YAML config, ``None`` for the embedded default.
    :ivar overrides: the ``KEY=VALUE`` strings given to ``--set``.
    :ivar cwd: the coordinator's working directory; Dask workers change to it (when it exists
        there) so relative input paths mean the same on every machine of a shared file system.
    """

    config_path: str | None
    overrides: tuple[str, ...] = ()
    cwd: str | None = None

    def build(self) -> Built:
        """Build the pipeline in this process.

        :raises pipeline.errors.ConfigError: as :func:`pipeline.build.build`.
        """
        from pipeline.build import build

        return build(self.config_path, list(self.overrides))


@dataclass(frozen=True)
class OutputWriter:
    """Writes a document's outputs where it was processed (in pool workers, in parallel).

    :ivar out_dir: the output directory (already created by the batch).
    :ivar fsync: fsync each file (see :func:`pipeline.outputs.write_atomic`).
    """

    out_dir: str
    fsync: bool = False

    def write(self, result: DocumentResult) -> WrittenResult:
        """Write ``result.outputs`` atomically; return the result without the bytes.

        Never raises: a write failure is returned as :attr:`WrittenResult.write_error`.
        """
        import hashlib

        from pipeline.outputs import write_atomic

        written: dict[str, tuple[str, int, int]] = {}
        error = None
        try:
            for name, data in sorted(result.outputs.items()):
                path = write_atomic(self.out_dir, name, data, fsync=self.fsync)
                st = os.stat(path)
                written[name] = (hashlib.sha256(data).hexdigest(), st.st_size, st.st_mtime_ns)
        except CopydeskError as err:
            error = str(err)
        except OSError as err:
            error = f"{self.out_dir}: {err}"
        fields = {f.name: getattr(result, f.name) for f in dataclasses.fields(DocumentResult)}
        fields["outputs"] = {}
        return WrittenResult(**fields, written=written, write_error=error)


@dataclass
class WrittenResult(DocumentResult):
    """A result whose outputs a worker already wrote.

    :ivar written: output file name -> (sha256 hex digest, size, mtime_ns) of the file written.
    :ivar write_error: why writing failed (the batch then stops as for an unwritable directory).
    """

    written: dict[str, tuple[str, int, int]] = field(default_factory=dict)
    write_error: str | None = None


class Executor(ABC):
    """Runs tasks and yields their results in task order (see the module docstring)."""

    @abstractmethod
    def map(self, tasks: Iterable[Task]) -> Generator[Outcome, None, None]:
        """Yield ``(item, result)`` for every task, in the order the tasks were given.

        Closing the returned generator early stops all work in flight.
        """

    stopping = False

    def salvage(self) -> dict[int, Outcome]:
        """After :meth:`map` was closed early: outcomes of tasks (by index in task order) that
        finished with their outputs already written but were not yielded yet. The in-process
        executors write nothing themselves: none."""
        return {}

    def stop(self) -> None:
        """Start no more documents (``fail_fast``): :meth:`map` stops pulling tasks, still
        yields an outcome for every task already pulled (documents already running finish;
        the others get :func:`not_run` results), then ends."""
        self.stopping = True


def internal_failure(item: InputItem, message: str, status: str = "failed",
                     stage: str | None = None, plugin: str | None = None) -> DocumentResult:
    """A result for a document that could not be run to completion by its worker (``message``
    does not name the input: no result's error does)."""
    return DocumentResult(doc_id=item.doc_id, status=status, stage=stage, plugin=plugin, error=message)


def where_running(stage: str | None, plugin: str | None) -> str:
    """`` in STAGE (PLUGIN)`` for a failure message, or ``""`` when the stage is unknown."""
    if not stage:
        return ""
    return f" in {stage}" + (f" ({plugin})" if plugin else "")


def not_run(item: InputItem) -> DocumentResult:
    """The result of a document the batch never started (it stopped early)."""
    return DocumentResult(doc_id=item.doc_id, status="not-run")


def _failing_step(tb: TracebackType | None) -> tuple[str | None, str | None]:
    """``(stage, plugin)`` that was running where an exception escaped the runner.

    The runner names the step itself for ``Exception`` and ``SystemExit``; other
    ``BaseException`` subclasses pass through it, so the innermost runner frame's locals are
    read instead (``run_stages``: ``name``/``plugin``; ``read``: the reader ``name``;
    ``export``: ``exporter``). Unknown frames give ``(None, None)``.
    """
    found: tuple[str | None, str | None] = (None, None)
    while tb is not None:
        frame = tb.tb_frame
        if frame.f_globals.get("__name__") == "pipeline.runner":
            local = frame.f_locals
            code = frame.f_code.co_name
            if code == "run_stages" and isinstance(local.get("name"), str):
                found = (local["name"], local.get("plugin"))
            elif code == "read" and isinstance(local.get("name"), str):
                found = ("read", local["name"])
            elif code == "export" and local.get("exporter") is not None:
                name = getattr(local["exporter"], "name", "?")
                found = (f"export:{name}", name)
        tb = tb.tb_next
    return found


def safe_process(built: Built, item: InputItem, keep_json: bool = True,
                 interruptible: bool = True) -> DocumentResult:
    """``built.pipeline.process(item)``, turning any unexpected exception into a failed result.

    Every ``BaseException`` a plugin raises (``GeneratorExit``, a bare ``BaseException``) fails
    this document only, naming the stage when it can (:func:`_failing_step`).

    :param interruptible: let ``KeyboardInterrupt`` through (Ctrl-C in this process); pool
        workers ignore SIGINT, so there a ``KeyboardInterrupt`` is a plugin's and fails the document.
    """
    try:
        return built.pipeline.process(item, keep_json=keep_json)
    except BaseException as err:  # noqa: BLE001 - the runner should not raise; never lose a document
        if interruptible and isinstance(err, KeyboardInterrupt):
            raise
        log.debug("unexpected error processing %s", item.doc_id, exc_info=True)
        stage, plugin = _failing_step(err.__traceback__)
        where = f"stage {stage} ({plugin}): " if stage else "internal error: "
        return internal_failure(item, f"{where}{type(err).__name__}: {err}", stage=stage, plugin=plugin)


class SerialExecutor(Executor):
    """Runs every document in this process, one after another (no timeout, no isolation
    from crashes of the interpreter itself; Python exceptions still fail one document only).

    :param built: the pipeline built by the caller.
    """

    def __init__(self, built: Built) -> None:
        self.built = built

    def map(self, tasks: Iterable[Task]) -> Generator[Outcome, None, None]:
        for item, known in tasks:
            if self.stopping:
                yield item, not_run(item)
                return
            yield item, known if known is not None else safe_process(self.built, item)


# --------------------------------------------------------------------------- process pool


def default_workers() -> int:
    """The machine's usable CPU cores (at least 1)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not on Linux
        return max(1, os.cpu_count() or 1)
