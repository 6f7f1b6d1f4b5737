"""Running many documents: scheduling, the cache, writing outputs (the run report: :mod:`pipeline.report`).

A batch never stops because one document fails (unless ``fail_fast``): each failure is
recorded in the report with its status (``failed`` or ``timeout``), the failing stage and
plugin and the message, and the other documents' outputs are written as usual.

Data flow (streaming; memory does not grow with the number of documents)::

    items --(cache check in this process)--> executor --(results in input order)--> writer

* Items are consumed lazily. With the cache on, this process reads each input once, hashes
  it (:mod:`pipeline.cache`), skips documents whose entry matches and whose outputs are
  intact (``skipped-cached``), and sends the others **with the bytes it hashed** to the
  executor (:mod:`pipeline.executors`: this process, a process pool with killing timeouts, or
  Dask), which returns results in input order.
* Each output file is written atomically (:func:`pipeline.outputs.write_atomic`: temporary name, then rename),
  by the process pool's workers in parallel (they return only names and hashes) or else by
  this process; the cache entry is written by this process after the files exist. A run
  killed at any moment leaves every output complete or absent, and a re-run redoes only the
  documents without a valid entry.
* ``-o -`` writes each document as one JSON line to standard output, in input order (no
  cache). ``check`` writes nothing and lists the files whose bytes on disk differ from what
  the run would write.
"""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import sys
import time
from collections import deque
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from pipeline.build import Built
from pipeline.errors import ConfigError, CopydeskError, Terminated
from pipeline.inputs import InputItem
from pipeline.outputs import OutputError, StdoutClosed, ensure_dir, read_existing, write_atomic
from pipeline.report import BatchReport, report_entry
from pipeline.runner import DocumentResult

if TYPE_CHECKING:
    from pipeline.cache import DocumentCache
    from pipeline.executors import Executor, PipelineSpec, Task
    from pipeline.progress import Progress

log = logging.getLogger(__name__)

MAX_LOGGED_FAILURES = 50  # error lines on stderr per batch; the report holds them all


@dataclass
class BatchOptions:
    """How to run a batch.

    :ivar output_dir: directory for exporter files, or ``-`` for JSON lines on ``stdout``.
    :ivar fail_fast: stop scheduling new documents after the first failure.
    :ivar max_failures: exit 1 only when more documents than this failed (``None``: any).
    :ivar stdout: where ``-o -`` writes (default ``sys.stdout.buffer``).
    :ivar workers: worker processes; ``None``: one per CPU core. A batch of two or more
        documents always runs in worker processes (one with ``workers=1``), isolated from a
        plugin that crashes its interpreter; a single document without a timeout runs in this
        process (no pool start-up; any exception but ``KeyboardInterrupt`` fails the document).
    :ivar timeout: seconds a document may take before its worker is killed (``None``: no limit).
    :ivar executor: ``local`` (process pool) or ``dask``.
    :ivar scheduler: Dask scheduler address; ``None`` with ``dask`` starts a local cluster.
    :ivar spec: how worker processes rebuild the pipeline (config path and overrides); without
        it every document runs in this process.
    :ivar cache_dir: the cache root (``None``: no cache).
    :ivar force: ignore cache entries (they are still written).
    :ivar check: write nothing; report the outputs that differ from what is on disk.
    :ivar fsync: fsync every output file (durable against power loss; slower).
    """

    output_dir: str
    fail_fast: bool = False
    max_failures: int | None = None
    stdout: IO[bytes] | None = None
    workers: int | None = 1
    timeout: float | None = None
    executor: str = "local"
    scheduler: str | None = None
    spec: PipelineSpec | None = None
    cache_dir: str | None = None
    force: bool = False
    check: bool = False
    fsync: bool = False


def serial_results(built: Built, items: Iterable[InputItem]) -> Iterator[tuple[InputItem, DocumentResult]]:
    """Process items one after another in this process."""
    for item in items:
        yield item, built.pipeline.process(item)


def make_executor(built: Built, options: BatchOptions, n_items: int | None) -> Executor:
    """The executor ``options`` ask for (see :class:`BatchOptions` for when it is this process)."""
    from pipeline.executors.base import OutputWriter, SerialExecutor, default_workers

    workers = options.workers or default_workers()
    if options.spec is not None and options.executor == "dask":
        from pipeline.executors.dask import DaskExecutor

        return DaskExecutor(options.spec, options.scheduler, workers, options.timeout)
    # Two or more documents always run in worker processes (a pool of one with -j 1), so a
    # plugin that kills its interpreter fails one document, not the batch; a lone document
    # runs here (no pool start-up), where Python exceptions still fail only that document.
    single = n_items is not None and n_items <= 1
    in_process = options.spec is None or (options.timeout is None and single)
    if not in_process and options.timeout is None and not _forkable() and _has_object_plugins(built):
        # spawned workers rebuild from the spec and cannot see plugin objects registered in
        # this process (pipeline.testing's register_plugin); forking with threads can deadlock
        log.debug("plugin objects registered in-process and threads running: documents run in this process")
        in_process = True
    if in_process:
        return SerialExecutor(built)
    assert options.spec is not None
    from pipeline.executors.pool import ProcessPoolExecutor

    if n_items is not None:
        workers = max(1, min(workers, n_items))
    writer = None
    if options.output_dir != "-" and not options.check:
        writer = OutputWriter(options.output_dir, options.fsync)
    keep_json = options.output_dir == "-" or bool(built.plugins.manager.hook.document_finished.get_hookimpls())
    return ProcessPoolExecutor(options.spec, workers, options.timeout, keep_json=keep_json, writer=writer,
                               built=built)


def _forkable() -> bool:
    """Whether pool workers will be forked (see :data:`pipeline.executors.pool.START_METHOD`)."""
    import threading

    return threading.active_count() == 1 and sys.platform != "win32"


def _has_object_plugins(built: Built) -> bool:
    """Whether a plugin was registered as an object in this process (no module to re-import)."""
    return any(info.origin == "object" for info in built.plugins.info.values())


@dataclass
class _CacheState:
    cache: DocumentCache
    pipeline: str
    force: bool
    keys: dict[str, str] = field(default_factory=dict)
    cached_outputs: dict[str, list[str]] = field(default_factory=dict)


def _too_large(built: Built, item: InputItem) -> bool:
    """Whether the runner will refuse ``item`` unread (:meth:`Pipeline.check_size`); such a file
    must not be read into memory here to hash it for the cache."""
    try:
        built.pipeline.check_size(item)
    except CopydeskError:
        return True
    return False


def _tasks(built: Built, items: Iterable[InputItem], state: _CacheState | None) -> Iterator[Task]:
    """Pair each item with a known result (cache hit) or ``None`` (to run), lazily."""
    from pipeline.cache import item_key

    for item in items:
        if state is None or _too_large(built, item):
            yield item, None
            continue
        t0 = time.perf_counter()
        try:
            raw = item.read_bytes()
        except CopydeskError:
            yield item, None  # the runner reports the read error
            continue
        key = item_key(state.pipeline, item, raw)
        state.keys[item.doc_id] = key
        if not state.force:
            names = state.cache.lookup(key, item.doc_id)
            if names is not None:
                state.cached_outputs[item.doc_id] = names
                result = DocumentResult(doc_id=item.doc_id, status="skipped-cached",
                                        timings={"cache": time.perf_counter() - t0})
                yield item, result
                continue
        yield dataclasses.replace(item, raw=raw), None


def run_batch(
    built: Built,
    items: Iterable[InputItem],
    options: BatchOptions,
    executor: Executor | None = None,
    progress: Progress | None = None,
    report: BatchReport | None = None,
) -> BatchReport:
    """Process ``items`` and write their outputs; return the report.

    :param items: the inputs, consumed lazily (a list gives the progress display its total).
    :param executor: overrides the executor chosen from ``options``.
    :param progress: where to report progress (default: nothing).
    :param report: the report to fill (a caller that passes one still has it, with
        :attr:`BatchReport.aborted` set, when the batch raises).
    :raises pipeline.outputs.OutputError: the output directory cannot be written;
        :class:`~pipeline.outputs.StdoutClosed` when the reader of ``-o -`` closed it (the
        document it was given is ``not-run``).
    :raises pipeline.errors.ConfigError: ``check`` with ``-o -``; the Dask extra is missing.
    """
    from pipeline.executors.base import WrittenResult, internal_failure, not_run
    from pipeline.progress import NoProgress

    to_stdout = options.output_dir == "-"
    if options.check and to_stdout:
        raise ConfigError("--check compares files in an output directory; it cannot be used with -o -")
    n_items = len(items) if isinstance(items, list | tuple) else None
    exe = executor or make_executor(built, options, n_items)
    report = report if report is not None else BatchReport()
    report.config_hash = built.resolved.config_hash()
    report.plugins = {name: info.version for name, info in sorted(built.plugins.info.items())}
    report.executor = type(exe).__name__.removesuffix("Executor").lower()
    report.workers = getattr(exe, "workers", 1)
    report.check = options.check
    stream = options.stdout
    if to_stdout and stream is None:
        if sys.stdout is None:  # started with standard output closed
            raise OutputError("-o -: standard output is closed")
        stream = sys.stdout.buffer
    if not to_stdout and not options.check:
        ensure_dir(options.output_dir)
    state: _CacheState | None = None
    if options.cache_dir and not to_stdout:
        from pipeline.cache import DocumentCache, pipeline_key

        pkey = pipeline_key(built)
        state = _CacheState(DocumentCache(options.cache_dir, options.output_dir, pkey), pkey, options.force)
    hook = built.plugins.manager.hook
    want_documents = bool(hook.document_finished.get_hookimpls())
    listed = isinstance(items, list | tuple) and bool(hook.pipeline_started.get_hookimpls())
    origins = [i.origin for i in items] if listed else []
    with _stdout_kept_for_data(to_stdout):
        _notify(hook.pipeline_started, config=built.resolved.config.model_dump(mode="json"), inputs=origins)
    show = progress or NoProgress()
    show.start(n_items)
    t0 = time.perf_counter()
    failures = 0
    expected: set[str] = set()  # with check: every output name the inputs produce

    def write(out_dir: str, name: str, data: bytes) -> str:
        return write_atomic(out_dir, name, data, fsync=options.fsync)

    items_iter = iter(items)
    # Bookkeeping for a batch cut short. Outcomes arrive in the order the items were pulled, so
    # the number of entries recorded says which pulled items are done: ``pulled`` holds the items
    # from that position on (trimmed lazily). Items are matched by position, never by identity:
    # the executor hands back copies (the cache adds the bytes it read; Dask unpickles).
    current: int | None = None  # position of the outcome being recorded, until its entry is added
    current_names: list[str] | None = None  # the current document's outputs, once all are written
    entries_before = report.totals()["documents"]
    pulled: deque[InputItem] = deque()  # handed to the executor from position `pulled_from` on
    pulled_from = 0

    def n_recorded() -> int:
        return report.totals()["documents"] - entries_before

    def feed() -> Iterator[InputItem]:
        while not exe.stopping:
            item = next(items_iter, None)
            if item is None:
                return
            pulled.append(item)
            yield item

    try:
        with _stdout_kept_for_data(to_stdout), contextlib.closing(exe.map(_tasks(built, feed(), state))) as outcomes:
            for item, result in outcomes:
                while pulled_from < n_recorded():  # entries added since: their items are done
                    pulled.popleft()
                    pulled_from += 1
                current = n_recorded()
                key = state.keys.pop(item.doc_id, None) if state else None
                names = sorted(result.outputs)
                if result.status == "ok":
                    if isinstance(result, WrittenResult):  # a pool worker wrote the files
                        if result.write_error:
                            raise OutputError(result.write_error)
                        names = sorted(result.written)
                        if state is not None and key is not None:
                            state.cache.store_written(key, item.doc_id, result.written)
                    elif to_stdout:
                        assert result.document_json is not None and stream is not None
                        try:
                            stream.write(result.document_json + b"\n")
                            stream.flush()
                        except BrokenPipeError:  # `| head`: the reader has what it wants
                            raise StdoutClosed("standard output closed") from None
                    elif options.check:
                        _compare(options.output_dir, result.outputs, report.check_problems)
                    else:
                        for name, data in sorted(result.outputs.items()):
                            write(options.output_dir, name, data)
                        if state is not None and key is not None:
                            state.cache.store(key, item.doc_id, result.outputs)
                elif result.status == "skipped-cached":
                    names = state.cached_outputs.pop(item.doc_id, []) if state else []
                elif result.status == "not-run":
                    pass
                else:
                    failures += 1
                    if failures <= MAX_LOGGED_FAILURES:
                        where = item.origin or item.doc_id
                        message = result.error or result.status
                        log.error("%s", message if message.startswith(where) else f"{where}: {message}")
                    if not to_stdout:
                        # its previous outputs no longer match its input: the run removes them
                        recorded = []
                        if state is not None:
                            recorded = (state.cache.recorded_outputs(item.doc_id) if options.check
                                        else state.cache.forget(item.doc_id))
                        stale = sorted(set(recorded) | _output_names(built, item.doc_id))
                        if options.check:
                            _flag_stale(options.output_dir, stale, report.check_problems)
                            expected.update(stale)
                        else:
                            _remove_outputs(options.output_dir, stale)
                if options.check:
                    expected.update(names)
                current_names = names if result.status == "ok" else None
                report.add(report_entry(item, result, names))
                current = current_names = None
                document = None
                if want_documents and result.status == "ok" and result.document_json is not None:
                    from pipeline.model import Document

                    document = Document.model_validate_json(result.document_json)
                if result.status != "not-run":  # observers and the progress display see documents that ran
                    _notify(hook.document_finished, document=document, doc_id=result.doc_id, status=result.status,
                            error=result.error)
                    show.advance(result.doc_id, result.status)
                result.outputs = {}
                if options.fail_fast and failures and not exe.stopping:
                    # no new document starts; those already running finish and are recorded
                    # (a pool worker may have written their outputs already)
                    exe.stop()
                    report.stopped_early = True
        for item in [*list(pulled)[n_recorded() - pulled_from:], *items_iter]:
            report.add(report_entry(item, not_run(item), []))
    except BaseException as err:
        report.aborted = ("terminated" if isinstance(err, Terminated) else "interrupted"
                          if isinstance(err, KeyboardInterrupt) else str(err) or type(err).__name__)
        # list what never ran; a lazy source (stdin) is not read on to its end
        rest = list(items_iter) if isinstance(items, list | tuple) else []
        first_index = n_recorded()  # the executor numbers its tasks in the order they were pulled
        unrecorded = [*list(pulled)[first_index - pulled_from:], *rest]
        # the outcome in hand when it happened, if its entry was not added
        in_hand = current == first_index
        salvaged = exe.salvage()
        for k, item in enumerate(unrecorded):
            if k == 0 and in_hand and current_names is not None:  # written, stopped before its entry
                report.add(report_entry(item, DocumentResult(doc_id=item.doc_id, status="ok"), current_names))
            elif k == 0 and in_hand and not isinstance(err, StdoutClosed):  # its write failed
                if not to_stdout and not options.check:  # a failed document keeps no outputs
                    _remove_outputs(options.output_dir, sorted(_output_names(built, item.doc_id)))
                report.add(report_entry(item, internal_failure(item, report.aborted), []))
            elif first_index + k in salvaged:  # a pool worker finished and wrote it: done
                _record_salvaged(report, state, item, salvaged[first_index + k][1])
            else:
                report.add(report_entry(item, not_run(item), []))
        raise
    finally:
        show.finish()
        report.seconds = time.perf_counter() - t0
        if failures > MAX_LOGGED_FAILURES:
            log.error("... and %d more failed documents (every failure is in the --report file)",
                      failures - MAX_LOGGED_FAILURES)
    if report.stopped_early and not report.totals()["not-run"]:
        report.stopped_early = False  # the failure was among the last documents: nothing left out
    if options.check and not report.stopped_early and os.path.isdir(options.output_dir):
        for name in sorted(os.listdir(options.output_dir)):
            path = os.path.join(options.output_dir, name)
            if name not in expected and not name.startswith(".") and os.path.isfile(path):
                report.check_problems.append((path, "unexpected"))
    with _stdout_kept_for_data(to_stdout):
        _notify(hook.pipeline_finished, summary={**report.totals(), "seconds": report.seconds})
    return report


def _record_salvaged(report: BatchReport, state: _CacheState | None, item: InputItem,
                     result: DocumentResult) -> None:
    """Record a document a pool worker finished and wrote before the batch was cut short: ``ok``
    with its outputs, and its cache entry (so a re-run skips it)."""
    from pipeline.executors.base import WrittenResult

    assert isinstance(result, WrittenResult)
    key = state.keys.pop(item.doc_id, None) if state is not None else None
    if state is not None and key is not None:
        with contextlib.suppress(Exception):  # the report matters more than this entry
            state.cache.store_written(key, item.doc_id, result.written)
    report.add(report_entry(item, result, sorted(result.written)))


def _stdout_kept_for_data(to_stdout: bool) -> contextlib.AbstractContextManager[Any]:
    """With ``-o -`` standard output carries only documents: plugins' ``print()`` calls (in
    stages run here and in event hooks) go to standard error instead."""
    return contextlib.redirect_stdout(sys.stderr) if to_stdout else contextlib.nullcontext()


def _notify(hook: Any, **kwargs: Any) -> None:
    """Call an event hook; a plugin that raises is logged in one line, never stops the batch."""
    try:
        hook(**kwargs)
    except Exception as err:  # noqa: BLE001 - an observer's bug must not lose documents
        log.error("a %s hook implementation raised %s: %s", hook.name, type(err).__name__, err)


def _output_names(built: Built, doc_id: str) -> set[str]:
    """The file names the exporters give ``doc_id``'s outputs (as :meth:`Pipeline.export` does)."""
    return {doc_id + exporter.suffix for exporter in built.pipeline.exporters}


def _remove_outputs(out_dir: str, names: list[str]) -> None:
    """Delete these outputs of a failed document (a missing file is fine; others are logged)."""
    from pipeline.outputs import safe_target

    for name in names:
        try:
            os.unlink(safe_target(out_dir, name))
        except FileNotFoundError:
            continue
        except (OSError, OutputError) as err:
            log.warning("%s: cannot remove the stale output of a failed document: %s", name, err)


def _flag_stale(out_dir: str, names: list[str], problems: list[tuple[str, str]]) -> None:
    """With ``check``: a failed document's outputs on disk would be removed by the run."""
    for name in names:
        if read_existing(out_dir, name) is not None:
            problems.append((os.path.join(out_dir, name), "stale"))


def _compare(out_dir: str, outputs: dict[str, bytes], problems: list[tuple[str, str]]) -> None:
    for name, data in sorted(outputs.items()):
        existing = read_existing(out_dir, name)
        if existing != data:
            problems.append((os.path.join(out_dir, name), "missing" if existing is None else "differs"))
