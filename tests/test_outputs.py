from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.outputs import OutputError, ensure_dir, safe_target, write_atomic


@pytest.mark.parametrize("name", ["../x.json", "a/b.json", "..", ".", "", "a\\b", "x\x00.json"])
def test_output_names_can_never_escape(tmp_path: Path, name: str) -> None:
    with pytest.raises(OutputError):
        safe_target(str(tmp_path), name)


def test_symlink_escape_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "outside.json"
    out = tmp_path / "out"
    out.mkdir()
    os.symlink(outside, out / "doc.json")
    with pytest.raises(OutputError, match="escapes"):
        write_atomic(str(out), "doc.json", b"{}")
    assert not outside.exists()


def test_atomic_write_leaves_no_temporary_files(tmp_path: Path) -> None:
    write_atomic(str(tmp_path), "a.json", b"one")
    write_atomic(str(tmp_path), "a.json", b"two")
    assert [p.name for p in tmp_path.iterdir()] == ["a.json"]
    assert (tmp_path / "a.json").read_bytes() == b"two"


def test_output_directory_under_a_file_is_a_clear_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(OutputError, match="cannot create output directory"):
        ensure_dir(str(blocker / "out"))


def test_outputs_get_the_mode_of_a_plain_open(tmp_path: Path) -> None:
    mask = os.umask(0o027)
    try:
        path = write_atomic(str(tmp_path), "a.json", b"{}")
    finally:
        os.umask(mask)
    assert os.stat(path).st_mode & 0o777 == 0o640


def test_a_symlink_inside_the_output_directory_is_written_through(tmp_path: Path) -> None:
    (tmp_path / "real.json").write_bytes(b"old")
    os.symlink("real.json", tmp_path / "link.json")
    write_atomic(str(tmp_path), "link.json", b"new")
    assert (tmp_path / "real.json").read_bytes() == b"new"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.json", "real.json"]


def test_a_missing_directory_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write"):
        write_atomic(str(tmp_path / "gone"), "a.json", b"{}")
