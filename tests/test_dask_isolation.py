"""Under Dask, documents that kill their worker fail alone: the documents that shared the dying
worker run again, one at a time, and succeed."""

from __future__ import annotations

import contextlib
import types
from pathlib import Path
from typing import Any

import pytest
from test_batch_qa3 import config, copydesk, corpus, entries


@pytest.mark.parametrize("crashing", [(3,), (1, 2, 3)])
def test_documents_sharing_a_worker_with_a_crash_are_retried_alone_and_succeed(
        tmp_path: Path, crashing: tuple[int, ...]) -> None:
    pytest.importorskip("distributed")
    texts = {f"d{i}.txt": "CRASH\n" if i in crashing else f"fine text {i}\n" for i in range(8)}
    corpus(tmp_path, texts)
    config(tmp_path, "stages:\n  - name: crasher\nexporters:\n  - name: json\n")
    res = copydesk(tmp_path, "-q", "run", "p.yaml", "in", "-o", "out", "--executor", "dask", "-j", "2",
                   "--no-cache", "--report", "r.json")
    assert res.returncode == 1, res.stderr
    docs = entries(tmp_path / "r.json")
    failed = {f"d{i}": "failed" for i in crashing}
    assert {k: d["status"] for k, d in docs.items() if d["status"] != "ok"} == failed, docs
    assert all(docs[k]["error"] == "worker process died (the Dask worker running it was lost)" for k in failed)
    assert "Traceback" not in res.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(
        f"d{i}.json" for i in range(8) if i not in crashing)


class KilledWorker(Exception):
    """Stands for distributed.scheduler.KilledWorker (matched by name)."""


class _Future:
    def __init__(self, key: str, value: Any, lost: bool) -> None:
        self.key, self.value, self.lost = key, value, lost
        self.status = "finished"

    def result(self) -> Any:
        if self.lost:  # its worker died after finishing it: the recomputation was killed too
            raise KilledWorker(f"Attempted to run task {self.key!r} on 2 different workers")
        return self.value

    def exception(self) -> BaseException | None:
        return None

    def release(self) -> None:
        pass


def test_a_finished_result_lost_with_a_later_crash_runs_again_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A future that was finished when waited for can still raise KilledWorker from result();
    that document runs again alone instead of the exception ending the batch."""
    from pipeline.executors import dask as dask_executor
    from pipeline.executors.base import PipelineSpec
    from pipeline.inputs import InputItem
    from pipeline.runner import DocumentResult

    keys: list[str] = []

    class Client:
        cluster = None

        def nthreads(self) -> dict[str, int]:
            return {"w1": 1, "w2": 1}

        def submit(self, fn: Any, spec: Any, item: InputItem, task_key: str, **kwargs: Any) -> _Future:
            keys.append(task_key)
            first_try_of_a = item.doc_id == "a" and not task_key.endswith("-alone")
            return _Future(task_key, DocumentResult(doc_id=item.doc_id, status="ok"), lost=first_try_of_a)

        def as_current(self) -> contextlib.AbstractContextManager[None]:
            return contextlib.nullcontext()

        def close(self) -> None:
            pass

    def wait(futs: list[_Future], timeout: float | None, return_when: str) -> Any:
        return types.SimpleNamespace(done=set(futs))

    monkeypatch.setattr(dask_executor.importlib, "import_module", lambda name: types.SimpleNamespace(wait=wait))
    monkeypatch.setattr(dask_executor.DaskExecutor, "_client", lambda self: Client())
    executor = dask_executor.DaskExecutor(PipelineSpec(None), scheduler="tcp://fake:8786")
    items = [InputItem(doc_id=d, path=None, raw=b"text", origin=d) for d in ("a", "b")]
    outcomes = list(executor.map([(item, None) for item in items]))
    assert [(i.doc_id, r.status) for i, r in outcomes] == [("a", "ok"), ("b", "ok")]
    assert [k.endswith("-alone") for k in keys] == [False, False, True]  # a, b, then a by itself
