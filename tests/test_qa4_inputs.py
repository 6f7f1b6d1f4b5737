"""QA round 4: the input filters (--include, --exclude, reader suffixes) come before any check
that a file can be read, so an unreadable file or folder they leave out never fails the run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from pipeline.inputs import collect_inputs

CONFIG = "stages: []\nexporters:\n  - name: json\n"


def tree(root: Path) -> Path:
    """``in/`` with readable files, ``noexec/`` (listable, but its files cannot be examined when
    its mode is 644) and ``locked/`` (cannot be listed when its mode is 0)."""
    for rel in ("a.md", "b.txt", "noexec/c.txt", "noexec/d.md", "noexec/e.png", "locked/f.md", "sub/g.md"):
        (root / "in" / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / "in" / rel).write_text(f"# {rel}\n", encoding="utf-8")
    return root / "in"


@pytest.fixture
def unexaminable(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The tree, with ``in/noexec``'s files failing ``stat`` and ``in/locked`` failing to list,
    as for a user without the permissions (root reads everything, so simulated here)."""
    tree(tmp_path)
    monkeypatch.chdir(tmp_path)
    real_stat, real_scandir = os.stat, os.scandir

    def stat(path: Any, *args: Any, **kwargs: Any) -> os.stat_result:
        if os.path.normpath(os.fspath(path)).startswith(os.path.join("in", "noexec") + os.sep):
            raise PermissionError(13, "Permission denied", path)
        return real_stat(path, *args, **kwargs)

    def scandir(path: Any = ".") -> Any:
        if os.path.normpath(os.fspath(path)) == os.path.join("in", "locked"):
            raise PermissionError(13, "Permission denied", path)
        return real_scandir(path)

    monkeypatch.setattr(os, "stat", stat)
    monkeypatch.setattr(os, "scandir", scandir)
    return tmp_path


def outcome(items: list[Any]) -> list[tuple[str, str | None]]:
    return [(i.origin, i.error) for i in items]


def test_files_left_out_by_include_are_never_examined(unexaminable: Path) -> None:
    items = collect_inputs(["in"], include=["*.md"], exclude=["locked"])
    assert outcome(items) == [("in/a.md", None), ("in/noexec/d.md", "cannot read: Permission denied"),
                              ("in/sub/g.md", None)]


def test_files_left_out_by_exclude_are_never_examined(unexaminable: Path) -> None:
    items = collect_inputs(["in"], exclude=["locked", "c.txt", "noexec/*.md", "*.png"])
    assert outcome(items) == [("in/a.md", None), ("in/b.txt", None), ("in/sub/g.md", None)]


def test_files_no_reader_claims_are_never_examined(unexaminable: Path) -> None:
    items = collect_inputs(["in"], exclude=["locked/"], suffixes={".md", ".txt"})
    assert [i.origin for i in items if i.error] == ["in/noexec/c.txt", "in/noexec/d.md"]  # not e.png


def test_an_unreadable_file_or_folder_that_is_not_left_out_still_fails(unexaminable: Path) -> None:
    items = collect_inputs(["in"], include=["*.md"])
    assert [(i.origin, i.error) for i in items if i.error] == [
        ("in/locked", "cannot read directory: Permission denied"),
        ("in/noexec/d.md", "cannot read: Permission denied"),
    ]


SETPRIV = ["setpriv", "--inh-caps=-dac_override,-dac_read_search",
           "--bounding-set=-dac_override,-dac_read_search", "--"]


@pytest.mark.skipif(sys.platform != "linux", reason="POSIX permissions")
def test_cli_run_with_filters_skips_unreadable_entries_they_leave_out(tmp_path: Path) -> None:
    if os.geteuid() == 0 and shutil.which("setpriv") is None:
        pytest.skip("root reads any directory; setpriv is needed to drop that")
    tree(tmp_path)
    (tmp_path / "in" / "noexec" / "d.md").unlink()  # every file left in noexec is filtered out
    (tmp_path / "p.yaml").write_text(CONFIG, encoding="utf-8")
    os.chmod(tmp_path / "in" / "noexec", 0o644)
    os.chmod(tmp_path / "in" / "locked", 0)
    try:
        prefix = SETPRIV if os.geteuid() == 0 else []
        res = subprocess.run([*prefix, sys.executable, "-m", "pipeline.cli", "run", "p.yaml", "in", "-o", "out",
                              "--include", "*.md", "--exclude", "locked", "--report", "r.json"],
                             cwd=tmp_path, capture_output=True, text=True, timeout=300)
    finally:
        os.chmod(tmp_path / "in" / "noexec", 0o755)
        os.chmod(tmp_path / "in" / "locked", 0o755)
    assert res.returncode == 0, res.stderr
    docs = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["documents"]
    assert [(d["input"], d["status"]) for d in docs] == [("in/a.md", "ok"), ("in/sub/g.md", "ok")]
