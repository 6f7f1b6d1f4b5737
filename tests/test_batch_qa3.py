"""QA round 3: one misbehaving document or plugin never sinks the batch or the report."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest


def copydesk(tmp_path: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=tmp_path, input=stdin,
                          capture_output=True, text=True, timeout=120)


def corpus(tmp_path: Path, texts: dict[str, str]) -> None:
    (tmp_path / "in").mkdir(exist_ok=True)
    for name, text in texts.items():
        (tmp_path / "in" / name).write_text(text, encoding="utf-8")


def config(tmp_path: Path, body: str) -> None:
    (tmp_path / "p.yaml").write_text("plugins: [copydesk_qa3]\n" + body, encoding="utf-8")


def entries(path: Path) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in json.loads(path.read_text(encoding="utf-8"))["documents"]}


@pytest.mark.parametrize("target", ["../x", "b1"])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_stage_changing_the_id_fails_that_document_only(tmp_path: Path, target: str, workers: str) -> None:
    corpus(tmp_path, {"a.txt": f"RENAME:{target} here\n", **{f"b{i}.txt": f"text b{i}\n" for i in (1, 2, 3)}})
    config(tmp_path, "stages:\n  - name: renamer\nexporters:\n  - name: json\n")
    res = copydesk(tmp_path, "run", "p.yaml", "in", "-o", "out", "-j", workers, "--no-cache", "--report", "r.json")
    assert res.returncode == 1, res.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["b1.json", "b2.json", "b3.json"]
    assert json.loads((tmp_path / "out" / "b1.json").read_text())["text"] == "text b1\n"
    docs = entries(tmp_path / "r.json")
    assert [d["status"] for d in docs.values()] == ["failed", "ok", "ok", "ok"]
    a = docs["a"]
    assert (a["stage"], a["plugin"]) == ("renamer", "copydesk_qa3")
    assert f"changed the document id from 'a' to '{target}'; a stage must keep the id" in a["error"]
    assert "renamer" in a["timings"]  # the failing stage's time is counted


@pytest.mark.parametrize("command", ["validate", "run"])
def test_two_exporters_writing_the_same_suffix_are_a_config_error(tmp_path: Path, command: str) -> None:
    corpus(tmp_path, {"a.txt": "text\n"})
    config(tmp_path, "exporters:\n  - name: json\n  - name: same_suffix\n")
    args = ["p.yaml"] + (["in", "-o", "out", "--no-cache"] if command == "run" else [])
    res = copydesk(tmp_path, command, *args)
    assert res.returncode == 2, res.stderr
    assert "p.yaml:4:" in res.stderr and "'json'" in res.stderr and "'same_suffix'" in res.stderr
    assert "'.json'" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("seconds", ["inf", "nan", "0", "-1", "2147484", "1e300"])
def test_timeout_must_be_finite_positive_and_waitable(tmp_path: Path, seconds: str) -> None:
    corpus(tmp_path, {"a.txt": "text\n", "b.txt": "text\n"})
    res = copydesk(tmp_path, "run", "in", "-o", "out", "--no-cache", f"--timeout={seconds}")
    assert res.returncode == 2, res.stderr
    assert "--timeout" in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "out").exists()
    (tmp_path / "t.yaml").write_text(f"run:\n  timeout: {'.' if seconds in ('inf', 'nan') else ''}{seconds}\n")
    res = copydesk(tmp_path, "validate", "t.yaml")
    assert res.returncode == 2 and "t.yaml:2: run -> timeout" in res.stderr, res.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_documents_written_before_an_abort_are_ok_in_the_report_and_cached(tmp_path: Path, signum: int) -> None:
    # a0 hangs in worker 1 while worker 2 finishes the others: their results wait, out of order,
    # behind a0's when the run is stopped
    corpus(tmp_path, {"a0.txt": "SLEEP\n", **{f"b{i}.txt": f"quick {i}\n" for i in range(1, 6)}})
    config(tmp_path, "stages:\n  - name: sleeper\nexporters:\n  - name: json\n")
    args = ["run", "p.yaml", "in", "-o", "out", "-j", "2", "--cache-dir", "c", "--report", "r.json"]
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", *args], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out = tmp_path / "out"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(list(out.glob("*.json"))) < 4:
        time.sleep(0.05)
    time.sleep(0.2)  # the coordinator has received what the workers sent
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    assert proc.returncode == (143 if signum == signal.SIGTERM else 130), stderr
    written = {p.stem for p in out.glob("*.json")}
    assert len(written) >= 4
    docs = entries(tmp_path / "r.json")
    assert docs["a0"]["status"] == "not-run"
    for doc_id, entry in docs.items():
        assert entry["status"] == ("ok" if doc_id in written else "not-run"), entry
        assert entry["outputs"] == ([f"{doc_id}.json"] if doc_id in written else [])
    (tmp_path / "in" / "a0.txt").unlink()
    res = copydesk(tmp_path, "run", "p.yaml", "in", "-o", "out", "--cache-dir", "c", "--report", "r2.json")
    assert res.returncode == 0, res.stderr
    again = entries(tmp_path / "r2.json")
    assert {d for d, e in again.items() if e["status"] == "skipped-cached"} == written


def test_report_errors_share_one_shape_and_failed_timings_count_the_failing_step(tmp_path: Path) -> None:
    corpus(tmp_path, {"a.txt": "BOOM\n", "b.txt": "SLEEP\n", "d.txt": "fine\n"})
    (tmp_path / "c.jsonl").write_text('{"id": "c", "text": 3}\n', encoding="utf-8")
    (tmp_path / "p.yaml").write_text("plugins: [copydesk_qa3, copydesk_teststages]\nstages:\n  - name: explode\n"
                                     "  - name: sleeper\nexporters:\n  - name: json\n", encoding="utf-8")
    res = copydesk(tmp_path, "run", "p.yaml", "in", "c.jsonl", "-o", "out", "-j", "2", "--timeout", "1",
                   "--no-cache", "--report", "r.json")
    assert res.returncode == 1, res.stderr
    docs = {e["input"]: e for e in entries(tmp_path / "r.json").values()}
    assert [docs[d]["status"] for d in ("in/a.txt", "in/b.txt", "in/d.txt", "c.jsonl:1")] == [
        "failed", "timeout", "ok", "failed"]
    for where in ("in/a.txt", "in/b.txt", "c.jsonl:1"):
        error = docs[where]["error"]
        assert not error.startswith(("in/", "c.jsonl")), error  # the input has its own field
        assert f"{where}: {error}" in res.stderr  # the log line names it
    assert docs["in/a.txt"]["error"].startswith("stage explode (copydesk_teststages): RuntimeError")
    assert docs["in/b.txt"]["error"].startswith("timed out after 1 s in sleeper (copydesk_qa3)")
    assert "explode" in docs["in/a.txt"]["timings"] and "read" in docs["c.jsonl:1"]["timings"]
    assert docs["in/b.txt"]["timings"]["sleeper"] >= 1


@pytest.mark.parametrize("output", ["-o -", "--report -"])
def test_plugin_writes_to_fd_1_at_import_and_exit_never_reach_the_data_on_stdout(tmp_path: Path, output: str) -> None:
    corpus(tmp_path, {"a.txt": "one\n", "b.txt": "two\n"})
    flag, target = output.split()
    extra = ["-o", "out"] if flag == "--report" else []
    res = copydesk(tmp_path, "run", "in", flag, target, *extra, "--no-cache", "--set", "plugins=[copydesk_fd1_writer]")
    assert res.returncode == 0, res.stderr
    assert "fd1-writer: imported" in res.stderr and "fd1-writer: at exit" in res.stderr
    if flag == "-o":
        assert [json.loads(line)["id"] for line in res.stdout.splitlines()] == ["a", "b"]
    else:
        assert json.loads(res.stdout)["totals"]["ok"] == 2


@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_closed_stdout_ends_the_run_quietly_like_a_unix_tool(tmp_path: Path, workers: str) -> None:
    lines = "".join(json.dumps({"id": f"d{i}", "text": "Some text here. " * 20}) + "\n" for i in range(300))
    (tmp_path / "c.jsonl").write_text(lines, encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "pipeline.cli", "run", "c.jsonl", "-o", "-", "-j", workers,
                             "--report", "r.json"], cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    first = json.loads(proc.stdout.readline())
    proc.stdout.close()  # `| head -1`
    stderr = proc.stderr.read().decode()
    assert proc.wait(timeout=60) == 141, stderr
    assert first["id"] == "d0"
    assert stderr.count("\n") == 1 and "standard output closed" in stderr, stderr
    report = json.loads((tmp_path / "r.json").read_text())
    assert report["aborted"] == "standard output closed"
    assert report["totals"]["failed"] == 0 and report["totals"]["ok"] >= 1
    assert report["totals"]["ok"] + report["totals"]["not-run"] == 300


def _pool_run(tmp_path: Path, stages: str, texts: dict[str, str], timeout: float,
              warm_up_limit: float) -> dict[str, str]:
    from pipeline.executors import PipelineSpec, ProcessPoolExecutor
    from pipeline.inputs import collect_inputs

    corpus(tmp_path, texts)
    config(tmp_path, stages)
    spec = PipelineSpec(str(tmp_path / "p.yaml"), (), str(tmp_path))
    items = collect_inputs([str(tmp_path / "in")])
    pool = ProcessPoolExecutor(spec, 2, timeout=timeout, start_method="spawn", warm_up_limit=warm_up_limit)
    return {item.doc_id: res.status for item, res in pool.map((i, None) for i in items)}


def test_a_first_use_load_longer_than_the_timeout_is_never_charged_even_to_replacements(tmp_path: Path) -> None:
    # each worker process loads for 1 s on first use; documents may take 0.5 s; d2 hangs, so its
    # worker is killed and the replacement loads again: during its warm-up, not against a document
    stages = "stages:\n  - name: slow_start\n    settings: {seconds: 1.0}\n  - name: sleeper\n"
    texts = {f"d{i}.txt": ("SLEEP\n" if i == 2 else f"text {i}\n") for i in range(6)}
    got = _pool_run(tmp_path, stages, texts, timeout=0.5, warm_up_limit=3.0)
    assert got == {**{f"d{i}": "ok" for i in range(6)}, "d2": "timeout"}


def test_a_warm_up_past_its_limit_stops_the_batch_naming_the_stage(tmp_path: Path) -> None:
    from pipeline.executors import WorkerStartError

    stages = "stages:\n  - name: slow_start\n    settings: {seconds: 5.0}\n"
    with pytest.raises(WorkerStartError, match=r"took over 1 s in slow_start \(copydesk_qa3\)"):
        _pool_run(tmp_path, stages, {"a.txt": "one\n", "b.txt": "two\n"}, timeout=0.5, warm_up_limit=1.0)


def test_dask_crash_and_timeout_are_short_named_failures_and_quiet_with_q(tmp_path: Path) -> None:
    pytest.importorskip("distributed")
    corpus(tmp_path, {"a.txt": "CRASH\n", "b.txt": "SLEEP\n", "c.txt": "fine\n"})
    config(tmp_path, "stages:\n  - name: crasher\n  - name: sleeper\nexporters:\n  - name: json\n")
    res = copydesk(tmp_path, "-q", "run", "p.yaml", "in", "-o", "out", "--executor", "dask", "-j", "2",
                   "--timeout", "2", "--no-cache", "--report", "r.json")
    assert res.returncode == 1, res.stderr
    docs = entries(tmp_path / "r.json")
    # the crash is retried once on another worker (slow restarts may run it past the timeout)
    assert [docs[d]["status"] for d in "bc"] == ["timeout", "ok"], docs
    assert docs["a"]["error"] in ("worker process died (the Dask worker running it was lost)",
                                  "timed out after 2 s; Dask worker restarted"), docs["a"]
    assert (docs["b"]["stage"], docs["b"]["plugin"]) == ("sleeper", "copydesk_qa3")
    assert docs["b"]["error"].startswith("timed out after 2 s in sleeper (copydesk_qa3)")
    # -q: copydesk's own lines only (two failures and the summary), none of distributed's
    assert len(res.stderr.splitlines()) == 3, res.stderr
    assert "KilledWorker" not in res.stderr and "distributed" not in res.stderr
