from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from pipeline.errors import InputError
from pipeline.inputs import collect_inputs, safe_id


def test_directories_are_walked_sorted_and_ids_are_relative(tmp_path: Path) -> None:
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "z.txt").write_text("z")
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / ".hidden.txt").write_text("h")
    items = collect_inputs([str(tmp_path)])
    assert [i.doc_id for i in items] == ["a", "b__z"]


def test_colliding_names_get_distinct_deterministic_ids(tmp_path: Path) -> None:
    for d in ("x", "y"):
        (tmp_path / d).mkdir()
        (tmp_path / d / "a.txt").write_text(d)
    args = [str(tmp_path / "x" / "a.txt"), str(tmp_path / "y" / "a.txt")]
    first = [i.doc_id for i in collect_inputs(args)]
    again = [i.doc_id for i in collect_inputs(args)]
    assert first == again
    assert len(set(first)) == 2 and all(i.startswith("a-") for i in first)


def test_include_and_exclude_globs(tmp_path: Path) -> None:
    for name in ("a.txt", "b.md", "c.txt"):
        (tmp_path / name).write_text(name)
    ids = [i.doc_id for i in collect_inputs([str(tmp_path)], include=["*.txt"], exclude=["c.*"])]
    assert ids == ["a"]


@pytest.mark.parametrize("pattern", ["d1", "d1/", "d*", "sub/d1"])
def test_exclude_naming_a_directory_leaves_out_the_whole_folder(tmp_path: Path, pattern: str) -> None:
    for rel in ("sub/d1/a.txt", "sub/d1/deep/b.txt", "sub/d2.txt", "top.txt"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(rel)
    ids = [i.doc_id for i in collect_inputs([str(tmp_path)], exclude=[pattern])]
    assert ids == (["top"] if pattern == "d*" else ["sub__d2", "top"])


def test_jsonl_corpus_lines_become_documents(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        json.dumps({"id": "../etc/passwd", "text": "one", "metadata": {"k": 1}}) + "\n\n"
        + json.dumps({"text": "two"}) + "\n",
        encoding="utf-8",
    )
    items = collect_inputs([str(corpus)])
    assert [i.doc_id for i in items] == ["etc-passwd", "line-3"]
    assert items[0].read_bytes() == b"one" and items[0].metadata == {"k": 1}
    assert items[0].raw is None and items[1].read_bytes() == b"two"  # texts stay on disk until run


def test_malformed_jsonl_line_fails_alone_naming_file_and_line(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_bytes(b'{"text": "ok"}\n{not json}\n{"text": null}\n\xff\xfe\n{"text": "a \\ud800 b"}\n')
    items = collect_inputs([str(corpus)])
    assert items[0].read_bytes() == b"ok"
    for item, why in zip(items[1:4], ("invalid JSON", 'string "text"', "must be UTF-8"), strict=True):
        with pytest.raises(InputError, match=rf"c.jsonl:{items.index(item) + 1}: .*{why}"):
            item.read_bytes()
    assert items[4].read_bytes() == "a \ufffd b".encode("utf-8")
    assert items[4].notes == ("1 lone surrogate(s) in the JSON text replaced by U+FFFD",)


def test_a_byte_order_mark_before_the_first_jsonl_line_is_skipped(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_bytes(b'\xef\xbb\xbf{"id": "a", "text": "one"}\n{"id": "b", "text": "two"}\n')
    items = collect_inputs([str(corpus)])
    assert [(i.doc_id, i.error, i.read_bytes()) for i in items] == [("a", None, b"one"), ("b", None, b"two")]


def test_jsonl_ids_made_safe_keep_the_original(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(json.dumps({"id": "news/2024/01", "text": "x"}) + "\n", encoding="utf-8")
    item = collect_inputs([str(corpus)])[0]
    assert item.doc_id == "news-2024-01" and item.source_id == "news/2024/01"


def test_output_directory_is_never_an_input(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "a.json").write_text("{}")
    assert [i.doc_id for i in collect_inputs([str(tmp_path)], output_dir=str(tmp_path / "out"))] == ["a"]
    with pytest.raises(InputError, match="inside the output directory"):
        collect_inputs([str(tmp_path)], output_dir=str(tmp_path))


def test_directory_walk_takes_only_files_a_reader_claims(tmp_path: Path) -> None:
    for name in ("a.txt", "b.md", "c.png", "d.pdf", "README", "e.jsonl"):
        (tmp_path / name).write_text('{"text": "x"}\n' if name.endswith("jsonl") else "x")
    ids = [i.doc_id for i in collect_inputs([str(tmp_path)], suffixes={".txt", ".md"})]
    assert ids == ["README", "a", "b", "line-1"]
    assert [i.doc_id for i in collect_inputs([str(tmp_path / "c.png")], suffixes={".txt"})] == ["c"]


def test_undecodable_file_names_are_shown_with_replacement_characters(tmp_path: Path) -> None:
    bad = os.fsencode(str(tmp_path)) + b"/caf\xe9.txt"
    with open(bad, "wb") as fh:
        fh.write(b"text")
    item = collect_inputs([str(tmp_path)])[0]
    assert item.read_bytes() == b"text"
    assert item.origin.endswith("caf\ufffd.txt")
    item.origin.encode("utf-8")  # printable


def test_missing_input_is_an_error() -> None:
    with pytest.raises(InputError, match="no such file"):
        collect_inputs(["/nonexistent/file.txt"])


@pytest.mark.skipif(not hasattr(os, "mkfifo") or not os.path.exists("/dev/zero"), reason="POSIX only")
def test_devices_fifos_and_dangling_links_are_named_for_what_they_are(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "dangling").symlink_to(tmp_path / "gone.txt")
    for path, why in (("/dev/zero", "not a regular file (a character device)"),
                      (str(tmp_path / "pipe"), "not a regular file (a named pipe)"),
                      (str(tmp_path / "dangling"), "a symbolic link to a missing file")):
        with pytest.raises(InputError) as info:
            collect_inputs([path])
        assert str(info.value).startswith(f"{path}: {why}")


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="POSIX only")
def test_a_fifo_inside_an_input_directory_is_skipped_not_read(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("a")
    os.mkfifo(tmp_path / "b.txt")
    assert [i.doc_id for i in collect_inputs([str(tmp_path)])] == ["a"]


@pytest.mark.parametrize("raw", ["..", ".", "a/b", "../../x", "\x00", "", "a" * 500])
def test_safe_ids_never_escape(raw: str) -> None:
    out = safe_id(raw)
    assert out and "/" not in out and out not in (".", "..") and len(out) <= 120
