"""QA round 3 findings on taking inputs in: deep JSONL, long ids, unique ids, path spelling,
unreadable directories, closed stdin."""

from __future__ import annotations

import io
import json
import os
import pickle
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from pipeline.errors import InputError
from pipeline.inputs import MAX_JSON_DEPTH, collect_inputs

CONFIG = "stages: []\nexporters:\n  - name: json\n"


def copydesk(cwd: Path, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    (cwd / "p.yaml").write_text(CONFIG, encoding="utf-8")
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "p.yaml", *args], cwd=cwd,
                          input=stdin.decode("utf-8") if stdin is not None else None,
                          capture_output=True, text=True, timeout=300)


def deep_corpus(depth: int) -> bytes:
    nested = '{"a":' * depth + "1" + "}" * depth
    return ('{"id":"ok","text":"fine"}\n{"id":"deep","text":"t","metadata":' + nested + "}\n"
            '{"id":"last","text":"also fine"}\n').encode("utf-8")


# --- #1 deeply nested JSONL ---------------------------------------------------------------

@pytest.mark.parametrize(("depth", "why"), [(1100, "the record nests deeper than 100 levels"),
                                             (500, "metadata nests deeper than 100 levels"),
                                             (MAX_JSON_DEPTH + 1, "metadata nests deeper than 100 levels")])
def test_a_deeply_nested_jsonl_line_fails_alone(tmp_path: Path, depth: int, why: str) -> None:
    (tmp_path / "d.jsonl").write_bytes(deep_corpus(depth))
    items = collect_inputs([str(tmp_path / "d.jsonl")])
    assert [i.doc_id for i in items] == ["ok", "line-2", "last"]
    with pytest.raises(InputError, match=rf"d.jsonl:2: {why}"):
        items[1].read_bytes()
    assert items[0].read_bytes() == b"fine" and items[2].read_bytes() == b"also fine"
    pickle.dumps(items)  # what the process pool sends to its workers


def test_metadata_at_the_depth_limit_is_accepted(tmp_path: Path) -> None:
    (tmp_path / "d.jsonl").write_bytes(deep_corpus(MAX_JSON_DEPTH))
    items = collect_inputs([str(tmp_path / "d.jsonl")])
    assert [i.error for i in items] == [None, None, None]


def test_a_deep_line_on_stdin_fails_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", SimpleNamespace(buffer=io.BytesIO(deep_corpus(1100))))
    items = collect_inputs(["-"])
    assert [(i.doc_id, i.error) for i in items] == [
        ("ok", None), ("line-2", "the record nests deeper than 100 levels"), ("last", None)]


@pytest.mark.parametrize("depth", [1100, 500])
def test_cli_runs_the_other_lines_of_a_deep_corpus(tmp_path: Path, depth: int) -> None:
    (tmp_path / "d.jsonl").write_bytes(deep_corpus(depth))
    res = copydesk(tmp_path, "d.jsonl", "-o", "out", "--report", "r.json", "-j", "2")
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr and "d.jsonl:2: " in res.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [(d["id"], d["status"], d["stage"]) for d in report["documents"]] == [
        ("ok", "ok", None), ("line-2", "failed", "read"), ("last", "ok", None)]
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["last.json", "ok.json"]


def test_cli_reads_a_deep_corpus_from_stdin(tmp_path: Path) -> None:
    res = copydesk(tmp_path, "-", "-o", "out", stdin=deep_corpus(1100))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert "<stdin>:2: the record nests deeper than 100 levels" in res.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["last.json", "ok.json"]


# --- #2 ids are safe file names in bytes ------------------------------------------------------

NAME_MAX = 255
TEMP_DECORATION = len(".") + len(".") + 12 + len(".tmp")  # pipeline.outputs.create_temporary


@pytest.mark.parametrize("char", ["文", "é", "𠀀", "a"])
def test_long_ids_fit_in_a_file_name_with_hash_suffix_and_temporary_name(tmp_path: Path, char: str) -> None:
    long_id = char * 300
    lines = [{"id": long_id, "text": "one"}, {"id": long_id, "text": "two"}, {"id": "x", "text": "three"}]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines),
                                      encoding="utf-8")
    items = collect_inputs([str(tmp_path / "c.jsonl")])
    assert len({i.doc_id for i in items}) == 3
    for item in items[:2]:
        assert item.doc_id.startswith(char)
        name = f".{item.doc_id}.json.{'0' * 12}.tmp"
        assert len(name.encode("utf-8")) <= NAME_MAX
        (tmp_path / name).write_bytes(b"")  # the file system takes it
    assert items[2].doc_id == "x"


def test_an_ascii_id_keeps_its_first_120_characters(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_text(json.dumps({"id": "a" * 200, "text": "t"}) + "\n", encoding="utf-8")
    assert collect_inputs([str(tmp_path / "c.jsonl")])[0].doc_id == "a" * 120


def test_cli_writes_documents_with_long_non_ascii_ids(tmp_path: Path) -> None:
    lines = [{"id": "a", "text": "first"}, {"id": "文" * 80, "text": "x"}, {"id": "c", "text": "third"}]
    (tmp_path / "long.jsonl").write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in lines),
                                         encoding="utf-8")
    folder = tmp_path / "in" / ("文" * 42)
    folder.mkdir(parents=True)
    (folder / ("文" * 40 + ".txt")).write_text("A plain text.", encoding="utf-8")
    res = copydesk(tmp_path, "long.jsonl", "in", "-o", "out", "--report", "r.json")
    assert res.returncode == 0, res.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [d["status"] for d in report["documents"]] == ["ok"] * 4
    names = [p.name for p in (tmp_path / "out").iterdir()]
    assert len(names) == 4 and all(len(n.encode("utf-8")) + TEMP_DECORATION <= NAME_MAX for n in names)


# --- #3 ids are always unique ------------------------------------------------------------------

@pytest.mark.skipif(sys.platform != "linux", reason="file names as raw bytes")
def test_names_differing_only_in_undecodable_bytes_get_different_ids(tmp_path: Path) -> None:
    folder = os.fsencode(tmp_path / "l1")
    os.mkdir(folder)
    for name, text in ((b"r\xe9sum\xe9.txt", b"First."), (b"r\xe8sum\xe8.txt", b"Second.")):
        with open(os.path.join(folder, name), "wb") as fh:
            fh.write(text)
    items = collect_inputs([os.fsdecode(folder)])
    ids = [i.doc_id for i in items]
    assert len(set(ids)) == 2 and all(i.startswith("r-sum-") for i in ids)
    assert sorted(i.read_bytes() for i in items) == [b"First.", b"Second."]


@pytest.mark.parametrize("args", [["in", "in/b1.txt"], ["in", "in"], ["in", "./in/"], ["in", "link.txt"],
                                  ["in", "in/sub"]])
def test_a_file_reached_twice_is_taken_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                            args: list[str]) -> None:
    (tmp_path / "in" / "sub").mkdir(parents=True)
    for name in ("b1.txt", "b2.txt", "sub/c.txt"):
        (tmp_path / "in" / name).write_text(name, encoding="utf-8")
    (tmp_path / "link.txt").symlink_to(tmp_path / "in" / "b1.txt")
    monkeypatch.chdir(tmp_path)
    assert [i.doc_id for i in collect_inputs(args)] == ["b1", "b2", "sub__c"]


def test_the_first_occurrence_of_a_file_reached_twice_names_it(tmp_path: Path,
                                                               monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "in" / "sub").mkdir(parents=True)
    (tmp_path / "in" / "sub" / "c.txt").write_text("c", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert [i.doc_id for i in collect_inputs(["in/sub", "in"])] == ["c"]


def test_an_id_equal_to_a_disambiguated_one_gets_a_further_suffix(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    import hashlib

    crafted = "dup-" + hashlib.sha1(b"c.jsonl:1").hexdigest()[:8]
    (tmp_path / "c.jsonl").write_text("".join(json.dumps({"id": i, "text": t}) + "\n" for i, t in
                                              (("dup", "one"), ("dup", "two"), (crafted, "three"))))
    monkeypatch.chdir(tmp_path)
    items = collect_inputs(["c.jsonl"])
    ids = [i.doc_id for i in items]
    assert len(set(ids)) == 3
    assert ids[2] == crafted  # an id that collided with nothing is kept as given
    assert ids[0] == crafted + "-2" and items[0].source_id == "dup"


def test_many_equal_ids_are_all_unique(tmp_path: Path) -> None:
    (tmp_path / "c.jsonl").write_text("".join(json.dumps({"id": "same", "text": str(n)}) + "\n" for n in range(300)))
    ids = [i.doc_id for i in collect_inputs([str(tmp_path / "c.jsonl")])]
    assert len(set(ids)) == 300


def test_cli_keeps_both_documents_of_overlapping_inputs_once(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    for n in (1, 2, 3):
        (tmp_path / "in" / f"b{n}.txt").write_text(f"Text {n}.", encoding="utf-8")
    res = copydesk(tmp_path, "in", "in/b1.txt", "in", "-o", "out", "--report", "r.json")
    assert res.returncode == 0, res.stderr
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert [d["id"] for d in report["documents"]] == ["b1", "b2", "b3"]


# --- #7 colliding ids do not depend on how the argument is spelled ------------------------------

def colliding_tree(root: Path) -> None:
    (root / "in" / "a").mkdir(parents=True)
    (root / "in" / "a" / "x.txt").write_text("x", encoding="utf-8")
    (root / "in" / "a" / "x.md").write_text("# x", encoding="utf-8")
    (root / "in" / "y.txt").write_text("y", encoding="utf-8")


def test_colliding_ids_do_not_depend_on_the_spelling_of_the_argument(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    colliding_tree(tmp_path)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    expected = [i.doc_id for i in collect_inputs(["in"])]
    assert len(set(expected)) == 3 and expected[2] == "y"
    assert [i.doc_id for i in collect_inputs(["./in/"])] == expected
    assert [i.doc_id for i in collect_inputs([str(tmp_path / "in")])] == expected
    monkeypatch.chdir(tmp_path / "sub")
    assert [i.doc_id for i in collect_inputs(["../in"])] == expected
    moved = tmp_path / "elsewhere" / "deeper"
    moved.mkdir(parents=True)
    colliding_tree(moved)
    assert [i.doc_id for i in collect_inputs([str(moved / "in")])] == expected


def test_equal_relative_paths_under_two_arguments_stay_apart(tmp_path: Path,
                                                              monkeypatch: pytest.MonkeyPatch) -> None:
    for arg in ("in1", "in2"):
        (tmp_path / arg).mkdir()
        (tmp_path / arg / "x.txt").write_text(arg, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    ids = [i.doc_id for i in collect_inputs(["in1", "in2"])]
    assert len(set(ids)) == 2 and all(i.startswith("x-") and not i.endswith("-2") for i in ids)
    assert [i.doc_id for i in collect_inputs(["./in1/", str(tmp_path / "in2")])] == ids


# --- #6 unreadable directories fail, never skipped silently --------------------------------------

def locked_tree(root: Path) -> Path:
    (root / "in" / "locked").mkdir(parents=True)
    (root / "in" / "a.txt").write_text("A.", encoding="utf-8")
    (root / "in" / "locked" / "b.txt").write_text("B.", encoding="utf-8")
    return root / "in"


@pytest.mark.parametrize("locked", ["in/locked", "in"])
def test_a_directory_that_cannot_be_listed_fails_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                       locked: str) -> None:
    locked_tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    real_scandir = os.scandir

    def scandir(path: str) -> object:
        if os.path.normpath(path) == locked:
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", scandir)
    items = collect_inputs(["in"])
    failed = [i for i in items if i.error is not None]
    assert [(i.origin, i.error) for i in failed] == [(locked, "cannot read directory: Permission denied")]
    with pytest.raises(InputError, match=rf"^{locked}: cannot read directory: Permission denied$"):
        failed[0].read_bytes()
    assert [i.doc_id for i in items if i.error is None] == ([] if locked == "in" else ["a"])


SETPRIV = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
           "--bounding-set=-dac_override,-dac_read_search", "--"]


@pytest.mark.skipif(sys.platform != "linux", reason="POSIX permissions")
@pytest.mark.parametrize(("mode_of", "mode", "failed", "why"), [
    ("in/locked", 0, "in/locked", "cannot read directory"),
    ("in", 0, "in", "cannot read directory"),
    ("in/locked", 0o644, "in/locked/b.txt", "cannot read"),  # listed, but its files cannot be examined
])
def test_cli_reports_an_unreadable_directory_as_failed(tmp_path: Path, mode_of: str, mode: int, failed: str,
                                                       why: str) -> None:
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("root reads any directory; setpriv is needed to drop that")
    locked_tree(tmp_path)
    (tmp_path / "p.yaml").write_text(CONFIG, encoding="utf-8")
    os.chmod(tmp_path / mode_of, mode)
    try:
        prefix = SETPRIV if os.geteuid() == 0 else []
        res = subprocess.run([*prefix, sys.executable, "-m", "pipeline.cli", "run", "p.yaml", "in", "-o", "out",
                              "--report", "r.json"], cwd=tmp_path, capture_output=True, text=True, timeout=300)
    finally:
        os.chmod(tmp_path / mode_of, 0o755)
    assert res.returncode == 1, res.stderr
    assert f"{failed}: {why}: Permission denied" in res.stderr
    docs = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["documents"]
    assert [(d["input"], d["status"], d["stage"]) for d in docs if d["status"] != "ok"] == [(failed, "failed", "read")]


# --- #16a standard input closed ----------------------------------------------------------------

def test_reading_a_closed_stdin_is_an_input_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "stdin", None)
    with pytest.raises(InputError, match="<stdin>: standard input is closed"):
        collect_inputs(["-"])


@pytest.mark.skipif(shutil.which("sh") is None, reason="needs a POSIX shell to close fd 0")
def test_cli_with_stdin_closed_is_a_usage_error(tmp_path: Path) -> None:
    (tmp_path / "p.yaml").write_text(CONFIG, encoding="utf-8")
    res = subprocess.run(["sh", "-c", 'exec "$0" -m pipeline.cli run p.yaml - -o - <&-', sys.executable],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "standard input is closed" in res.stderr and res.stdout == ""
