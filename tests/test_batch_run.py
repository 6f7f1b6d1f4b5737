"""Batch runs through ``copydesk run``: inputs, parallelism, faults, timeouts, cache, --check, report.

Stages come from the test-only plugin ``test_batch_plugin`` (tests/test_batch_plugin.py), which
misbehaves on markers in the text (``RAISE``, ``HANG``, ``NOTDOC``, ``CORRUPT``, ``CRASH``).
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

TESTS = Path(__file__).resolve().parent
if str(TESTS) not in sys.path:
    sys.path.insert(0, str(TESTS))

GOOD = {f"d{i:02d}.txt": f"Document number {i}.\nIt has two short lines of text.\n" for i in range(6)}

CONFIG = """\
inputs: [in]
output_dir: out
plugins: [test_batch_plugin]
stages:
  - name: mark
  - name: faulty
exporters:
  - name: json
"""


def make_project(root: Path, docs: dict[str, str], config: str = CONFIG) -> Path:
    """Write ``docs`` under ``root/in`` and the config as ``root/cfg.yaml``."""
    for name, text in docs.items():
        path = root / "in" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    (root / "cfg.yaml").write_text(config, encoding="utf-8")
    return root


def cli(cwd: Path, *args: str, stdin: bytes | None = None, env: dict[str, str] | None = None,
        wait: bool = True) -> Any:
    """Run ``copydesk run cfg.yaml ARGS`` in ``cwd``; return the CompletedProcess (or Popen)."""
    full_env = {**os.environ, "COPYDESK_PLUGINS": "none", **(env or {})}
    full_env["PYTHONPATH"] = str(TESTS) + os.pathsep + full_env.get("PYTHONPATH", "")
    cmd = [sys.executable, "-m", "pipeline.cli", "run", "cfg.yaml", *args]
    if not wait:
        return subprocess.Popen(cmd, cwd=cwd, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    return subprocess.run(cmd, cwd=cwd, env=full_env, input=stdin, capture_output=True, timeout=120)


def outputs(root: Path, out: str = "out") -> dict[str, bytes]:
    """Visible output files -> bytes."""
    d = root / out
    return {p.name: p.read_bytes() for p in sorted(d.iterdir()) if not p.name.startswith(".")} if d.exists() else {}


def report(root: Path, name: str = "report.json") -> dict[str, Any]:
    data: dict[str, Any] = json.loads((root / name).read_text(encoding="utf-8"))
    return data


def statuses(rep: dict[str, Any]) -> dict[str, str]:
    return {d["id"]: d["status"] for d in rep["documents"]}


# --------------------------------------------------------------------------- inputs and ids


def test_same_file_name_in_two_folders_gets_distinct_deterministic_ids(tmp_path: Path) -> None:
    from pipeline.inputs import collect_inputs

    make_project(tmp_path, {"one/a.txt": "first\n", "two/a.txt": "second\n"})
    args = [str(tmp_path / "in/one/a.txt"), str(tmp_path / "in/two/a.txt")]
    first = [(i.doc_id, i.path) for i in collect_inputs(args)]
    assert first == [(i.doc_id, i.path) for i in collect_inputs(args)]
    assert len({doc_id for doc_id, _ in first}) == 2
    res = cli(tmp_path, "in/one/a.txt", "in/two/a.txt")
    assert res.returncode == 0, res.stderr
    produced = outputs(tmp_path)
    assert len(produced) == 2
    texts = sorted(json.loads(b)["text"] for b in produced.values())
    assert texts == ["first\n", "second\n"]


def test_colliding_names_in_one_folder_both_get_outputs(tmp_path: Path) -> None:
    make_project(tmp_path, {"c/a.txt": "plain\n", "c/a.text": "other\n"})
    res = cli(tmp_path, "--report", "report.json")
    assert res.returncode == 0, res.stderr
    ids = [d["id"] for d in report(tmp_path)["documents"]]
    assert len(set(ids)) == 2 and all(i.startswith("c__a-") for i in ids)
    assert sorted(json.loads(b)["text"] for b in outputs(tmp_path).values()) == ["other\n", "plain\n"]
    cli(tmp_path, "--report", "report.json", "--force")
    assert [d["id"] for d in report(tmp_path)["documents"]] == ids


def test_include_and_exclude_globs(tmp_path: Path) -> None:
    make_project(tmp_path, {"a.txt": "a\n", "sub/b.txt": "b\n", "sub/c.md": "c\n", "skip/d.txt": "d\n"})
    res = cli(tmp_path, "--include", "*.txt", "--exclude", "skip/*")
    assert res.returncode == 0, res.stderr
    assert sorted(outputs(tmp_path)) == ["a.json", "sub__b.json"]


# --------------------------------------------------------------------------- parallel == serial


def test_two_workers_write_byte_identical_outputs_to_one_worker(tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    for root in (one, two):
        make_project(root, GOOD)
    r1 = cli(one, "--workers", "1", "--no-cache", "--report", "report.json")
    r2 = cli(two, "--workers", "2", "--no-cache", "--fsync", "--report", "report.json")
    assert r1.returncode == 0 and r2.returncode == 0, (r1.stderr, r2.stderr)
    assert report(one)["executor"] == "processpool" and report(one)["workers"] == 1  # isolated from crashes
    assert report(two)["executor"] == "processpool" and report(two)["workers"] == 2
    assert outputs(one) == outputs(two)
    assert len(outputs(one)) == len(GOOD)


def test_stdout_jsonl_in_input_order_with_workers_and_nothing_else_on_stdout(tmp_path: Path) -> None:
    make_project(tmp_path, {**GOOD, "zz_bad.txt": "RAISE\n"})
    res = cli(tmp_path, "-o", "-", "--workers", "2", "--progress", "plain")
    assert res.returncode == 1
    lines = res.stdout.decode("utf-8").splitlines()
    ids = [json.loads(line)["id"] for line in lines]
    assert ids == [name.removesuffix(".txt") for name in sorted(GOOD)]
    assert not (tmp_path / "out").exists()
    assert b"zz_bad" in res.stderr


def test_jsonl_from_stdin(tmp_path: Path) -> None:
    make_project(tmp_path, {})
    records = [{"id": "x/1", "text": "first text", "metadata": {"k": 1}}, {"id": "two", "text": "second"}]
    data = "".join(json.dumps(r) + "\n" for r in records).encode("utf-8")
    res = cli(tmp_path, "-", "-o", "-", stdin=data)
    assert res.returncode == 0, res.stderr
    docs = [json.loads(line) for line in res.stdout.decode("utf-8").splitlines()]
    assert [d["id"] for d in docs] == ["x-1", "two"]
    assert docs[0]["metadata"]["k"] == 1 and docs[0]["metadata"]["mark"] == "marked"


# --------------------------------------------------------------------------- faults


@pytest.mark.parametrize("workers", ["1", "2"])
def test_stage_faults_fail_only_their_document(tmp_path: Path, workers: str) -> None:
    bad = {"b_raise.txt": "x RAISE\n", "b_notdoc.txt": "x NOTDOC\n", "b_corrupt.txt": "x CORRUPT\n",
           "b_crash.txt": "x CRASH\n", "b_base.txt": "x BASEEXC\n"}
    make_project(tmp_path, {**GOOD, **bad})
    res = cli(tmp_path, "--workers", workers, "--report", "report.json")
    assert res.returncode == 1
    rep = report(tmp_path)
    docs = {d["id"]: d for d in rep["documents"]}
    assert [d["id"] for d in rep["documents"]] == sorted(docs)  # input order
    for name in GOOD:
        assert docs[name.removesuffix(".txt")]["status"] == "ok"
    assert set(outputs(tmp_path)) == {n.replace(".txt", ".json") for n in GOOD}
    for doc_id in ("b_raise", "b_notdoc", "b_corrupt", "b_crash", "b_base"):
        entry = docs[doc_id]
        assert entry["status"] == "failed", entry
        assert (entry["stage"], entry["plugin"]) == ("faulty", "test_batch_plugin"), entry
    assert "RuntimeError: deliberate failure" in docs["b_raise"]["error"]
    assert "not a Document" in docs["b_notdoc"]["error"]
    assert "invalid document" in docs["b_corrupt"]["error"]
    assert "worker process died" in docs["b_crash"]["error"]
    assert "BaseException: not an Exception" in docs["b_base"]["error"]
    assert rep["totals"]["failed"] == len(bad) and rep["totals"]["ok"] == len(GOOD)
    stderr = res.stderr.decode("utf-8")
    assert "in/b_raise.txt" in stderr and "Traceback" not in stderr


@pytest.mark.parametrize("marker", ["BASEEXC", "RAISE"])
def test_a_single_document_run_in_process_fails_its_document_not_the_run(tmp_path: Path, marker: str) -> None:
    make_project(tmp_path, {"a.txt": f"x {marker}\n"})
    res = cli(tmp_path, "--workers", "1", "--report", "report.json")
    assert res.returncode == 1
    stderr = res.stderr.decode("utf-8")
    assert "Traceback" not in stderr and "1 documents: 0 ok, 1 failed" in stderr
    entry = report(tmp_path)["documents"][0]
    assert (entry["status"], entry["stage"], entry["plugin"]) == ("failed", "faulty", "test_batch_plugin")


def test_hanging_stage_is_killed_by_the_timeout(tmp_path: Path) -> None:
    make_project(tmp_path, {"a.txt": "fine\n", "b.txt": "x HANG\n", "c.txt": "also fine\n"})
    res = cli(tmp_path, "--workers", "1", "--timeout", "1", "--report", "report.json")
    assert res.returncode == 1
    rep = report(tmp_path)
    assert statuses(rep) == {"a": "ok", "b": "timeout", "c": "ok"}
    b = rep["documents"][1]
    assert (b["stage"], b["plugin"]) == ("faulty", "test_batch_plugin")
    assert "timed out after 1 s" in b["error"]
    assert sorted(outputs(tmp_path)) == ["a.json", "c.json"]
    assert rep["totals"]["timeout"] == 1


def test_timeout_clock_starts_after_the_worker_warmed_up(tmp_path: Path) -> None:
    docs = {f"d{i}.txt": f"Document {i} SLOW\n" for i in range(6)}
    docs["d3.txt"] = "HANG\n"  # its worker is killed: the replacement warms up again
    make_project(tmp_path, docs, CONFIG.replace("  - name: faulty\n", "  - name: faulty\n  - name: lazy\n"))
    res = cli(tmp_path, "--workers", "2", "--timeout", "1", "--no-cache", "--report", "report.json")
    assert res.returncode == 1
    st = statuses(report(tmp_path))
    assert st == {**{f"d{i}": "ok" for i in range(6)}, "d3": "timeout"}, st


def test_fail_fast_stops_at_the_first_failure(tmp_path: Path) -> None:
    make_project(tmp_path, {"a.txt": "ok\n", "b.txt": "RAISE\n", "c.txt": "ok\n", "d.txt": "ok\n"})
    res = cli(tmp_path, "--workers", "1", "--fail-fast", "--max-failures", "5", "--report", "report.json")
    assert res.returncode == 1  # an incomplete batch fails whatever --max-failures allows
    rep = report(tmp_path)
    st = statuses(rep)
    # c may already be running in the worker (queued behind b) when b's failure arrives
    assert st["a"] == "ok" and st["b"] == "failed" and st["c"] in ("ok", "not-run") and st["d"] == "not-run"
    assert rep["stopped_early"] is True and rep["totals"]["documents"] == 4
    assert set(outputs(tmp_path)) == {f"{k}.json" for k, v in st.items() if v == "ok"}
    assert "not-run" in res.stderr.decode() and "stopped at the first failure" in res.stderr.decode()


def test_fail_fast_with_workers_reports_every_input_and_every_written_file(tmp_path: Path) -> None:
    docs = {f"d{i:02d}.txt": f"Document {i}.\n" for i in range(30)}
    docs["d01.txt"] = "RAISE\n"
    make_project(tmp_path, docs)
    res = cli(tmp_path, "--workers", "2", "--fail-fast", "--report", "report.json")
    assert res.returncode == 1
    rep = report(tmp_path)
    st = statuses(rep)
    assert list(st) == [n.removesuffix(".txt") for n in sorted(docs)] and st["d01"] == "failed"
    assert "not-run" in st.values() and set(st.values()) <= {"ok", "failed", "not-run"}
    assert set(outputs(tmp_path)) == {f"{k}.json" for k, v in st.items() if v == "ok"}


def test_max_failures_sets_the_exit_status(tmp_path: Path) -> None:
    make_project(tmp_path, {"a.txt": "ok\n", "b.txt": "RAISE\n", "c.txt": "RAISE\n"})
    assert cli(tmp_path, "--workers", "1", "--max-failures", "2").returncode == 0
    assert cli(tmp_path, "--workers", "1", "--max-failures", "1").returncode == 1
    assert cli(tmp_path, "--workers", "1").returncode == 1


def test_sigkill_mid_batch_leaves_complete_outputs_and_the_rerun_finishes(tmp_path: Path) -> None:
    docs = {f"d{i}.txt": f"Document {i}.\n" for i in range(6)}
    docs["d3.txt"] = "HANG\n"
    make_project(tmp_path, docs)
    token = f"sigkill-{os.getpid()}-{time.monotonic_ns()}"
    proc = cli(tmp_path, "--workers", "2", wait=False, env={"BATCH_TEST_TOKEN": token})
    deadline = time.monotonic() + 60
    while len(outputs(tmp_path)) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.3)  # documents after the hanging one may finish; they must not be written out of order
    proc.send_signal(signal.SIGKILL)
    proc.wait(10)
    proc.stdout.close()
    proc.stderr.close()
    gone = time.monotonic() + 10
    while processes_with(token) and time.monotonic() < gone:
        time.sleep(0.1)
    assert processes_with(token) == [], "workers outlived the killed coordinator"
    partial = outputs(tmp_path)
    assert {"d0.json", "d1.json", "d2.json"} <= set(partial) and "d3.json" not in partial
    (tmp_path / "in/d3.txt").write_text("Document 3.\n", encoding="utf-8")
    res = cli(tmp_path, "--workers", "2", "--report", "report.json")
    assert res.returncode == 0, res.stderr
    st = statuses(report(tmp_path))
    # d0-d2 are normally cache hits; one written just before the kill, whose cache entry the
    # coordinator had not yet recorded, is simply run again.
    assert all(st[f"d{i}"] in ("skipped-cached", "ok") for i in range(3)) and st["d3"] == "ok"
    assert set(st.values()) <= {"ok", "skipped-cached"}
    final = outputs(tmp_path)
    fresh = tmp_path / "fresh"
    make_project(fresh, {**docs, "d3.txt": "Document 3.\n"})
    assert cli(fresh, "--no-cache").returncode == 0
    assert outputs(fresh) == final  # everything complete and correct
    for name, data in partial.items():
        assert final[name] == data  # what the killed run left was already complete and correct


def processes_with(token: str) -> list[int]:
    """Pids of live processes whose environment holds ``BATCH_TEST_TOKEN=token``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            env = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().split(") ")[-1][:1]
        except OSError:
            continue
        if f"BATCH_TEST_TOKEN={token}".encode() in env.split(b"\0") and state != "Z":
            found.append(int(entry.name))
    return found


def test_unwritable_output_dir_is_a_one_line_error(tmp_path: Path) -> None:
    make_project(tmp_path, GOOD)
    (tmp_path / "somefile").write_text("not a directory\n")
    res = cli(tmp_path, "-o", "somefile/out")
    assert res.returncode == 2
    err = res.stderr.decode("utf-8").strip().splitlines()
    assert err[-1].startswith("copydesk: error: somefile/out") and "Traceback" not in res.stderr.decode()


def test_bad_override_exits_2_with_a_clear_message(tmp_path: Path) -> None:
    make_project(tmp_path, GOOD)
    res = cli(tmp_path, "--set", "stages.mark.repeat=many")
    assert res.returncode == 2
    assert "stages -> 0 -> settings -> repeat" in res.stderr.decode() and "integer" in res.stderr.decode()
    res = cli(tmp_path, "--set", "stages.nosuch.x=1")
    assert res.returncode == 2 and "no stage 'nosuch'" in res.stderr.decode()
    res = cli(tmp_path, "--set", "run.workers=0")
    assert res.returncode == 2 and "run -> workers" in res.stderr.decode()
    assert not (tmp_path / "out").exists()


def test_override_changes_the_output(tmp_path: Path) -> None:
    make_project(tmp_path, {"a.txt": "one two\n"})
    assert cli(tmp_path, "--set", "stages.mark.label=custom").returncode == 0
    assert json.loads(outputs(tmp_path)["a.json"])["metadata"]["mark"] == "custom"


# --------------------------------------------------------------------------- cache and --check


def test_cache_skips_unchanged_documents_and_reruns_what_changed(tmp_path: Path) -> None:
    make_project(tmp_path, GOOD)
    assert cli(tmp_path).returncode == 0
    first = outputs(tmp_path)

    res = cli(tmp_path, "--report", "report.json")
    assert res.returncode == 0
    assert set(statuses(report(tmp_path)).values()) == {"skipped-cached"}
    assert "skipped-cached" in res.stderr.decode()
    assert outputs(tmp_path) == first

    os.utime(tmp_path / "out/d04.json", ns=(1, 1))  # touched, same bytes: still valid (hash check)
    (tmp_path / "out/d05.json").write_bytes(first["d05.json"][:-1] + b" ")  # same size, new bytes
    os.utime(tmp_path / "out/d05.json", ns=(2, 2))
    (tmp_path / "in/d01.txt").write_text("A changed document.\n", encoding="utf-8")
    (tmp_path / "out/d02.json").write_text("edited by hand\n", encoding="utf-8")
    (tmp_path / "out/d03.json").unlink()
    cli(tmp_path, "--report", "report.json")
    st = statuses(report(tmp_path))
    assert {k for k, v in st.items() if v == "ok"} == {"d01", "d02", "d03", "d05"}
    assert outputs(tmp_path)["d05.json"] == first["d05.json"]
    assert outputs(tmp_path)["d02.json"] == first["d02.json"]
    assert outputs(tmp_path)["d03.json"] == first["d03.json"]

    cli(tmp_path, "--set", "stages.mark.label=other", "--report", "report.json")
    assert set(statuses(report(tmp_path)).values()) == {"ok"}  # config changed: everything runs
    cli(tmp_path, "--set", "stages.mark.label=other", "--report", "report.json")
    assert set(statuses(report(tmp_path)).values()) == {"skipped-cached"}
    cli(tmp_path, "--set", "stages.mark.label=other", "--report", "report.json",
        env={"BATCH_TEST_PLUGIN_VERSION": "2.0"})
    assert set(statuses(report(tmp_path)).values()) == {"ok"}  # plugin version changed
    cli(tmp_path, "--set", "stages.mark.label=other", "--report", "report.json", "--force",
        env={"BATCH_TEST_PLUGIN_VERSION": "2.0"})
    assert set(statuses(report(tmp_path)).values()) == {"ok"}  # --force
    # the cache lives outside the output directory
    assert not any(p.name.startswith(".") for p in (tmp_path / "out").iterdir())
    assert (tmp_path / ".copydesk-cache").is_dir()


def test_failed_document_is_not_cached(tmp_path: Path) -> None:
    make_project(tmp_path, {"a.txt": "RAISE\n", "b.txt": "ok\n"})
    assert cli(tmp_path).returncode == 1
    res = cli(tmp_path, "--report", "report.json")
    assert res.returncode == 1
    assert statuses(report(tmp_path)) == {"a": "failed", "b": "skipped-cached"}


@pytest.mark.parametrize("cache", [True, False])
def test_a_document_that_now_fails_loses_its_old_outputs_and_check_agrees(tmp_path: Path, cache: bool) -> None:
    make_project(tmp_path, {"a.txt": "fine\n", "b.txt": "also fine\n"})
    flags = () if cache else ("--no-cache",)
    assert cli(tmp_path, *flags).returncode == 0
    (tmp_path / "in/b.txt").write_text("RAISE now\n", encoding="utf-8")
    res = cli(tmp_path, *flags, "--check")
    assert res.returncode == 1 and "stale: out/b.json" in res.stderr.decode()
    assert (tmp_path / "out/b.json").exists()  # --check writes (and removes) nothing
    assert cli(tmp_path, *flags).returncode == 1
    assert sorted(outputs(tmp_path)) == ["a.json"]
    res = cli(tmp_path, *flags, "--check")
    assert res.returncode == 1 and "outputs match" in res.stderr.decode()  # 1: b still fails


def test_check_names_differing_files_and_writes_nothing(tmp_path: Path) -> None:
    make_project(tmp_path, GOOD)
    assert cli(tmp_path).returncode == 0
    assert cli(tmp_path, "--check").returncode == 0
    assert cli(tmp_path, "--check", "--no-cache").returncode == 0
    (tmp_path / "out/d02.json").write_text("edited\n", encoding="utf-8")
    (tmp_path / "out/d04.json").unlink()
    before = {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()}
    res = cli(tmp_path, "--check", "--report", "report.json")
    assert res.returncode == 1
    err = res.stderr.decode()
    assert "differs: out/d02.json" in err and "missing: out/d04.json" in err
    assert {p.name: p.stat().st_mtime_ns for p in (tmp_path / "out").iterdir()} == before
    assert {c["problem"] for c in report(tmp_path)["check"]} == {"differs", "missing"}
    assert cli(tmp_path, "--force").returncode == 0
    (tmp_path / "out/gone.json").write_text("{}\n", encoding="utf-8")  # no input produces it any more
    res = cli(tmp_path, "--check")
    assert res.returncode == 1 and "unexpected: out/gone.json" in res.stderr.decode()


# --------------------------------------------------------------------------- report and progress


def test_report_has_statuses_stage_timings_totals_versions_and_config_hash(tmp_path: Path) -> None:
    make_project(tmp_path, {"a.txt": "fine\n", "b.txt": "RAISE\n"})
    res = cli(tmp_path, "--workers", "1", "--report", "report.json")
    assert res.returncode == 1
    rep = report(tmp_path)
    assert rep["totals"] == {"ok": 1, "failed": 1, "timeout": 0, "skipped-cached": 0, "not-run": 0, "documents": 2}
    a, b = rep["documents"]
    assert set(a["timings"]) == {"read", "mark", "faulty", "export"}
    assert a["outputs"] == ["a.json"] and a["error"] is None
    assert b["error"] and b["stage"] == "faulty"
    assert rep["plugins"]["test_batch_plugin"] == "1.0"
    assert len(rep["config_hash"]) == 64
    assert set(rep["stage_seconds"]) >= {"read", "mark", "faulty", "export"}
    assert res.stderr.decode().strip().splitlines()[-1].startswith("copydesk: 2 documents: 1 ok, 1 failed")
    assert res.stdout == b""


def test_unwritable_report_path_fails_before_the_batch(tmp_path: Path) -> None:
    make_project(tmp_path, GOOD)
    res = cli(tmp_path, "--report", "nodir/report.json")
    assert res.returncode == 2
    assert res.stderr.decode().strip().splitlines()[-1].startswith("copydesk: error: nodir/report.json")
    assert not (tmp_path / "out").exists()  # nothing ran


def test_report_dash_goes_to_stdout(tmp_path: Path) -> None:
    make_project(tmp_path, {"a.txt": "fine\n"})
    res = cli(tmp_path, "--report", "-", "--no-cache")
    assert res.returncode == 0
    assert json.loads(res.stdout)["totals"]["ok"] == 1 and not (tmp_path / "-").exists()
    res = cli(tmp_path, "--report", "-", "-o", "-")
    assert res.returncode == 2 and b"stdout" in res.stderr


def test_report_is_written_when_an_output_cannot_be_written_mid_batch(tmp_path: Path) -> None:
    make_project(tmp_path, GOOD)
    (tmp_path / "out" / "d02.json").mkdir(parents=True)  # a directory where an output goes
    res = cli(tmp_path, "--workers", "1", "--no-cache", "--report", "report.json")
    assert res.returncode == 2 and b"d02.json" in res.stderr.strip().splitlines()[-1]
    rep = report(tmp_path)
    assert "d02.json" in rep["aborted"]
    assert len(rep["documents"]) == len(GOOD) and statuses(rep)["d05"] in ("ok", "not-run")


@pytest.mark.parametrize(("signum", "code", "why"), [(signal.SIGINT, 130, "interrupted"),
                                                     (signal.SIGTERM, 143, "terminated")])
def test_interrupted_batch_still_writes_its_report(tmp_path: Path, signum: int, code: int, why: str) -> None:
    make_project(tmp_path, {"a.txt": "fine\n", "b.txt": "HANG\n", "c.txt": "fine\n"})
    proc = cli(tmp_path, "--workers", "2", "--no-cache", "--report", "report.json", wait=False)
    deadline = time.monotonic() + 60
    while not (tmp_path / "out" / "a.json").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.2)
    proc.send_signal(signum)
    _, err = proc.communicate(timeout=30)
    assert proc.returncode == code, err
    assert b"Traceback" not in err
    rep = report(tmp_path)
    assert rep["aborted"] == why
    assert statuses(rep)["a"] == "ok" and statuses(rep)["b"] == "not-run" and len(rep["documents"]) == 3


def test_plain_progress_lines_without_a_terminal() -> None:
    import io

    from pipeline.progress import NoProgress, PlainProgress, make_progress

    stream = io.StringIO()
    assert isinstance(make_progress(stream), PlainProgress)
    assert isinstance(make_progress(stream, "none"), NoProgress)
    p = PlainProgress(stream, interval=3600)
    p.start(40)
    for i in range(40):
        p.advance(f"d{i}", "ok" if i % 4 else "failed")
    p.finish()
    lines = stream.getvalue().splitlines()
    assert len(lines) == 10
    assert lines[-1].startswith("copydesk: 40/40 documents (10 failed, 30 ok)")


def test_rich_bar_on_a_terminal() -> None:
    import io

    from pipeline.progress import RichProgress, make_progress

    class Tty(io.StringIO):
        def isatty(self) -> bool:
            return True

    bar = make_progress(Tty())
    assert isinstance(bar, RichProgress)
    bar.start(2)
    bar.advance("a", "ok")
    bar.advance("b", "ok")
    bar.finish()


def test_editing_a_plugin_module_invalidates_the_cache(tmp_path: Path) -> None:
    plugin = tmp_path / "edited_plugin.py"
    source = (
        "from pipeline import Document, Stage, hookimpl\n\n\n"
        "class Tag(Stage):\n"
        "    name = 'tag'\n\n"
        "    def process(self, doc: Document) -> Document:\n"
        "        return doc.model_copy(update={'metadata': {'tag': VALUE}})\n\n\n"
        "@hookimpl\n"
        "def register_stages(register):\n"
        "    register(Tag)\n"
    )
    plugin.write_text("VALUE = 1\n" + source, encoding="utf-8")
    config = CONFIG.replace("test_batch_plugin", "edited_plugin").replace(
        "  - name: mark\n  - name: faulty\n", "  - name: tag\n")
    make_project(tmp_path, {"a.txt": "text\n"}, config)
    env = {"PYTHONPATH": str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "PYTHONDONTWRITEBYTECODE": "1"}  # an edit within the same second must not load a stale .pyc
    assert cli(tmp_path, env=env).returncode == 0
    cli(tmp_path, "--report", "report.json", env=env)
    assert statuses(report(tmp_path)) == {"a": "skipped-cached"}
    plugin.write_text("VALUE = 2\n" + source, encoding="utf-8")  # same version string, new code
    cli(tmp_path, "--report", "report.json", env=env)
    assert statuses(report(tmp_path)) == {"a": "ok"}
    assert json.loads(outputs(tmp_path)["a.json"])["metadata"]["tag"] == 2


@pytest.mark.parametrize("lazy", [False, True], ids=["imported-with-the-plugin", "imported-in-process"])
def test_editing_a_plugin_helper_module_invalidates_the_cache_and_a_moved_workspace_keeps_it(
        tmp_path: Path, lazy: bool) -> None:
    def project(root: Path) -> dict[str, str]:
        return {"PYTHONPATH": str(root) + os.pathsep + os.environ.get("PYTHONPATH", ""),
                "PYTHONDONTWRITEBYTECODE": "1"}

    work = tmp_path / "mv1"
    work.mkdir()
    top, inner = ("", "        from helped_plugin_helper import VALUE\n") if lazy else (
        "from helped_plugin_helper import VALUE\n", "")
    (work / "helped_plugin.py").write_text(
        "from pipeline import Document, Stage, hookimpl\n"
        f"{top}\n\n"
        "class Tag(Stage):\n"
        "    name = 'tag'\n\n"
        "    def process(self, doc: Document) -> Document:\n"
        f"{inner}"
        "        return doc.model_copy(update={'metadata': {'tag': VALUE}})\n\n\n"
        "@hookimpl\n"
        "def register_stages(register):\n"
        "    register(Tag)\n", encoding="utf-8")
    (work / "helped_plugin_helper.py").write_text("VALUE = 1\n", encoding="utf-8")
    config = CONFIG.replace("test_batch_plugin", "helped_plugin").replace(
        "  - name: mark\n  - name: faulty\n", "  - name: tag\n")
    make_project(work, {"a.txt": "text\n", "b.txt": "more text\n"}, config)
    assert cli(work, env=project(work)).returncode == 0
    (work / "helped_plugin_helper.py").write_text("VALUE = 2\n", encoding="utf-8")  # only the helper changes
    cli(work, "--report", "report.json", env=project(work))
    assert statuses(report(work)) == {"a": "ok", "b": "ok"}
    assert json.loads(outputs(work)["a.json"])["metadata"]["tag"] == 2
    moved = tmp_path / "mv2"
    work.rename(moved)  # a CI cache restored into another workspace path
    cli(moved, "--report", "report.json", env=project(moved))
    assert statuses(report(moved)) == {"a": "skipped-cached", "b": "skipped-cached"}


def test_input_above_max_bytes_fails_alone(tmp_path: Path) -> None:
    make_project(tmp_path, {"big.txt": "x" * 200 + "\n", "small.txt": "tiny\n"})
    res = cli(tmp_path, "--set", "readers.text.max_bytes=50", "--report", "report.json")
    assert res.returncode == 1
    rep = report(tmp_path)
    assert statuses(rep) == {"big": "failed", "small": "ok"}
    assert "max_bytes" in rep["documents"][0]["error"]


@pytest.mark.parametrize("method", ["spawn", "fork"])
def test_process_pool_executor_in_order_with_either_start_method(tmp_path: Path, method: str) -> None:
    from pipeline.executors import PipelineSpec, ProcessPoolExecutor
    from pipeline.inputs import collect_inputs

    make_project(tmp_path, {"a.txt": "one\n", "b.txt": "RAISE\n", "c.txt": "three\n", "d.txt": "four\n"})
    spec = PipelineSpec(str(tmp_path / "cfg.yaml"), ("stages.mark.label=pooled",), str(tmp_path))
    items = collect_inputs([str(tmp_path / "in")])
    pool = ProcessPoolExecutor(spec, 2, start_method=method)
    got = [(item.doc_id, res.status) for item, res in pool.map((i, None) for i in items)]
    assert got == [("a", "ok"), ("b", "failed"), ("c", "ok"), ("d", "ok")]


def test_a_report_path_that_is_a_named_pipe_is_written_to_not_replaced(tmp_path: Path) -> None:
    import stat
    import threading

    make_project(tmp_path, {"a.txt": "fine\n"})
    fifo = tmp_path / "report.pipe"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    res = cli(tmp_path, "--report", str(fifo))
    reader.join(timeout=30)
    assert res.returncode == 0, res.stderr
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(received[0])["totals"]["ok"] == 1
