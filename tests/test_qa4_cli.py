"""QA round 4: a closed standard output while writing ``--report -`` ends the run like
``-o - | head``; a closed standard error changes neither the exit status nor the results."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

PRINTER = '''
import os
import sys

from pipeline import Document, Stage, hookimpl

print("printer: imported")


class Printer(Stage):
    """Prints to stdout and stderr on every document (never data)."""

    name = "printer"

    def process(self, doc: Document) -> Document:
        print("printing", doc.id)
        sys.stderr.write(f"stderr {doc.id}\\n")
        return doc


@hookimpl
def register_stages(register):
    register(Printer)


@hookimpl
def pipeline_finished(summary):
    print("printer: finished")
'''


def corpus(tmp_path: Path, n: int = 200) -> None:
    lines = "".join(json.dumps({"id": f"d{i}", "text": "Some text here. " * 20}) + "\n" for i in range(n))
    (tmp_path / "c.jsonl").write_text(lines, encoding="utf-8")


def closed_pipe() -> int:
    """The write end of a pipe whose reader is gone: every write to it fails with EPIPE."""
    read_end, write_end = os.pipe()
    os.close(read_end)
    return write_end


def run(tmp_path: Path, *args: str, **streams: Any) -> subprocess.CompletedProcess[bytes]:
    env = {**os.environ, "PYTHONPATH": str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=tmp_path, env=env,
                          timeout=300, check=False, **streams)


@pytest.mark.parametrize("quiet", [["-q"], []])
def test_a_closed_stdout_while_writing_the_report_exits_141_with_one_line(tmp_path: Path, quiet: list[str]) -> None:
    corpus(tmp_path)
    stdout = closed_pipe()
    try:
        res = run(tmp_path, *quiet, "run", "c.jsonl", "-o", "out", "--report", "-", "--no-cache", "--progress", "none",
                  stdout=stdout, stderr=subprocess.PIPE)
    finally:
        os.close(stdout)
    stderr = res.stderr.decode()
    assert res.returncode == 141, stderr
    assert stderr.count("\n") == 1 and "standard output closed" in stderr and "200 ok" in stderr, stderr
    assert len(list((tmp_path / "out").glob("*.json"))) == 200  # the run itself completed


@pytest.mark.parametrize(("output", "workers", "plugin"), [
    ("-", "1", False), ("-", "2", False), ("out", "2", False), ("-", "1", True), ("-", "2", True), ("out", "1", True),
])
@pytest.mark.parametrize("quiet", [["-q"], []])
def test_a_closed_stderr_changes_neither_exit_status_nor_results(tmp_path: Path, output: str, workers: str,
                                                                 plugin: bool, quiet: list[str]) -> None:
    corpus(tmp_path)
    config: list[str] = []
    if plugin:
        (tmp_path / "qa4_printer.py").write_text(PRINTER, encoding="utf-8")
        (tmp_path / "p.yaml").write_text("plugins: [qa4_printer]\nstages:\n  - name: printer\n"
                                         "exporters:\n  - name: json\n", encoding="utf-8")
        config = ["p.yaml"]
    stderr = closed_pipe()
    try:
        res = run(tmp_path, *quiet, "run", *config, "c.jsonl", "-o", output, "-j", workers, "--no-cache",
                  "--report", "r.json", stdout=subprocess.DEVNULL, stderr=stderr)
    finally:
        os.close(stderr)
    assert res.returncode == 0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["totals"]["ok"] == 200 and report.get("aborted") is None


def test_a_closed_stderr_keeps_the_failure_exit_status(tmp_path: Path) -> None:
    corpus(tmp_path, 3)
    with (tmp_path / "c.jsonl").open("a", encoding="utf-8") as fh:
        fh.write("{not json\n")
    stderr = closed_pipe()
    try:
        res = run(tmp_path, "run", "c.jsonl", "-o", "-", "--no-cache", "--report", "r.json",
                  stdout=subprocess.DEVNULL, stderr=stderr)
    finally:
        os.close(stderr)
    assert res.returncode == 1
    totals = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["totals"]
    assert (totals["ok"], totals["failed"]) == (3, 1)


@pytest.mark.skipif(sys.platform != "linux", reason="pseudo-terminal")
def test_the_forgiving_stderr_still_shows_the_progress_bar_on_a_terminal(tmp_path: Path) -> None:
    import pty
    import threading

    corpus(tmp_path, 20)
    master, slave = pty.openpty()
    seen = bytearray()

    def drain() -> None:
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: every writer of the terminal closed it
                return
            if not chunk:
                return
            seen.extend(chunk)

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    try:
        res = run(tmp_path, "run", "c.jsonl", "-o", "out", "--no-cache", stdout=subprocess.DEVNULL, stderr=slave)
    finally:
        os.close(slave)
        reader.join(10)
        os.close(master)
    assert res.returncode == 0
    text = seen.decode("utf-8", "replace")
    assert "\x1b[" in text and "20/20" in text, text  # the bar (ANSI), not plain progress lines


def test_a_report_device_whose_reader_closed_it_exits_141_with_one_line(tmp_path: Path) -> None:
    corpus(tmp_path)
    stdout = closed_pipe()
    try:
        res = run(tmp_path, "-q", "run", "c.jsonl", "-o", "out", "--report", "/dev/stdout", "--no-cache",
                  "--progress", "none", stdout=stdout, stderr=subprocess.PIPE)
    finally:
        os.close(stdout)
    stderr = res.stderr.decode()
    assert res.returncode == 141, stderr
    assert stderr.count("\n") == 1 and "/dev/stdout: its reader closed it" in stderr and "200 ok" in stderr, stderr
