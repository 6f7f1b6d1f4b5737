"""A process pool whose timeouts kill (:class:`ProcessPoolExecutor`).

Timeouts are enforced by killing, never cooperatively. The pool is a set of long-lived worker
processes, each connected to the coordinator by its own pipe and holding at most two documents:
the one it runs and the next (so it never idles waiting for the coordinator). Before each
document a worker publishes ``[document index, start time]`` in a small shared-memory array,
and ``stage\tplugin`` before every reader, stage, exporter and write call. The coordinator
waits on all pipes and process sentinels with :func:`multiprocessing.connection.wait` up to
the nearest deadline (``start + timeout``). A worker past its deadline gets ``SIGKILL``; its
document is reported with status ``timeout``, naming the stage that was running; the document
queued behind it goes to another worker and a fresh worker is started. With a timeout, each
worker first runs a short warm-up document (its result dropped) before it takes documents, so
the imports and model loads stages do on first use are not charged to a timed document. A worker that dies on
its own (a segfault, ``os._exit``) fails only its current document the same way (status
``failed``).

Workers are direct children of the coordinator, started with ``fork`` when the coordinator
runs no other thread (they start in milliseconds with every module imported and the
coordinator's pipeline already built, in their copy of its memory) and ``spawn`` otherwise
(each then rebuilds the pipeline from the :class:`PipelineSpec`). They ask the
kernel to ``SIGKILL`` them when the coordinator dies (``PR_SET_PDEATHSIG``), so a coordinator
killed mid-batch leaves no worker behind, even one stuck in an endless stage. They ignore
``SIGINT``: Ctrl-C reaches the coordinator, which stops them.
"""

from __future__ import annotations

import contextlib
import logging
import os
import signal
import sys
import threading
import time
from collections import deque
from collections.abc import Callable, Generator, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pipeline.errors import CopydeskError
from pipeline.executors.base import (
    Executor,
    Outcome,
    OutputWriter,
    PipelineSpec,
    Task,
    WrittenResult,
    internal_failure,
    not_run,
    safe_process,
    where_running,
)
from pipeline.runner import DocumentResult

if TYPE_CHECKING:
    from multiprocessing.connection import Connection
    from multiprocessing.process import BaseProcess

    from pipeline.build import Built
    from pipeline.inputs import InputItem

log = logging.getLogger(__name__)

START_METHOD: str | None = None  # None: "fork" when this process runs no other thread, else "spawn"
_PR_SET_PDEATHSIG = 1
_STAGE_BUF = 256  # bytes of shared memory holding "stage\tplugin" of the running step
_WARMING = -2.0  # clock[0] while a worker warms up
# Seconds a worker's warm-up may take (at least the timeout). A first-use model load can take
# minutes; a warm-up past this is taken for a hang, which every document would hit too.
_WARM_UP_LIMIT = 300.0
_WARM_UP_TEXT = (b"Warm-up\n\nA short paragraph of plain text. It loads the models and modules that "
                 b"the stages import on first use, before any document is timed.\n")


def _instrument(built: Built, buf: Any) -> None:
    """Make every reader, stage and exporter call publish ``stage\\tplugin`` into ``buf``."""

    def wrap(fn: Callable[..., Any], label: str) -> Callable[..., Any]:
        data = label.encode("utf-8", "replace")[: _STAGE_BUF - 1]

        def call(*args: Any, **kwargs: Any) -> Any:
            buf.value = data
            return fn(*args, **kwargs)

        return call

    pipe = built.pipeline
    for name, reader in pipe.readers.items():
        entry = pipe.registry.readers[name]
        setattr(reader, "read", wrap(reader.read, f"read\t{entry.plugin}"))  # noqa: B010
    for name, plugin, _version, stage in pipe.stages:
        setattr(stage, "process", wrap(stage.process, f"{name}\t{plugin}"))  # noqa: B010
    for exporter, step in zip(pipe.exporters, built.resolved.exporters, strict=True):
        label = f"export:{exporter.name}\t{step.entry.plugin}"
        setattr(exporter, "render", wrap(exporter.render, label))  # noqa: B010


def _die_with_coordinator(coordinator: int) -> None:
    """Make the kernel SIGKILL this worker when the coordinator dies, even mid-document.

    Uses ``prctl(PR_SET_PDEATHSIG, SIGKILL)`` on Linux (the worker is a direct child of the
    coordinator). Elsewhere a daemon thread polls the coordinator's pid once a second, which
    covers every hang except C code holding the GIL.
    """
    try:
        import ctypes

        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl failed")
        if os.getppid() != coordinator:  # it died before prctl took effect
            os._exit(1)
        return
    except (OSError, AttributeError):
        pass

    def watch() -> None:
        while True:
            time.sleep(1.0)
            if os.getppid() != coordinator:
                os._exit(1)

    threading.Thread(target=watch, name="copydesk-lifeline", daemon=True).start()


def _warm_up(built: Built) -> None:
    """Run a short document through the pipeline and drop the result, so the lazy imports and
    model loads of the first real document are paid before any timeout clock starts."""
    from pipeline.inputs import InputItem

    item = InputItem(doc_id="copydesk-warm-up", path=None, raw=_WARM_UP_TEXT, origin="<warm-up>")
    safe_process(built, item, keep_json=False, interruptible=False)


def _worker_main(spec: PipelineSpec, conn: Connection, buf: Any, clock: Any, keep_json: bool = True,
                 writer: OutputWriter | None = None, coordinator: int | None = None,
                 inherited: Built | None = None, warm_up: bool = False) -> None:
    """Body of one pool worker: build once, then process documents sent over ``conn``.

    Before each document the worker publishes ``clock[0:2] = [index, start time]`` (shared
    memory, :func:`time.monotonic`, which is system-wide on Linux) so the coordinator can time
    it; ``clock[2]`` set by the coordinator means stop: documents still in the pipe are sent
    back unrun (``(index, None)``).

    :param keep_json: send ``document_json`` back (only ``-o -`` and hooks need it).
    :param writer: write each successful document's outputs here and send back only their
        names and hashes (:class:`WrittenResult`).
    :param coordinator: the coordinator's pid; the worker dies with it.
    :param inherited: the coordinator's pipeline, when this worker was forked (its copy of the
        coordinator's memory): used as is instead of rebuilding it from ``spec``.
    :param warm_up: after building, run :func:`_warm_up` (published as ``clock[0] = -2`` with
        its start time, so the coordinator can bound it) before reporting ready.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # the coordinator's handler is not the worker's
    # A worker's stdout is never data (results travel over the pipe): plugins that print, even
    # from C code, must not corrupt the coordinator's ``-o -`` stream.
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    if coordinator is not None:
        _die_with_coordinator(coordinator)
    try:
        built = inherited if inherited is not None else spec.build()
        _instrument(built, buf)
    except BaseException as err:  # noqa: BLE001 - reported to the coordinator
        with contextlib.suppress(OSError):
            conn.send(("error", f"{type(err).__name__}: {err}"))
        return
    conn.send(("built", None))
    if warm_up:
        clock[1] = time.monotonic()
        clock[0] = _WARMING
        _warm_up(built)
        buf.value = b""
        clock[0] = -1.0
    conn.send(("ready", None))
    while True:
        try:
            msg = conn.recv()
        except (EOFError, OSError):
            return
        if msg is None:
            return
        index, item = msg
        if clock[2]:
            try:
                conn.send((index, None))
            except (BrokenPipeError, OSError):
                return
            continue
        clock[1] = time.monotonic()
        clock[0] = index
        result = safe_process(built, item, keep_json, interruptible=False)
        if writer is not None and result.status == "ok":
            buf.value = b"write\t"
            result = writer.write(result)
        buf.value = b""
        try:
            conn.send((index, result))
        except (BrokenPipeError, OSError):
            return


# Thread-pool sizes of numeric libraries; the pool already runs one process per core, so each
# worker gets one thread (more would oversubscribe the cores, and OpenBLAS threads spin).
_THREAD_ENV = ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
               "VECLIB_MAXIMUM_THREADS")


@contextlib.contextmanager
def _single_threaded_math() -> Generator[None, None, None]:
    """Set the ``*_NUM_THREADS`` variables to 1 (unless the user set them) while a worker is spawned."""
    added = [name for name in _THREAD_ENV if name not in os.environ]
    for name in added:
        os.environ[name] = "1"
    try:
        yield
    finally:
        for name in added:
            os.environ.pop(name, None)


@dataclass
class _Worker:
    process: BaseProcess
    conn: Connection
    buf: Any
    clock: Any
    built: bool = False
    ready: bool = False
    tasks: deque[tuple[int, InputItem]] = field(default_factory=deque)

    def head_started(self) -> float | None:
        """Start time of the first task sent to this worker, ``None`` if it has not begun."""
        if self.tasks and int(self.clock[0]) == self.tasks[0][0]:
            return float(self.clock[1])
        return None


def _spent(stage: str | None, seconds: float) -> dict[str, float]:
    """Timings of a document whose worker was killed or died: the per-step times died with it, so
    the whole time since it started is counted against the step that was running."""
    return {stage or "process": seconds}


def _written(result: DocumentResult) -> bool:
    """Whether ``result`` is a document a worker processed and wrote completely."""
    return isinstance(result, WrittenResult) and result.status == "ok" and not result.write_error


class WorkerStartError(CopydeskError):
    """A worker process could not build the pipeline (should have failed in the coordinator)."""


# A second task is queued to a busy worker only when it pickles to less than this, so neither
# side can block on a full socket buffer while the other is blocked sending to it.
_PREFETCH_MAX_BYTES = 32 * 1024
_DEPTH = 2  # tasks in a worker's pipe: the one it runs and the next
_UNSTARTED_POLL = 0.2  # seconds between deadline checks while a worker has not begun a task


class ProcessPoolExecutor(Executor):
    """A pool of worker processes with per-document deadlines enforced by ``SIGKILL``.

    Each worker has at most two documents in its pipe (the one it runs and the next, when the
    next is small), so it never waits for the coordinator between documents. A document's
    deadline counts from the moment its worker starts it; a document queued behind a killed or
    crashed worker's current one is sent to another worker.

    :param spec: how workers rebuild the pipeline.
    :param workers: number of worker processes (>= 1).
    :param timeout: seconds one document may run before its worker is killed; ``None``: no limit.
        Enforced within about 0.2 s of the deadline.
    :param window: tasks pulled ahead of the next result to yield (default ``4 * workers``).
    :param start_method: a :mod:`multiprocessing` start method; ``None`` picks ``fork`` when
        this process runs no other Python thread (fast: the worker starts with every module
        already imported) and ``spawn`` otherwise (forking a threaded process can deadlock).
    :param keep_json: return each result's ``document_json`` (set ``False`` when writing files).
    :param writer: workers write successful documents' outputs themselves (in parallel) and
        return :class:`WrittenResult` without the bytes.
    :param built: the pipeline this process built from ``spec``; workers started with ``fork``
        use their copy of it (nothing is pickled, nothing rebuilt), others rebuild from ``spec``.
    :param warm_up_limit: seconds a worker's warm-up may take, at least ``timeout`` (default
        300). Every worker, a replacement too, warms up before its first document, so first-use
        loads are never charged to a document; a warm-up that crashes switches warm-ups off
        (documents then start cold), one that overruns the limit ends the batch.
    :raises WorkerStartError: from :meth:`map`, when a worker cannot build the pipeline or its
        warm-up overran the limit (naming the stage that was running).
    """

    def __init__(self, spec: PipelineSpec, workers: int, timeout: float | None = None,
                 window: int | None = None, start_method: str | None = START_METHOD, keep_json: bool = True,
                 writer: OutputWriter | None = None, built: Built | None = None,
                 warm_up_limit: float | None = None) -> None:
        self.spec = spec
        self.built = built
        self.keep_json = keep_json
        self.writer = writer
        self.workers = max(1, workers)
        self.timeout = timeout
        self.window = max(window or 4 * self.workers, _DEPTH * self.workers)
        import multiprocessing

        if start_method is None:
            fork_ok = "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1
            start_method = "fork" if fork_ok else "spawn"
        self.start_method = start_method
        self.ctx: Any = multiprocessing.get_context(start_method)
        self._pool: list[_Worker] = []
        self._salvaged: dict[int, Outcome] = {}
        # with a timeout, workers warm up before their first document (dropped for the rest of
        # the run if a warm-up crashes)
        self._warm = bool(timeout)
        self._warm_limit = max(timeout or 0.0, _WARM_UP_LIMIT if warm_up_limit is None else warm_up_limit)

    def stop(self) -> None:
        """As :meth:`Executor.stop`; workers send back the documents waiting in their pipes unrun."""
        self.stopping = True
        for w in self._pool:
            w.clock[2] = 1.0

    def _start(self) -> _Worker:
        parent, child = self.ctx.Pipe(duplex=True)
        buf = self.ctx.Array("c", _STAGE_BUF, lock=False)
        clock = self.ctx.Array("d", 3, lock=False)
        clock[0] = -1.0
        clock[2] = 1.0 if self.stopping else 0.0
        # A forked worker receives the arguments in its copy of memory (no pickling): it may take
        # the built pipeline along; a spawned one rebuilds it from the spec.
        inherited = self.built if self.start_method == "fork" else None
        args = (self.spec, child, buf, clock, self.keep_json, self.writer, os.getpid(), inherited, self._warm)
        proc = self.ctx.Process(target=_worker_main, args=args, daemon=True, name="copydesk-worker")
        with _single_threaded_math():
            proc.start()
        child.close()
        return _Worker(proc, parent, buf, clock)

    @staticmethod
    def _running_step(w: _Worker) -> tuple[str | None, str | None]:
        raw = bytes(w.buf.value).decode("utf-8", "replace")
        if not raw:
            return None, None
        stage, _, plugin = raw.partition("\t")
        return stage, plugin or None

    @staticmethod
    def _kill(w: _Worker) -> None:
        with contextlib.suppress(Exception):
            w.process.kill()
        w.process.join(5)
        with contextlib.suppress(Exception):
            w.conn.close()

    def _dispatch(self, pool: list[_Worker], queue: deque[tuple[int, InputItem]]) -> None:
        """Send queued tasks: first one to every idle worker, then one more to busy ones."""
        from multiprocessing.reduction import ForkingPickler

        for depth in range(1, _DEPTH + 1):
            for w in pool:
                if not queue:
                    return
                if not w.ready or len(w.tasks) >= depth:
                    continue
                data = bytes(ForkingPickler.dumps(queue[0]))
                if w.tasks and len(data) > _PREFETCH_MAX_BYTES:
                    continue
                w.tasks.append(queue.popleft())
                try:
                    w.conn.send_bytes(data)
                except (BrokenPipeError, OSError):
                    pass  # noticed as a dead worker by _wait

    def map(self, tasks: Iterable[Task]) -> Generator[Outcome, None, None]:
        source = iter(tasks)
        exhausted = False
        pulled = 0  # tasks taken from source
        next_out = 0  # index of the next outcome to yield
        done: dict[int, Outcome] = {}
        queue: deque[tuple[int, InputItem]] = deque()
        pool: list[_Worker] = []
        self._pool = pool
        try:
            while True:
                if self.stopping:
                    exhausted = True
                    while queue:
                        index, item = queue.popleft()
                        done[index] = (item, not_run(item))
                while not exhausted and pulled - next_out < self.window:
                    try:
                        item, known = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    if known is not None:
                        done[pulled] = (item, known)
                    else:
                        queue.append((pulled, item))
                    pulled += 1
                while next_out in done:
                    outcome = done.pop(next_out)
                    next_out += 1
                    yield outcome
                if exhausted and next_out == pulled:
                    return
                if not exhausted and pulled - next_out < self.window:
                    continue
                busy = sum(1 for w in pool if w.tasks)
                while len(pool) < self.workers and len(pool) < busy + len(queue):
                    pool.append(self._start())
                self._dispatch(pool, queue)
                self._wait(pool, done, queue)
        finally:
            for w in pool:
                w.clock[2] = 1.0  # cut short: documents still queued in a pipe come back unrun
                with contextlib.suppress(Exception):
                    w.conn.send(None)
            for w in pool:
                w.process.join(0.5)
                self._drain(w, done)
                if w.process.is_alive():
                    self._kill(w)
                else:
                    with contextlib.suppress(Exception):
                        w.conn.close()
            self._pool = []
            # the map was cut short: documents whose outputs a worker wrote are not lost to the report
            self._salvaged = {index: outcome for index, outcome in done.items() if _written(outcome[1])}

    def salvage(self) -> dict[int, Outcome]:
        """Outcomes of documents whose worker wrote their outputs but that :meth:`map` had not
        yielded yet when it was closed early (an interrupt, an unwritable output), by task index."""
        return dict(self._salvaged)

    def _drain(self, w: _Worker, done: dict[int, Outcome]) -> None:
        """Record the results a worker sent that were not received yet (never raises)."""
        with contextlib.suppress(Exception):
            while w.tasks and w.conn.poll():
                tag, payload = w.conn.recv()
                if isinstance(tag, int) and tag == w.tasks[0][0]:
                    index, item = w.tasks.popleft()
                    if payload is not None:
                        done[index] = (item, payload)

    def _wait_time(self, pool: list[_Worker]) -> float | None:
        if not self.timeout:
            return None
        waits: list[float] = []
        now = time.monotonic()
        for w in pool:
            if w.tasks:
                started = w.head_started()
                waits.append(_UNSTARTED_POLL if started is None else max(0.0, started + self.timeout - now))
            elif not w.ready:
                warming = w.clock[0] == _WARMING
                waits.append(max(0.0, w.clock[1] + self._warm_limit - now) if warming else _UNSTARTED_POLL)
        return min(waits) if waits else None

    def _wait(self, pool: list[_Worker], done: dict[int, Outcome], queue: deque[tuple[int, InputItem]]) -> None:
        """Wait for events (results, dead workers, deadlines) and record their outcomes."""
        from multiprocessing.connection import wait

        by_conn = {id(w.conn): w for w in pool}
        by_sentinel = {w.process.sentinel: w for w in pool}
        objects: list[Any] = [w.conn for w in pool] + list(by_sentinel)
        ready = wait(objects, self._wait_time(pool))
        dead: dict[int, _Worker] = {}
        for obj in ready:
            w = by_sentinel[obj] if isinstance(obj, int) else by_conn[id(obj)]
            if id(w) in dead:
                continue
            try:
                while w.conn.poll():
                    self._receive(w, w.conn.recv(), done)
            except (EOFError, OSError):
                dead[id(w)] = w
                continue
            if isinstance(obj, int) or not w.process.is_alive():
                dead[id(w)] = w
        timed_out: set[int] = set()
        if self.timeout:
            now = time.monotonic()
            for w in pool:
                started = w.head_started()
                if id(w) not in dead and started is not None and now >= started + self.timeout:
                    stage, plugin = self._running_step(w)
                    self._kill(w)
                    index, item = w.tasks.popleft()
                    where = where_running(stage, plugin)
                    result = internal_failure(item, f"timed out after {self.timeout:g} s{where}; worker process "
                                                    "killed", status="timeout", stage=stage, plugin=plugin)
                    result.timings = _spent(stage, now - started)
                    done[index] = (item, result)
                    dead[id(w)] = w
                    timed_out.add(id(w))
        if self.timeout:
            now = time.monotonic()
            for w in pool:
                warming = id(w) not in dead and not w.ready and w.clock[0] == _WARMING
                if warming and now >= w.clock[1] + self._warm_limit:
                    # starting documents cold instead would charge the load (or hang) to each of
                    # them, again after every replacement; a clear stop is better
                    stage, plugin = self._running_step(w)
                    where = where_running(stage, plugin)
                    raise WorkerStartError(
                        f"a worker's warm-up (the imports and model loads of its first document) took over "
                        f"{self._warm_limit:g} s{where}; a stage hangs on first use, or its load needs a "
                        "longer --timeout")
        for w in dead.values():
            if not w.ready and w.built:  # its warm-up crashed: start the others cold
                log.debug("a worker's warm-up failed; workers start without it")
                self._warm = False
                self._kill(w)
                pool.remove(w)
                continue
            if not w.ready:
                self._kill(w)
                raise WorkerStartError("a worker process exited before building the pipeline")
            if w.tasks and id(w) not in timed_out:
                # the document it was running (or about to run) fails; the rest go to other workers
                stage, plugin = self._running_step(w)
                started = w.head_started()
                w.process.join(1)
                code = w.process.exitcode
                index, item = w.tasks.popleft()
                where = where_running(stage, plugin)
                result = internal_failure(item, f"worker process died{where} (exit code {code})", stage=stage,
                                          plugin=plugin)
                if started is not None:
                    result.timings = _spent(stage, time.monotonic() - started)
                done[index] = (item, result)
            queue.extendleft(reversed(w.tasks))  # not started: another worker runs them
            w.tasks.clear()
            self._kill(w)
            pool.remove(w)

    def _receive(self, w: _Worker, msg: Any, done: dict[int, Outcome]) -> None:
        tag, payload = msg
        if tag == "built":
            w.built = True
        elif tag == "ready":
            w.ready = True
        elif tag == "error":
            raise WorkerStartError(f"a worker could not build the pipeline: {payload}")
        else:
            index, item = w.tasks.popleft()
            assert index == tag, (index, tag)
            done[index] = (item, not_run(item) if payload is None else payload)
