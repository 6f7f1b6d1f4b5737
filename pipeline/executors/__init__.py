"""Executors: where the documents of a batch run (this process, a process pool, a Dask cluster).

Every executor has the same shape: :meth:`Executor.map` takes an iterable of *tasks*
``(item, known_result)`` and yields ``(item, result)`` **in task order**, whatever order the
documents finish in. A task whose ``known_result`` is not ``None`` (a cache hit) is not run;
it just keeps its place in the output order. Tasks are pulled lazily and at most ``window``
tasks are in flight or buffered at once, so memory does not grow with the size of the batch.

No pipeline object is ever pickled: a spawned process-pool worker or a Dask worker rebuilds
the pipeline once from a :class:`PipelineSpec` (the config path and the ``--set`` overrides),
exactly as the command line built it, so plugins must be importable modules; a forked pool
worker uses its copy of the coordinator's pipeline.

Modules: :mod:`~pipeline.executors.base` (the interface, in-process), :mod:`~pipeline.executors.pool`
(process pool with killing timeouts), :mod:`~pipeline.executors.dask` (a Dask cluster).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from pipeline.executors.base import (
    Executor,
    Outcome,
    OutputWriter,
    PipelineSpec,
    SerialExecutor,
    Task,
    WrittenResult,
    default_workers,
    internal_failure,
    not_run,
    safe_process,
)

if TYPE_CHECKING:
    from pipeline.executors.dask import DaskExecutor
    from pipeline.executors.pool import START_METHOD, ProcessPoolExecutor, WorkerStartError

# The pool and Dask modules are imported when first named (PEP 562): a run of one document,
# or a local run, does not pay for them.
_LAZY = {
    "DaskExecutor": "pipeline.executors.dask",
    "START_METHOD": "pipeline.executors.pool",
    "ProcessPoolExecutor": "pipeline.executors.pool",
    "WorkerStartError": "pipeline.executors.pool",
}

__all__ = [
    "START_METHOD",
    "DaskExecutor",
    "Executor",
    "Outcome",
    "OutputWriter",
    "PipelineSpec",
    "ProcessPoolExecutor",
    "SerialExecutor",
    "Task",
    "WorkerStartError",
    "WrittenResult",
    "default_workers",
    "internal_failure",
    "not_run",
    "safe_process",
]


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'pipeline.executors' has no attribute {name!r}")
    return getattr(importlib.import_module(module), name)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
