"""A batch cut short by an output it cannot write: one entry per input, each paired with its
own input, and no cache entry that points at another document's files."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest


def copydesk(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "-q", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=120)


def documents(path: Path) -> list[dict[str, Any]]:
    return list(json.loads(path.read_text(encoding="utf-8"))["documents"])


@pytest.mark.parametrize("cache", [True, False])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_an_unwritable_output_aborts_with_every_entry_paired_to_its_input(
        tmp_path: Path, workers: str, cache: bool) -> None:
    (tmp_path / "in").mkdir()
    for i in range(12):
        (tmp_path / "in" / f"d{i:02d}.txt").write_text(f"Document number {i} has its own words.\n", encoding="utf-8")
    (tmp_path / "out" / "d05.json").mkdir(parents=True)  # its output cannot be written
    cache_args = ["--cache-dir", ".c"] if cache else ["--no-cache"]
    args = ["run", "in", "-o", "out", "-j", workers, "--report", "r.json", "--set", "exporters=[{name: json}]"]
    res = copydesk(tmp_path, *args, *cache_args)
    assert res.returncode == 2, res.stderr
    docs = documents(tmp_path / "r.json")
    assert len(docs) == 12  # one entry per input: none twice, none lost
    for d in docs:
        assert d["input"] == f"in/{d['id']}.txt"
    status = {d["id"]: d["status"] for d in docs}
    assert status["d05"] == "failed"
    assert all(status[f"d{i:02d}"] == "ok" for i in range(5))
    for d in docs:  # an entry says ok exactly when its own output is on disk
        written = (tmp_path / "out" / f"{d['id']}.json").is_file()
        assert (d["status"] == "ok") == written, d
        if written:
            text = json.loads((tmp_path / "out" / f"{d['id']}.json").read_text(encoding="utf-8"))["text"]
            assert text == (tmp_path / "in" / f"{d['id']}.txt").read_text(encoding="utf-8")
    if cache:
        # once the obstacle is gone, a run and --check agree, and nothing rests on a wrong entry
        (tmp_path / "out" / "d05.json").rmdir()
        assert copydesk(tmp_path, *args, *cache_args).returncode == 0
        check = copydesk(tmp_path, *args, *cache_args, "--check")
        assert check.returncode == 0, check.stderr
        for i in range(12):
            (tmp_path / "out" / f"d{i:02d}.json").unlink()
        assert copydesk(tmp_path, *args, *cache_args).returncode == 0
        assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [f"d{i:02d}.json" for i in range(12)]


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_document_whose_second_output_cannot_be_written_keeps_none(tmp_path: Path, workers: str) -> None:
    (tmp_path / "in").mkdir()
    for i in range(4):
        (tmp_path / "in" / f"d{i}.txt").write_text(f"Document number {i}.\n", encoding="utf-8")
    (tmp_path / "out" / "d2.md").mkdir(parents=True)  # d2.json is written first, then d2.md fails
    res = copydesk(tmp_path, "run", "in", "-o", "out", "-j", workers, "--no-cache", "--report", "r.json")
    assert res.returncode == 2, res.stderr
    status = {d["id"]: d["status"] for d in documents(tmp_path / "r.json")}
    assert status["d2"] == "failed"
    assert not (tmp_path / "out" / "d2.json").exists()  # the README: a failed document loses its outputs
