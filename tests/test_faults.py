"""Plugin mistakes fail one document (or are logged) in one line: never a traceback or lost output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(tmp_path: Path, config: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    (tmp_path / "p.yaml").write_text("plugins: [copydesk_misbehaving]\n" + config, encoding="utf-8")
    (tmp_path / "in").mkdir(exist_ok=True)
    (tmp_path / "in" / "a.txt").write_text("fine\n")
    (tmp_path / "in" / "b.txt").write_text("QUIT now\n")
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "p.yaml", *args], cwd=tmp_path,
                          input=stdin, capture_output=True, text=True, timeout=300)


@pytest.mark.parametrize("workers", ["1", "2"])
def test_stage_calling_sys_exit_fails_only_its_document(tmp_path: Path, workers: str) -> None:
    res = run(tmp_path, "stages:\n  - name: quitter\nexporters:\n  - name: json\n", "in", "-o", "out",
              "-j", workers, "--no-cache")
    assert res.returncode == 1, res.stderr
    assert "quitter" in res.stderr and "SystemExit" in res.stderr and "Traceback" not in res.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.json"]


def test_exporter_returning_str_fails_the_document_and_leaves_no_temp_files(tmp_path: Path) -> None:
    res = run(tmp_path, "exporters:\n  - name: str_export\n", "in/a.txt", "-o", "out", "--no-cache")
    assert res.returncode == 1
    assert "render() returned str, not bytes" in res.stderr and "Traceback" not in res.stderr
    assert list((tmp_path / "out").iterdir()) == []


def test_raising_event_hook_is_logged_and_outputs_are_kept(tmp_path: Path) -> None:
    res = run(tmp_path, "exporters:\n  - name: json\n", "in/a.txt", "-o", "out", "--no-cache")
    assert res.returncode == 0, res.stderr
    assert "document_finished hook implementation raised RuntimeError: observer bug" in res.stderr
    assert (tmp_path / "out" / "a.json").exists()


@pytest.mark.parametrize("workers", ["1", "2"])
def test_print_in_a_stage_never_corrupts_the_jsonl_stream(tmp_path: Path, workers: str) -> None:
    lines = "".join(json.dumps({"id": f"d{i}", "text": "x"}) + "\n" for i in range(40))
    res = run(tmp_path, "stages:\n  - name: printer\n", "-", "-o", "-", "-j", workers, stdin=lines)
    assert res.returncode == 0, res.stderr
    docs = [json.loads(line) for line in res.stdout.splitlines()]
    assert [d["id"] for d in docs] == [f"d{i}" for i in range(40)]
    assert "debug: processing d0" in res.stderr


@pytest.mark.parametrize("docs", [1, 3])
def test_prints_on_plugin_import_and_in_run_hooks_never_reach_the_jsonl_stream(tmp_path: Path, docs: int) -> None:
    lines = "".join(json.dumps({"id": f"d{i}", "text": "x"}) + "\n" for i in range(docs))
    res = run(tmp_path, "", "-", "-o", "-", "--set", "plugins=[copydesk_noisy]", stdin=lines)
    assert res.returncode == 0, res.stderr
    assert [json.loads(line)["id"] for line in res.stdout.splitlines()] == [f"d{i}" for i in range(docs)]
    for said in ("noisy: imported", "noisy: pipeline started", "noisy: pipeline finished",
                 "noisy: fd 1 written directly"):
        assert said in res.stderr
