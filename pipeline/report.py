"""The run report: per-document entries, totals, the JSON file and the exit status.

:class:`BatchReport` collects one entry per document as the batch runs (spooled, so memory
stays flat); :func:`write_report` writes it atomically (or to standard output, a device or a
named pipe); :func:`exit_code` turns it into the process's exit status.
"""

from __future__ import annotations

import contextlib
import json
import os
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import IO, TYPE_CHECKING, Any

from pipeline.outputs import OutputError, StdoutClosed, create_temporary

if TYPE_CHECKING:
    from pipeline.inputs import InputItem
    from pipeline.runner import DocumentResult

STATUSES = ("ok", "failed", "timeout", "skipped-cached", "not-run")

class _Spool:
    """Report entries as JSON lines: in memory up to ``limit`` bytes, then in a temporary file
    (like :class:`tempfile.SpooledTemporaryFile`, without importing :mod:`tempfile` for the
    small batches that never spill).
    """

    def __init__(self, limit: int = 1 << 20) -> None:
        self.limit = limit
        self._lines: list[bytes] = []
        self._size = 0
        self._file: IO[bytes] | None = None

    def write(self, line: bytes) -> None:
        """Append one line (ending in a newline)."""
        if self._file is not None:
            self._file.write(line)
            return
        self._lines.append(line)
        self._size += len(line)
        if self._size > self.limit:
            import tempfile

            self._file = tempfile.TemporaryFile()
            self._file.writelines(self._lines)
            self._lines = []

    def __iter__(self) -> Iterator[bytes]:
        if self._file is None:
            yield from list(self._lines)
            return
        self._file.flush()
        self._file.seek(0)
        yield from self._file
        self._file.seek(0, os.SEEK_END)


@dataclass
class BatchReport:
    """The run report (``--report FILE`` writes it as JSON, see :func:`write_report`).

    Per-document entries are spooled to a temporary file as they arrive (memory stays flat
    over thousands of documents); totals and per-step seconds are kept as running sums.

    :ivar check_problems: with ``check``: ``(path, "differs" | "missing" | "stale" | "unexpected")``
        per file; ``stale`` is an output of a document that fails now (a run removes it),
        ``unexpected`` a visible file in the output directory that no input produces (looked
        for unless ``fail_fast`` left inputs unrun).
    :ivar stopped_early: ``fail_fast`` stopped the batch before every input ran; the inputs it
        never started are listed with status ``not-run``.
    :ivar aborted: why the batch ended before its end (``interrupted``, an output that could not
        be written); the report then holds the documents recorded so far and, for a list of
        inputs, the others as ``not-run``.
    """

    config_hash: str = ""
    plugins: dict[str, str] = field(default_factory=dict)
    seconds: float = 0.0
    executor: str = "serial"
    workers: int = 1
    check_problems: list[tuple[str, str]] = field(default_factory=list)
    stopped_early: bool = False
    aborted: str | None = None
    check: bool = False
    _counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATUSES, 0))
    _stage_sums: dict[str, float] = field(default_factory=dict)
    _spool: _Spool = field(default_factory=_Spool)
    _n: int = 0

    def add(self, entry: dict[str, Any]) -> None:
        """Record one document's entry: ``id``, ``input``, ``status``, ``stage``, ``plugin``,
        ``error``, ``timings`` (step -> seconds), ``outputs`` (file names)."""
        self._counts[entry["status"]] = self._counts.get(entry["status"], 0) + 1
        for k, v in entry["timings"].items():
            self._stage_sums[k] = self._stage_sums.get(k, 0.0) + v
        self._spool.write(json.dumps(entry, ensure_ascii=False).encode("utf-8") + b"\n")
        self._n += 1

    def iter_documents(self) -> Iterator[dict[str, Any]]:
        """The entries in input order, read back from the spool."""
        for line in self._spool:
            yield json.loads(line)

    @property
    def documents(self) -> list[dict[str, Any]]:
        """All entries as a list (convenient for small batches and tests)."""
        return list(self.iter_documents())

    def totals(self) -> dict[str, int]:
        """Count of documents per status, plus ``documents``."""
        return {**self._counts, "documents": self._n}

    def stage_seconds(self) -> dict[str, float]:
        """Total seconds per step (``read``, each stage, ``export``, ``cache``) over all documents."""
        return {k: round(v, 6) for k, v in self._stage_sums.items()}

    def header(self) -> dict[str, Any]:
        """Everything in the report except the per-document entries."""
        out: dict[str, Any] = {
            "totals": self.totals(),
            "seconds": round(self.seconds, 3),
            "stage_seconds": self.stage_seconds(),
            "executor": self.executor,
            "workers": self.workers,
            "stopped_early": self.stopped_early,
            "aborted": self.aborted,
            "config_hash": self.config_hash,
            "plugins": self.plugins,
        }
        if self.check:
            out["check"] = [{"path": p, "problem": what} for p, what in self.check_problems]
        return out

    def as_dict(self) -> dict[str, Any]:
        """The whole report as plain data (holds every entry in memory)."""
        return {**self.header(), "documents": self.documents}

    def summary_line(self) -> str:
        """One line for stderr: ``3 documents: 2 ok, 1 failed (0.41 s)``."""
        t = self.totals()
        parts = [f"{t[s]} {s}" for s in STATUSES if t[s] or s == "ok"]
        line = f"{t['documents']} documents: {', '.join(parts)} ({self.seconds:.2f} s)"
        if self.stopped_early:
            line += "; stopped at the first failure"
        if self.check:
            line += f"; {len(self.check_problems)} output file(s) differ" if self.check_problems else "; outputs match"
        return line


def report_entry(item: InputItem, result: DocumentResult, outputs: list[str]) -> dict[str, Any]:
    """One document's report entry (see :meth:`BatchReport.add`)."""
    return {
        "id": result.doc_id,
        "input": item.origin,
        "status": result.status,
        "stage": result.stage,
        "plugin": result.plugin,
        "error": result.error,
        "timings": {k: round(v, 6) for k, v in result.timings.items()},
        "outputs": outputs,
    }


def _is_special(target: str) -> bool:
    """``target`` exists and is neither a regular file nor a directory (a device, a named pipe)."""
    import stat

    try:
        mode = os.stat(target).st_mode
    except OSError:
        return False
    return not (stat.S_ISREG(mode) or stat.S_ISDIR(mode))


def check_report_path(path: str) -> None:
    """Fail before the batch runs when the report could not be written at ``path`` (``-`` is
    standard output): its directory must exist and take a new file, and ``path`` must not be a
    directory.

    :raises pipeline.outputs.OutputError: ``r/x.json: cannot write the report: No such file or directory``.
    """
    if path == "-":
        return
    target = os.path.abspath(path)
    if os.path.isdir(target):
        raise OutputError(f"{path}: cannot write the report: Is a directory")
    if _is_special(target):
        if not os.access(target, os.W_OK):
            raise OutputError(f"{path}: cannot write the report: Permission denied")
        return
    try:
        fd, tmp = create_temporary(os.path.dirname(target), os.path.basename(target))
    except OSError as err:
        raise OutputError(f"{path}: cannot write the report: {err.strerror or err}") from None
    os.close(fd)
    with contextlib.suppress(OSError):
        os.unlink(tmp)


def _write_report_to(fh: IO[bytes], report: BatchReport) -> None:
    head = json.dumps(report.header(), indent=2, ensure_ascii=False)
    fh.write(head[:-2].encode("utf-8") + b',\n  "documents": [')
    for i, entry in enumerate(report.iter_documents()):
        fh.write((",\n    " if i else "\n    ").encode("utf-8"))
        fh.write(json.dumps(entry, ensure_ascii=False).encode("utf-8"))
    fh.write(b"\n  ]\n}\n")


def write_report(path: str, report: BatchReport, stdout: IO[bytes] | None = None) -> None:
    """Write the report as JSON, atomically, streaming the entries (one per line).

    The file is ``{"totals": ..., ..., "documents": [{...}, ...]}`` (:meth:`BatchReport.header`
    plus the entries of :meth:`BatchReport.add`).

    :param path: a file, or ``-`` for ``stdout`` (default ``sys.stdout.buffer``).
    :raises pipeline.outputs.StdoutClosed: ``-``, a device or a named pipe whose reader closed
        it (``--report - | head``, ``--report /dev/stdout | head``).
    :raises pipeline.outputs.OutputError: the file cannot be written.
    """
    if path == "-":
        stream = stdout if stdout is not None else sys.stdout.buffer
        try:
            _write_report_to(stream, report)
            stream.flush()
        except BrokenPipeError:
            raise StdoutClosed("--report -: standard output closed") from None
        except OSError as err:
            raise OutputError(f"--report -: cannot write the report: {err.strerror or err}") from None
        return
    target = os.path.abspath(path)
    if _is_special(target):  # /dev/stderr, a named pipe: written to, never replaced by a file
        try:
            with open(target, "wb") as fh:
                _write_report_to(fh, report)
        except BrokenPipeError:  # `--report /dev/stdout | head`, a named pipe whose reader left
            raise StdoutClosed(f"{path}: its reader closed it") from None
        except OSError as err:
            raise OutputError(f"{path}: cannot write the report: {err.strerror or err}") from None
        return
    try:
        fd, tmp = create_temporary(os.path.dirname(target), os.path.basename(target))
    except OSError as err:
        raise OutputError(f"{path}: cannot write the report: {err.strerror or err}") from None
    try:
        with os.fdopen(fd, "wb") as fh:
            _write_report_to(fh, report)
        os.replace(tmp, target)
    except OSError as err:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise OutputError(f"{path}: cannot write the report: {err.strerror or err}") from None


def exit_code(report: BatchReport, max_failures: int | None) -> int:
    """0 when every document succeeded (or failures within ``max_failures``) and, with
    ``check``, every output matches; else 1 (always 1 when ``fail_fast`` left inputs unrun)."""
    if report.check_problems or report.stopped_early:
        return 1
    t = report.totals()
    bad = t["failed"] + t["timeout"]
    if bad == 0:
        return 0
    if max_failures is not None and bad <= max_failures:
        return 0
    return 1
