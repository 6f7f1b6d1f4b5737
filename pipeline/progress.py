"""Progress display for batch runs: a rich bar on a terminal, plain lines in CI, or nothing.

Progress goes to the stream the command line hands over (standard error), never to standard
output, which ``-o -`` reserves for document data. :func:`make_progress` picks the display:
a :mod:`rich` progress bar when the stream is a terminal, :class:`PlainProgress` lines (at
most one per 10 % of the batch and one per ``interval`` seconds) otherwise.
"""

from __future__ import annotations

import time
from collections import Counter
from typing import IO, Any, Protocol


class Progress(Protocol):
    """What the batch layer reports to: start, one call per finished document, finish."""

    def start(self, total: int | None) -> None:
        """The batch begins; ``total`` documents (``None`` when unknown)."""

    def advance(self, doc_id: str, status: str) -> None:
        """One document finished with ``status`` (``ok``, ``failed``, ``timeout``, ``skipped-cached``)."""

    def finish(self) -> None:
        """The batch ended (normally or not); release the display."""


class NoProgress:
    """Shows nothing."""

    def start(self, total: int | None) -> None:
        """Do nothing."""

    def advance(self, doc_id: str, status: str) -> None:
        """Do nothing."""

    def finish(self) -> None:
        """Do nothing."""


def _counts_text(counts: Counter[str]) -> str:
    return ", ".join(f"{n} {s}" for s, n in sorted(counts.items()))


class PlainProgress:
    """Occasional plain lines such as ``copydesk: 500/1000 documents (498 ok, 2 failed) 12.3 s``.

    :param stream: a text stream (standard error).
    :param interval: seconds between time-triggered lines.
    """

    def __init__(self, stream: IO[str], interval: float = 15.0) -> None:
        self.stream = stream
        self.interval = interval
        self.total: int | None = None
        self.counts: Counter[str] = Counter()
        self.done = 0
        self.t0 = self.last = time.monotonic()
        self.next_step = 1

    def start(self, total: int | None) -> None:
        """Remember the total (lines are printed only for batches of 20 or more documents)."""
        self.total = total
        self.t0 = self.last = time.monotonic()

    def advance(self, doc_id: str, status: str) -> None:
        """Count the document; print a line at each 10 % step or after ``interval`` seconds."""
        self.done += 1
        self.counts[status] += 1
        now = time.monotonic()
        step_due = False
        if self.total and self.total >= 20 and self.done * 10 >= self.next_step * self.total:
            step_due = True
            self.next_step = self.done * 10 // self.total + 1
        if step_due or now - self.last >= self.interval:
            self.last = now
            total = f"/{self.total}" if self.total else ""
            self.stream.write(f"copydesk: {self.done}{total} documents ({_counts_text(self.counts)}) "
                              f"{now - self.t0:.1f} s\n")
            self.stream.flush()

    def finish(self) -> None:
        """Nothing to release (the command prints the summary line)."""


class RichProgress:
    """A :mod:`rich` progress bar (imported only when used).

    :param stream: the terminal stream (standard error).
    """

    def __init__(self, stream: IO[str]) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.console = Console(file=stream)
        # No refresh thread (auto_refresh=False): the batch may fork worker processes, which is
        # only safe while this process runs a single thread. advance() redraws at most 10 times/s.
        self.bar = Progress(
            TextColumn("[bold]copydesk"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
            TextColumn("{task.fields[counts]}"), console=self.console, transient=True, auto_refresh=False,
        )
        self.task: Any = None
        self.counts: Counter[str] = Counter()
        self.last = 0.0

    def start(self, total: int | None) -> None:
        """Show the bar."""
        self.bar.start()
        self.task = self.bar.add_task("run", total=total, counts="")
        self.bar.refresh()

    def advance(self, doc_id: str, status: str) -> None:
        """Advance the bar by one document."""
        self.counts[status] += 1
        self.bar.update(self.task, advance=1, counts=_counts_text(self.counts))
        now = time.monotonic()
        if now - self.last >= 0.1:
            self.last = now
            self.bar.refresh()

    def finish(self) -> None:
        """Remove the bar."""
        self.bar.stop()


def make_progress(stream: IO[str], mode: str = "auto") -> Progress:
    """The progress display for ``stream``.

    :param mode: ``auto`` (a bar on a terminal, plain lines otherwise), ``bar``, ``plain`` or ``none``.
    """
    if mode == "none":
        return NoProgress()
    tty = bool(getattr(stream, "isatty", lambda: False)())
    if mode == "bar" or (mode == "auto" and tty):
        return RichProgress(stream)
    return PlainProgress(stream)
