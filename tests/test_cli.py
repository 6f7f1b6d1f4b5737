from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

CONFIG = """\
plugins: [copydesk_teststages]
stages:
  - name: fake_sections
  - name: wordcount
    settings:
      top_k: 2
  - name: explode
exporters:
  - name: json
"""


def copydesk(*args: str, cwd: Path, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args], cwd=cwd, input=stdin, capture_output=True, text=True,
        env={**os.environ}, timeout=120,
    )


def setup(tmp_path: Path, config: str = CONFIG) -> None:
    (tmp_path / "pipeline.yaml").write_text(config, encoding="utf-8")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "a.txt").write_text("alpha beta gamma\n", encoding="utf-8")
    (tmp_path / "in" / "b.txt").write_text("delta epsilon\n", encoding="utf-8")


def test_run_writes_outputs_and_exits_0(tmp_path: Path) -> None:
    setup(tmp_path)
    res = copydesk("run", "pipeline.yaml", "in", "-o", "out", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    doc = json.loads((tmp_path / "out" / "a.json").read_text(encoding="utf-8"))
    assert doc["metadata"]["words"] == 3
    assert [s["name"] for s in doc["stages"]] == ["fake_sections", "wordcount", "explode"]
    assert res.stdout == ""
    assert "2 documents: 2 ok" in res.stderr


def test_one_failing_document_gives_exit_1_and_keeps_the_others(tmp_path: Path) -> None:
    setup(tmp_path)
    (tmp_path / "in" / "c.txt").write_text("this one goes BOOM\n", encoding="utf-8")
    res = copydesk("run", "pipeline.yaml", "in", "-o", "out", "--report", "report.json", cwd=tmp_path)
    assert res.returncode == 1
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["a.json", "b.json"]
    report = json.loads((tmp_path / "report.json").read_text())
    bad = [d for d in report["documents"] if d["status"] == "failed"]
    assert len(bad) == 1 and bad[0]["id"] == "c" and bad[0]["stage"] == "explode"
    assert "Traceback" not in res.stderr


def test_config_error_is_one_line_with_exit_2(tmp_path: Path) -> None:
    setup(tmp_path, CONFIG.replace("top_k: 2", "top_k: two"))
    res = copydesk("run", "pipeline.yaml", "in", "-o", "out", cwd=tmp_path)
    assert res.returncode == 2
    lines = res.stderr.strip().splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("copydesk: error: pipeline.yaml:6: stages -> 1 -> settings -> top_k:")
    assert not (tmp_path / "out").exists()


def test_unknown_stage_is_exit_2_one_line(tmp_path: Path) -> None:
    setup(tmp_path, CONFIG.replace("name: explode", "name: exploed"))
    res = copydesk("validate", "pipeline.yaml", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.count("\n") == 1
    assert "no stage 'exploed'; did you mean 'explode'?" in res.stderr


def test_stdin_jsonl_to_stdout_jsonl_in_order(tmp_path: Path) -> None:
    setup(tmp_path)
    lines = "".join(json.dumps({"id": f"d{i}", "text": "w " * i}) + "\n" for i in range(1, 6))
    res = copydesk("run", "pipeline.yaml", "-", "-o", "-", cwd=tmp_path, stdin=lines)
    assert res.returncode == 0, res.stderr
    docs = [json.loads(line) for line in res.stdout.splitlines()]
    assert [d["id"] for d in docs] == ["d1", "d2", "d3", "d4", "d5"]
    assert [d["metadata"]["words"] for d in docs] == [1, 2, 3, 4, 5]
    assert docs[0]["source"]["path"] is None


def test_missing_input_is_usage_error(tmp_path: Path) -> None:
    setup(tmp_path)
    res = copydesk("run", "pipeline.yaml", "nope.txt", "-o", "out", cwd=tmp_path)
    assert res.returncode == 2
    assert "nope.txt: no such file or directory" in res.stderr


def test_init_writes_the_default_pipeline_and_refuses_to_overwrite(tmp_path: Path) -> None:
    res = copydesk("init", cwd=tmp_path)
    assert res.returncode == 0
    text = (tmp_path / "pipeline.yaml").read_text()
    assert "name: sections" in text and "name: themes" in text
    again = copydesk("init", cwd=tmp_path)
    assert again.returncode == 2 and "exists" in again.stderr


def test_help_everywhere(tmp_path: Path) -> None:
    for cmd in ([], ["run"], ["validate"], ["plugins"], ["schema"], ["init"], ["stages"]):
        res = copydesk(*cmd, "--help", cwd=tmp_path)
        assert res.returncode == 0 and "Usage:" in res.stdout


def test_the_program_still_runs_atexit_handlers_and_keeps_its_exit_status(tmp_path: Path) -> None:
    # copydesk ends without tearing the interpreter down; plugins' atexit handlers must still run
    setup(tmp_path, CONFIG.replace("plugins: [copydesk_teststages]", "plugins: [copydesk_teststages, atexit_probe]"))
    (tmp_path / "atexit_probe.py").write_text(
        "import atexit, pathlib\n"
        "atexit.register(lambda: pathlib.Path('atexit-ran').write_text('yes'))\n",
        encoding="utf-8",
    )
    (tmp_path / "in" / "c.txt").write_text("this one goes BOOM\n", encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(tmp_path), os.environ.get("PYTHONPATH", "")])}
    res = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "pipeline.yaml", "in", "-o", "out"],
                         cwd=tmp_path, capture_output=True, text=True, env=env, timeout=120)
    assert res.returncode == 1, res.stderr
    assert "3 documents: 2 ok, 1 failed" in res.stderr
    assert (tmp_path / "atexit-ran").read_text() == "yes"


def test_validate_names_a_listed_input_that_does_not_exist(tmp_path: Path) -> None:
    setup(tmp_path, "inputs: [in, articles]\n" + CONFIG)
    res = copydesk("validate", "pipeline.yaml", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr.strip() == "copydesk: error: pipeline.yaml:1: inputs -> 1: articles: no such file or directory"
    (tmp_path / "articles").mkdir()
    assert copydesk("validate", "pipeline.yaml", cwd=tmp_path).returncode == 0
    res = copydesk("validate", "pipeline.yaml", "--set", "inputs=[gone.jsonl]", cwd=tmp_path)
    assert res.returncode == 2 and "--set inputs=[gone.jsonl]" in res.stderr and "gone.jsonl" in res.stderr


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_validate_refuses_a_listed_named_pipe_as_run_does(tmp_path: Path) -> None:
    setup(tmp_path, "inputs: [in, feed]\n" + CONFIG)
    os.mkfifo(tmp_path / "feed")
    for command in (("validate", "pipeline.yaml"), ("run", "pipeline.yaml", "-o", "out")):
        res = copydesk(*command, cwd=tmp_path)
        assert res.returncode == 2
        assert res.stderr.strip().startswith("copydesk: error: ")
        assert "feed: not a regular file (a named pipe)" in res.stderr


def test_a_second_config_is_a_usage_error_naming_it(tmp_path: Path) -> None:
    setup(tmp_path)
    (tmp_path / "other.yml").write_text("stages: []\n", encoding="utf-8")
    res = copydesk("run", "pipeline.yaml", "other.yml", "in", "-o", "out", cwd=tmp_path)
    assert res.returncode == 2
    assert "two configs given: pipeline.yaml and other.yml" in res.stderr
    assert not (tmp_path / "out").exists()


def test_a_closed_standard_output_matters_only_to_dash_o_dash(tmp_path: Path) -> None:
    setup(tmp_path)

    def run_closed(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "pipeline.yaml", "in", *args],
                              cwd=tmp_path, stdout=None, stderr=subprocess.PIPE, text=True, timeout=120,
                              preexec_fn=lambda: os.close(1))

    res = run_closed("-o", "out")
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "out" / "a.json").exists()
    res = run_closed("-o", "-")
    assert res.returncode == 2
    assert res.stderr.strip().endswith("-o -: standard output is closed")


def test_init_into_a_missing_directory_is_one_line(tmp_path: Path) -> None:
    res = copydesk("init", "x/y/z.yaml", cwd=tmp_path)
    assert res.returncode == 2
    assert res.stderr == "copydesk: error: cannot write x/y/z.yaml: no such directory\n"


def test_init_dash_writes_the_default_pipeline_to_standard_output(tmp_path: Path) -> None:
    res = copydesk("init", "-", cwd=tmp_path)
    assert res.returncode == 0, res.stderr
    assert "name: sections" in res.stdout
    assert not (tmp_path / "-").exists()


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="needs /dev/full (Linux)")
@pytest.mark.parametrize("args", [("run", "pipeline.yaml", "in", "-o", "-", "-j", "1"), ("schema",),
                                  ("stages",), ("init", "-")])
def test_a_full_standard_output_is_one_line_exit_2(tmp_path: Path, args: tuple[str, ...]) -> None:
    setup(tmp_path, CONFIG.replace("  - name: explode\n", ""))
    with open("/dev/full", "w") as full:
        res = subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=tmp_path, stdout=full,
                             stderr=subprocess.PIPE, text=True, timeout=120)
    assert res.returncode == 2
    assert res.stderr.splitlines()[-1] == "copydesk: error: cannot write the output: No space left on device"
    assert "Traceback" not in res.stderr and "Exception ignored" not in res.stderr


def test_quiet_run_prints_the_summary_without_progress_lines(tmp_path: Path) -> None:
    setup(tmp_path)
    for i in range(20):
        (tmp_path / "in" / f"n{i:02d}.txt").write_text(f"note {i}\n", encoding="utf-8")
    loud = copydesk("run", "pipeline.yaml", "in", "-o", "out1", cwd=tmp_path)
    quiet = copydesk("-q", "run", "pipeline.yaml", "in", "-o", "out2", cwd=tmp_path)
    assert loud.returncode == quiet.returncode == 0
    assert "/22 documents" in loud.stderr  # plain progress lines when stderr is not a terminal
    assert len(quiet.stderr.strip().splitlines()) == 1 and "22 documents: 22 ok" in quiet.stderr


def test_dask_without_the_extra_is_a_usage_error_before_the_batch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    from click.testing import CliRunner

    from pipeline.cli import main

    setup(tmp_path)
    real = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "distributed" else real(name, *a))
    monkeypatch.chdir(tmp_path)
    for args in (["--executor", "dask"], ["--scheduler", "tcp://127.0.0.1:1"]):
        res = CliRunner().invoke(main, ["run", "pipeline.yaml", "in", "-o", "out", *args])
        assert res.exit_code == 2, res.output
        assert "copydesk[dask]" in res.output and "Traceback" not in res.output
        assert not (tmp_path / "out").exists()
