"""Running many documents: scheduling, writing outputs, the run report, exit status.

A batch never stops because one document fails (unless ``fail_fast``): each failure is
recorded in the report with the failing stage and plugin, and the other documents' outputs
are written as usual. Outputs are written by the coordinating process, atomically, in input
order, so a run killed at any moment leaves every output either complete or absent.
"""

from __future__ import annotations

import json
import logging
import sys
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from pipeline.build import Built
from pipeline.inputs import InputItem
from pipeline.outputs import ensure_dir, write_atomic
from pipeline.runner import DocumentResult

log = logging.getLogger(__name__)

STATUSES = ("ok", "failed", "timeout", "skipped-cached")


@dataclass
class BatchOptions:
    """How to run a batch.

    :ivar output_dir: directory for exporter files, or ``-`` for JSON lines on ``stdout``.
    :ivar fail_fast: stop scheduling new documents after the first failure.
    :ivar max_failures: exit 1 only when more documents than this failed (``None``: any).
    """

    output_dir: str
    fail_fast: bool = False
    max_failures: int | None = None
    stdout: IO[bytes] | None = None


@dataclass
class BatchReport:
    """The run report (``--report FILE`` writes :meth:`as_dict` as JSON)."""

    documents: list[dict[str, Any]] = field(default_factory=list)
    config_hash: str = ""
    plugins: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0

    def totals(self) -> dict[str, int]:
        """Count of documents per status."""
        counts = dict.fromkeys(STATUSES, 0)
        for d in self.documents:
            counts[d["status"]] = counts.get(d["status"], 0) + 1
        counts["documents"] = len(self.documents)
        return counts

    def as_dict(self) -> dict[str, Any]:
        """The report as plain data."""
        return {
            "totals": self.totals(),
            "seconds": round(self.seconds, 3),
            "config_hash": self.config_hash,
            "plugins": self.plugins,
            "documents": self.documents,
        }

    def summary_line(self) -> str:
        """One line for stderr: ``3 documents: 2 ok, 1 failed (0.41 s)``."""
        t = self.totals()
        parts = [f"{t[s]} {s}" for s in STATUSES if t[s] or s == "ok"]
        return f"{t['documents']} documents: {', '.join(parts)} ({self.seconds:.2f} s)"


def serial_results(built: Built, items: Iterable[InputItem]) -> Iterator[tuple[InputItem, DocumentResult]]:
    """Process items one after another in this process."""
    for item in items:
        yield item, built.pipeline.process(item)


def run_batch(
    built: Built,
    items: list[InputItem],
    options: BatchOptions,
    results: Callable[[Built, list[InputItem]], Iterator[tuple[InputItem, DocumentResult]]] | None = None,
) -> BatchReport:
    """Process ``items`` and write their outputs; return the report.

    :param results: the executor: yields ``(item, result)`` in input order (serial by default).
    :raises pipeline.outputs.OutputError: the output directory cannot be written.
    """
    report = BatchReport(
        config_hash=built.resolved.config_hash(),
        plugins={name: info.version for name, info in sorted(built.plugins.info.items())},
    )
    to_stdout = options.output_dir == "-"
    stream = options.stdout or sys.stdout.buffer
    if not to_stdout:
        ensure_dir(options.output_dir)
    hook = built.plugins.manager.hook
    hook.pipeline_started(config=built.resolved.config.model_dump(mode="json"), inputs=[i.origin for i in items])
    t0 = time.perf_counter()
    failures = 0
    for item, result in (results or serial_results)(built, items):
        if result.status == "ok":
            if to_stdout:
                assert result.document_json is not None
                stream.write(result.document_json + b"\n")
                stream.flush()
            else:
                for name, data in sorted(result.outputs.items()):
                    write_atomic(options.output_dir, name, data)
        else:
            failures += 1
            log.error("%s", result.error)
        report.documents.append(_report_entry(item, result))
        hook.document_finished(document=None, doc_id=result.doc_id, status=result.status, error=result.error)
        if options.fail_fast and failures:
            break
    report.seconds = time.perf_counter() - t0
    hook.pipeline_finished(summary={**report.totals(), "seconds": report.seconds})
    return report


def _report_entry(item: InputItem, result: DocumentResult) -> dict[str, Any]:
    return {
        "id": result.doc_id,
        "input": item.origin,
        "status": result.status,
        "stage": result.stage,
        "plugin": result.plugin,
        "error": result.error,
        "timings": {k: round(v, 6) for k, v in result.timings.items()},
        "outputs": sorted(result.outputs),
    }


def write_report(path: str, report: BatchReport) -> None:
    """Write the report as JSON (atomically)."""
    import os

    data = (json.dumps(report.as_dict(), indent=2, ensure_ascii=False) + "\n").encode("utf-8")
    directory = os.path.dirname(os.path.abspath(path))
    write_atomic(directory, os.path.basename(path), data)


def exit_code(report: BatchReport, max_failures: int | None) -> int:
    """0 when every document succeeded (or failures within ``max_failures``), else 1."""
    t = report.totals()
    bad = t["failed"] + t["timeout"]
    if bad == 0:
        return 0
    if max_failures is not None and bad <= max_failures:
        return 0
    return 1
