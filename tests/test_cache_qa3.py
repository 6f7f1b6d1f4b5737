"""QA round 3 findings on the cache key: path spelling, moved workspaces, helper packages."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.cache import item_key
from pipeline.inputs import collect_inputs

CONFIG = "stages: []\nexporters:\n  - name: json\n"


def copydesk(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "p.yaml", *args], cwd=cwd,
                          capture_output=True, text=True, timeout=300)


def statuses(report: Path) -> list[str]:
    return [d["status"] for d in json.loads(report.read_text(encoding="utf-8"))["documents"]]


def workspace(root: Path) -> Path:
    for rel in ("big/a/x.txt", "big/a/x.md", "big/y.txt", "big/z.txt"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(f"Text of {rel}.", encoding="utf-8")
    (root / "p.yaml").write_text(CONFIG, encoding="utf-8")
    return root


# --- #7 the cache key does not depend on how the argument is spelled ------------------------------

def keys(args: list[str]) -> list[tuple[str, str]]:
    return [(i.doc_id, item_key("p", i, i.read_bytes())) for i in collect_inputs(args)]


def test_item_keys_do_not_depend_on_the_spelling_of_the_argument(tmp_path: Path,
                                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    workspace(tmp_path)
    monkeypatch.chdir(tmp_path)
    expected = keys(["big"])
    assert keys(["./big/"]) == expected
    assert keys([str(tmp_path / "big")]) == expected
    assert keys(["big/a/../"]) == expected


def test_item_keys_follow_the_recorded_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # outside the working directory the document records the path it was given: its key follows
    workspace(tmp_path)
    (tmp_path / "sub").mkdir()
    monkeypatch.chdir(tmp_path)
    inside = keys(["big"])
    monkeypatch.chdir(tmp_path / "sub")
    assert [k for _, k in keys(["../big"])] != [k for _, k in inside]


def test_cli_skips_cached_documents_whatever_the_spelling_or_location(tmp_path: Path) -> None:
    ws = workspace(tmp_path / "ws")
    first = copydesk(ws, "big", "-o", "out", "--report", "r.json")
    assert first.returncode == 0, first.stderr
    assert statuses(ws / "r.json") == ["ok"] * 4
    for arg in ("./big/", str(ws / "big")):
        res = copydesk(ws, arg, "-o", "out", "--report", "r.json")
        assert res.returncode == 0, res.stderr
        assert statuses(ws / "r.json") == ["skipped-cached"] * 4, arg
    moved = tmp_path / "moved"
    shutil.copytree(ws, moved, symlinks=True, copy_function=shutil.copy2)
    res = copydesk(moved, str(moved / "big"), "-o", "out", "--report", "r.json")
    assert res.returncode == 0, res.stderr
    assert statuses(moved / "r.json") == ["skipped-cached"] * 4


# --- #8 helper packages beside a local plugin module count in the cache key ------------------------

MARKER = '''\
from pipeline import Document, Stage, hookimpl


class Marker(Stage):
    """Marks documents with a constant of a helper package, imported lazily."""

    name = "marker"

    def process(self, doc: Document) -> Document:
        from markpkg.sub import consts
        return doc.model_copy(update={"metadata": {**doc.metadata, "mark": consts.MARK}})


@hookimpl
def register_stages(register):
    register(Marker)
'''


def plugin_workspace(root: Path) -> Path:
    (root / "markpkg" / "sub").mkdir(parents=True)
    (root / "markpkg" / "__init__.py").write_text("", encoding="utf-8")
    (root / "markpkg" / "sub" / "__init__.py").write_text("", encoding="utf-8")
    (root / "markpkg" / "sub" / "consts.py").write_text('MARK = "one"\n', encoding="utf-8")
    (root / "marker.py").write_text(MARKER, encoding="utf-8")
    (root / "in").mkdir()
    (root / "in" / "a.txt").write_text("Hello.", encoding="utf-8")
    (root / "p.yaml").write_text("plugins: [marker]\nstages:\n  - name: marker\nexporters:\n  - name: json\n",
                                 encoding="utf-8")
    return root


def test_editing_a_helper_package_of_a_local_plugin_re_runs_documents(tmp_path: Path) -> None:
    ws = plugin_workspace(tmp_path)
    env = {**os.environ, "PYTHONPATH": "." + os.pathsep + os.environ.get("PYTHONPATH", "")}

    def run() -> tuple[list[str], str]:
        res = subprocess.run([sys.executable, "-m", "pipeline.cli", "run", "p.yaml", "in", "-o", "out",
                              "--report", "r.json"], cwd=ws, env=env, capture_output=True, text=True, timeout=300)
        assert res.returncode == 0, res.stderr
        mark = json.loads((ws / "out" / "a.json").read_text(encoding="utf-8"))["metadata"]["mark"]
        return statuses(ws / "r.json"), mark

    assert run() == (["ok"], "one")
    assert run() == (["skipped-cached"], "one")
    (ws / "markpkg" / "sub" / "consts.py").write_text('MARK = "two"\n', encoding="utf-8")
    assert run() == (["ok"], "two")


def test_beside_enters_packages_only_and_stops_at_its_limit(tmp_path: Path) -> None:
    from pipeline.cache import _beside

    for rel in ("top.py", "pkg/__init__.py", "pkg/mod.py", "pkg/sub/__init__.py", "pkg/sub/deep.py",
                "pkg/data/x.py", "corpus/y.py", "corpus/inner/__init__.py", "notes.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("", encoding="utf-8")
    found = sorted(os.path.relpath(p, tmp_path) for p in _beside(str(tmp_path), 100))
    assert found == ["pkg/__init__.py", "pkg/mod.py", "pkg/sub/__init__.py", "pkg/sub/deep.py", "top.py"]
    assert len(_beside(str(tmp_path), 2)) == 2
