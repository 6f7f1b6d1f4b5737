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
from collections.abc import Generator, Iterable
from typing import TYPE_CHECKING, Any

from pipeline.errors import CopydeskError
from pipeline.executors.base import Executor, Outcome, PipelineSpec, Task, internal_failure, not_run, safe_process
from pipeline.runner import DocumentResult

if TYPE_CHECKING:

    from pipeline.build import Built
    from pipeline.inputs import InputItem

log = logging.getLogger(__name__)

_DASK_BUILT: dict[tuple[PipelineSpec, int], Built] = {}  # one pipeline per worker thread
_DASK_LOCK = threading.Lock()


def dask_process(spec: PipelineSpec, item: InputItem) -> DocumentResult:
    """The Dask task: process one item with this worker thread's pipeline (built once)."""
    key = (spec, threading.get_ident())
    with _DASK_LOCK:
        if spec.cwd and os.path.isdir(spec.cwd) and os.getcwd() != spec.cwd:
            os.chdir(spec.cwd)
        built = _DASK_BUILT.get(key)
    if built is None:
        built = spec.build()
        with _DASK_LOCK:
            _DASK_BUILT[key] = built
    return safe_process(built, item)


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
            # distributed's own warnings (a worker restarted after a timeout, a cancelled task, a
            # busy port) are expected here; copydesk reports each document itself
            logging.getLogger("distributed").setLevel(logging.ERROR)
        try:
            if self.scheduler:
                return distributed.Client(self.scheduler, timeout="10s", set_as_default=False)
            with warnings.catch_warnings():
                if quiet:  # "Port 8787 is already in use": the scheduler's HTTP server moves to a free port
                    warnings.simplefilter("ignore", UserWarning)
                cluster = distributed.LocalCluster(n_workers=self.workers, threads_per_worker=1, processes=True,
                                                   dashboard_address=None,
                                                   silence_logs=logging.ERROR if quiet else logging.WARNING)
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
            while True:
                if self.stopping:  # documents on the cluster are cancelled (this process writes outputs)
                    exhausted = True
                    for fut, (index, item, _) in running.items():
                        fut.cancel()
                        done[index] = (item, not_run(item))
                    running.clear()
                while not exhausted and len(running) < window and pulled - next_out < 4 * window:
                    try:
                        item, known = next(source)
                    except StopIteration:
                        exhausted = True
                        break
                    if known is not None:
                        done[pulled] = (item, known)
                    else:
                        item = _with_bytes(item)
                        fut = client.submit(dask_process, self.spec, item, key=f"copydesk-{token}-{pulled}",
                                            pure=False, retries=0)
                        running[fut] = (pulled, item, time.monotonic())
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
                for fut in finished:
                    index, item, _ = running.pop(fut)
                    if fut.status == "finished":
                        done[index] = (item, fut.result())
                    else:
                        err = fut.exception()
                        done[index] = (item, internal_failure(item, f"Dask task failed: {type(err).__name__}: {err}"))
                    fut.release()
                if self.timeout:
                    now = time.monotonic()
                    for fut, (index, item, t0) in list(running.items()):
                        if now - t0 >= self.timeout:
                            self._kill_task(client, fut)
                            running.pop(fut)
                            done[index] = (item, internal_failure(
                                item, f"timed out after {self.timeout:g} s; Dask worker restarted", status="timeout"))
        finally:
            with contextlib.suppress(Exception):
                client.close()
            if own_cluster and client.cluster is not None:
                with contextlib.suppress(Exception):
                    client.cluster.close()

    @staticmethod
    def _kill_task(client: Any, fut: Any) -> None:
        processing = client.processing()
        holders = [addr for addr, keys in processing.items() if fut.key in keys]
        fut.cancel()
        if holders:
            try:
                client.restart_workers(holders, timeout=30)
            except Exception as err:  # noqa: BLE001 - the document is already reported as timed out
                log.warning("could not restart Dask worker(s) %s: %s", holders, err)
