"""Running a batch on a Dask cluster through distributed's client.

With :class:`DaskExecutor` a timed-out task is cancelled and the Dask worker that was running
it is restarted (its process is killed by the nanny); the deadline counts from submission,
and the window equals the cluster's thread count so a submitted task starts at once.
"""

from __future__ import annotations

import contextlib
import dataclasses
import importlib
import logging
import os
import threading
import time
import warnings
from collections import deque
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any

from pipeline.errors import CopydeskError
from pipeline.executors.base import (
    Executor,
    Outcome,
    PipelineSpec,
    Task,
    internal_failure,
    not_run,
    safe_process,
    where_running,
)
from pipeline.runner import DocumentResult

if TYPE_CHECKING:

    from pipeline.build import Built
    from pipeline.inputs import InputItem

log = logging.getLogger(__name__)

_DASK_BUILT: dict[tuple[PipelineSpec, int], Built] = {}  # one pipeline per worker thread
_DASK_LOCK = threading.Lock()
_STEPS: dict[str, str] = {}  # in a Dask worker: task key -> "stage\tplugin" it is running
_CURRENT = threading.local()  # .key: the task key this worker thread runs


class _StepBoard:
    """Where the instrumented components of a Dask worker publish their step (the pool's
    shared-memory buffer has the same ``value`` attribute), per task."""

    @property
    def value(self) -> bytes:
        return _STEPS.get(getattr(_CURRENT, "key", ""), "").encode("utf-8")

    @value.setter
    def value(self, data: bytes) -> None:
        key = getattr(_CURRENT, "key", None)
        if key is not None:
            _STEPS[key] = data.decode("utf-8", "replace")


def dask_process(spec: PipelineSpec, item: InputItem, task_key: str | None = None) -> DocumentResult:
    """The Dask task: process one item with this worker thread's pipeline (built once)."""
    from pipeline.executors.pool import _instrument

    key = (spec, threading.get_ident())
    with _DASK_LOCK:
        if spec.cwd and os.path.isdir(spec.cwd) and os.getcwd() != spec.cwd:
            os.chdir(spec.cwd)
        built = _DASK_BUILT.get(key)
    if built is None:
        built = spec.build()
        _instrument(built, _StepBoard())
        with _DASK_LOCK:
            _DASK_BUILT[key] = built
    _CURRENT.key = task_key
    try:
        return safe_process(built, item)
    finally:
        _CURRENT.key = None
        if task_key is not None:
            _STEPS.pop(task_key, None)


def _silence_distributed_logs() -> None:
    """Silence distributed's loggers in this process (the client's, and a local cluster's
    scheduler): their lines (a worker restarted after a timeout or lost, a cancelled task, the
    client's "Couldn't gather 1 keys, rescheduling", a busy port) are expected here, and copydesk
    reports each document itself; ``-v`` shows them.

    Setting the level of ``distributed`` alone is not enough: distributed's logging config gives
    some of its loggers their own level (``distributed.client: warning``), and a logger with a
    level of its own does not take its parent's. Left silenced after the run: the cluster's
    threads may still log while the process exits.
    """
    silent = logging.CRITICAL + 1
    logging.getLogger("distributed").setLevel(silent)
    for name, logger in list(logging.Logger.manager.loggerDict.items()):
        if name.startswith("distributed.") and isinstance(logger, logging.Logger) and logger.level != logging.NOTSET:
            logger.setLevel(silent)


def _step_of(task_key: str) -> str | None:
    """Run on a Dask worker (``client.run``): the ``stage\tplugin`` its task is running."""
    return _STEPS.get(task_key)


def _worker_died(err: BaseException | None) -> bool:
    """Whether a task failed because the worker running it died (distributed's ``KilledWorker``)."""
    return type(err).__name__ == "KilledWorker"


def _failure_message(err: BaseException | None) -> str:
    """A short message for a Dask task that did not return a result."""
    if err is None:
        return "Dask task failed without an error"
    if _worker_died(err):  # distributed's long text says no more than this
        return "worker process died (the Dask worker running it was lost)"
    first = str(err).strip().splitlines()[0] if str(err).strip() else ""
    return f"Dask task failed: {type(err).__name__}" + (f": {first[:200]}" if first else "")


def _with_bytes(item: InputItem) -> InputItem:
    """``item`` carrying its input bytes (read here) so Dask workers need not read the file."""
    if item.raw is not None:
        return item
    try:
        raw = item.read_bytes()
    except CopydeskError:
        return item  # the worker reports the read error
    return dataclasses.replace(item, raw=raw)


class DaskExecutor(Executor):
    """Runs documents on a Dask cluster through ``distributed.Client``.

    Each task carries the document's input bytes (read by the coordinator). The config file and
    plugin modules must be importable/readable under the same paths on the Dask workers (a
    shared file system or the same image); workers change to the coordinator's working
    directory when it exists there.

    :param spec: how workers rebuild the pipeline.
    :param scheduler: the scheduler address (``tcp://host:8786``); ``None`` starts a local
        cluster of ``workers`` single-threaded processes for this run.
    :param workers: local cluster size when ``scheduler`` is ``None``.
    :param timeout: seconds from submission before a task is cancelled and its worker restarted.
    :raises pipeline.errors.ConfigError: here, when ``distributed`` is not installed (before any
        document runs); from :meth:`map`, when the scheduler cannot be reached.
    """

    def __init__(self, spec: PipelineSpec, scheduler: str | None, workers: int = 1,
                 timeout: float | None = None) -> None:
        from importlib.util import find_spec

        from pipeline.errors import ConfigError

        if find_spec("distributed") is None:
            raise ConfigError("the dask executor needs the dask extra: pip install 'copydesk[dask]'")
        self.spec = spec
        self.scheduler = scheduler
        self.workers = max(1, workers)
        self.timeout = timeout

    def _client(self) -> Any:
        from pipeline.errors import ConfigError

        try:
            distributed: Any = importlib.import_module("distributed")
        except ImportError:
            raise ConfigError("the dask executor needs the optional extra: pip install 'copydesk[dask]'") from None
        quiet = log.getEffectiveLevel() > logging.INFO
        if quiet:
            _silence_distributed_logs()
        try:
            if self.scheduler:
                return distributed.Client(self.scheduler, timeout="10s", set_as_default=False)
            with warnings.catch_warnings():
                if quiet:  # "Port 8787 is already in use": the scheduler's HTTP server moves to a free port
                    warnings.simplefilter("ignore", UserWarning)
                import dask

                # a task whose worker dies is retried once (a task handed to a worker that a timeout
                # restarts must not fail), not on three more workers, killing each
                with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
                    cluster = distributed.LocalCluster(n_workers=self.workers, threads_per_worker=1,
                                                       processes=True, dashboard_address=None,
                                                       silence_logs=logging.CRITICAL + 1 if quiet else logging.WARNING)
            return distributed.Client(cluster, set_as_default=False)
        except (OSError, TimeoutError) as err:
            raise ConfigError(f"cannot connect to the Dask scheduler {self.scheduler}: {err}") from None

    def map(self, tasks: Iterable[Task]) -> Generator[Outcome, None, None]:
        import uuid

        distributed: Any = importlib.import_module("distributed")

        client = self._client()
        own_cluster = self.scheduler is None
        token = uuid.uuid4().hex[:12]
        try:
            nthreads = max(1, sum(client.nthreads().values()))
            window = nthreads if self.timeout else 2 * nthreads
            source = iter(tasks)
            exhausted = False
            pulled = next_out = 0
            done: dict[int, Outcome] = {}
            running: dict[Any, tuple[int, InputItem, float]] = {}
            # Documents lost with a dying worker. The one that crashed it cannot be told from the
            # innocent ones that shared the worker, so each runs again alone on the cluster (no new
            # document starts meanwhile): the innocent ones succeed, the culprit fails by itself.
            suspects: deque[tuple[int, InputItem]] = deque()
            retried: set[int] = set()

            def submit(index: int, item: InputItem, attempt: str = "") -> None:
                key = f"copydesk-{token}-{index}{attempt}"
                fut = client.submit(dask_process, self.spec, item, key, key=key, pure=False, retries=0)
                running[fut] = (index, item, time.monotonic())

            while True:
                if self.stopping:  # documents on the cluster are cancelled (this process writes outputs)
                    exhausted = True
                    for fut, (index, item, _) in running.items():
                        fut.cancel()
                        done[index] = (item, not_run(item))
                    running.clear()
                    for index, item in suspects:
                        done[index] = (item, not_run(item))
                    suspects.clear()
                if suspects and not running:
                    index, item = suspects.popleft()
                    submit(index, item, "-alone")
                while (not exhausted and not suspects and len(running) < window
                       and pulled - next_out < 4 * window):
                    try:
                        item, known = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    if known is not None:
                        done[pulled] = (item, known)
                    else:
                        submit(pulled, _with_bytes(item))
                    pulled += 1
                while next_out in done:
                    outcome = done.pop(next_out)
                    next_out += 1
                    yield outcome
                if exhausted and next_out == pulled:
                    return
                if not running:
                    continue
                wait_for = None
                if self.timeout:
                    first = min(t for _, _, t in running.values())
                    wait_for = max(0.05, first + self.timeout - time.monotonic())
                try:
                    with client.as_current():
                        finished = distributed.wait(list(running), timeout=wait_for,
                                                    return_when="FIRST_COMPLETED").done
                except TimeoutError:
                    finished = set()
                settled = 0
                for fut in finished:
                    if fut.status in ("lost", "pending"):
                        # its result went with a worker that died before it was fetched:
                        # distributed computes it again, so it is still running (not failed)
                        continue
                    settled += 1
                    index, item, _ = running.pop(fut)
                    try:
                        # a finished result can still be lost before it is fetched (its worker dies
                        # later, on another document): result() then raises what the retry raised
                        result: DocumentResult | None = fut.result() if fut.status == "finished" else None
                        err = None if result is not None else fut.exception()
                    except Exception as lost:  # noqa: BLE001 - recorded against this document
                        result, err = None, lost
                    if result is not None:
                        done[index] = (item, result)
                    elif _worker_died(err) and index not in retried:
                        retried.add(index)
                        suspects.append((index, item))
                    else:
                        done[index] = (item, internal_failure(item, _failure_message(err)))
                    fut.release()
                if finished and not settled:
                    time.sleep(0.05)  # wait() counts a lost future as done: do not spin until it is recomputed
                if self.timeout:
                    now = time.monotonic()
                    for fut, (index, item, t0) in list(running.items()):
                        if now - t0 >= self.timeout:
                            stage, plugin = self._kill_task(client, fut)
                            running.pop(fut)
                            where = where_running(stage, plugin)
                            done[index] = (item, internal_failure(
                                item, f"timed out after {self.timeout:g} s{where}; Dask worker restarted",
                                status="timeout", stage=stage, plugin=plugin))
        finally:
            with contextlib.suppress(Exception):
                client.close()
            if own_cluster and client.cluster is not None:
                with contextlib.suppress(Exception):
                    client.cluster.close()

    @staticmethod
    def _kill_task(client: Any, fut: Any) -> tuple[str | None, str | None]:
        """Cancel a timed-out task and restart the worker running it; return the ``(stage,
        plugin)`` it was running when the worker could still say (within a second)."""
        processing = client.processing()
        holders = [addr for addr, keys in processing.items() if fut.key in keys]
        step = _ask_step(client, fut.key, holders) if holders else None
        stage, _, plugin = (step or "").partition("\t")
        fut.cancel()
        if holders:
            try:
                client.restart_workers(holders, timeout=30)
            except Exception as err:  # noqa: BLE001 - the document is already reported as timed out
                log.warning("could not restart Dask worker(s) %s: %s", holders, err)
        return stage or None, plugin or None


def _ask_step(client: Any, task_key: str, holders: list[str]) -> str | None:
    """The step a worker reports for ``task_key`` (:func:`_step_of`), or ``None`` when it does
    not answer within a second (a stage holding the interpreter lock in C code)."""
    answer: dict[str, Any] = {}

    def ask() -> None:
        with contextlib.suppress(Exception):
            answer.update(client.run(_step_of, task_key, workers=holders, on_error="ignore"))

    thread = threading.Thread(target=ask, name="copydesk-ask-step", daemon=True)
    thread.start()
    thread.join(1.0)
    return next((v for v in answer.values() if isinstance(v, str) and v), None)
