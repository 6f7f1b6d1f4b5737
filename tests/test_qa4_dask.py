"""QA round 4: with the Dask executor, distributed's own log lines (the client's "Couldn't
gather 1 keys, rescheduling" after a worker died) stay out of stderr unless -v."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("distributed")

KILLER = '''
import os

from pipeline import Document, Stage, hookimpl


class KillWorker(Stage):
    """Ends its worker process on the document named KILL (a crashing plugin); the others wait a
    little, so the other worker holds finished results when that happens."""

    name = "kill_worker"

    def process(self, doc: Document) -> Document:
        if doc.id == "kill":
            os._exit(3)
        import time
        time.sleep(0.3)
        return doc


@hookimpl
def register_stages(register):
    register(KillWorker)
'''


@pytest.fixture
def distributed_levels() -> Iterator[None]:
    """Restore distributed's logger levels after a test that changes them in this process."""
    loggers = [lg for name, lg in list(logging.Logger.manager.loggerDict.items())
               if name.split(".")[0] == "distributed" and isinstance(lg, logging.Logger)]
    saved = [(lg, lg.level) for lg in loggers]
    yield
    for lg, level in saved:
        lg.setLevel(level)


def test_silencing_covers_distributed_loggers_with_a_level_of_their_own(distributed_levels: None) -> None:
    import distributed  # noqa: F401 - its logging config sets distributed.client's own level

    from pipeline.executors.dask import _silence_distributed_logs

    own = logging.getLogger("distributed.qa4_own_level")
    own.setLevel(logging.INFO)
    _silence_distributed_logs()
    for name in ("distributed", "distributed.client", "distributed.scheduler", "distributed.qa4_own_level"):
        assert not logging.getLogger(name).isEnabledFor(logging.CRITICAL), name


def test_quiet_dask_run_with_a_dying_worker_prints_no_distributed_warnings(tmp_path: Path) -> None:
    (tmp_path / "qa4_killer.py").write_text(KILLER, encoding="utf-8")
    (tmp_path / "p.yaml").write_text("plugins: [qa4_killer]\nstages:\n  - name: kill_worker\n"
                                     "exporters:\n  - name: json\n", encoding="utf-8")
    (tmp_path / "in").mkdir()
    for name in ("a", "b", "c", "kill", "d", "e"):
        (tmp_path / "in" / f"{name}.txt").write_text(f"text {name}\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    res = subprocess.run([sys.executable, "-m", "pipeline.cli", "-q", "run", "p.yaml", "in", "-o", "out",
                          "--executor", "dask", "-j", "2", "--no-cache"],
                         cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    assert res.returncode == 1, res.stderr
    assert "in/kill.txt: worker process died" in res.stderr
    assert "WARNING" not in res.stderr and "Couldn't gather" not in res.stderr, res.stderr


class _FakeFuture:
    """A distributed future whose statuses follow a script (one per wait() that returns it)."""

    def __init__(self, key: str, statuses: list[str], value: Any) -> None:
        self.key, self.statuses, self.value = key, statuses, value

    @property
    def status(self) -> str:
        return self.statuses[0]

    def result(self) -> Any:
        assert self.status == "finished"
        return self.value

    def exception(self) -> BaseException | None:
        return None  # a lost future has no exception (distributed waits until it is recomputed)

    def release(self) -> None:
        pass


def test_a_result_lost_with_its_worker_is_waited_for_not_failed(monkeypatch: pytest.MonkeyPatch) -> None:
    """distributed's wait() counts a future whose result went with a dying worker ("lost", then
    recomputed) as done; that document must not fail with "Dask task failed: NoneType: None"."""
    import contextlib
    import types

    from pipeline.executors import dask as dask_executor
    from pipeline.executors.base import PipelineSpec
    from pipeline.inputs import InputItem
    from pipeline.runner import DocumentResult

    futures: list[_FakeFuture] = []

    class Client:
        cluster = None

        def nthreads(self) -> dict[str, int]:
            return {"w1": 1}

        def submit(self, fn: Any, spec: Any, item: InputItem, task_key: str, **kwargs: Any) -> _FakeFuture:
            fut = _FakeFuture(task_key, ["lost", "lost", "finished"], DocumentResult(doc_id=item.doc_id, status="ok"))
            futures.append(fut)
            return fut

        def as_current(self) -> contextlib.AbstractContextManager[None]:
            return contextlib.nullcontext()

        def close(self) -> None:
            pass

    def wait(futs: list[_FakeFuture], timeout: float | None, return_when: str) -> Any:
        for fut in futs:
            if len(fut.statuses) > 1:
                fut.statuses.pop(0)
        return types.SimpleNamespace(done={f for f in futs if f.status != "pending"})

    monkeypatch.setattr(dask_executor.importlib, "import_module", lambda name: types.SimpleNamespace(wait=wait))
    monkeypatch.setattr(dask_executor.DaskExecutor, "_client", lambda self: Client())
    monkeypatch.setattr(dask_executor.time, "sleep", lambda seconds: None)
    executor = dask_executor.DaskExecutor(PipelineSpec(None), scheduler="tcp://fake:8786")
    item = InputItem(doc_id="a", path=None, raw=b"text", origin="a")
    outcomes = list(executor.map([(item, None)]))
    assert [(i.doc_id, r.status, r.error) for i, r in outcomes] == [("a", "ok", None)]
