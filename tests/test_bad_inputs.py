"""Whatever is in a folder gets a precise outcome: processed correctly, or refused in one line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import unicodedata
from pathlib import Path
from typing import Any

import pytest

CONFIG = """\
stages:
  - name: sections
  - name: themes
exporters:
  - name: json
  - name: markdown
"""


def run(tmp_path: Path, files: dict[str, bytes], *extra: str, config: str = CONFIG) -> subprocess.CompletedProcess[str]:
    (tmp_path / "in").mkdir(exist_ok=True)
    for name, data in files.items():
        (tmp_path / "in" / name).write_bytes(data)
    (tmp_path / "p.yaml").write_text(config, encoding="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "run", "p.yaml", "in", "-o", "out", "--report", "r.json", *extra],
        cwd=tmp_path, capture_output=True, text=True, timeout=600,
    )


def output(tmp_path: Path, doc_id: str) -> dict[str, Any]:
    return json.loads((tmp_path / "out" / f"{doc_id}.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def test_empty_whitespace_and_one_line_files_are_documents(tmp_path: Path) -> None:
    res = run(tmp_path, {"empty.txt": b"", "blank.txt": b" \n\n\t\n", "one.txt": b"Just one line"})
    assert res.returncode == 0, res.stderr
    assert output(tmp_path, "empty")["blocks"] == []
    assert output(tmp_path, "blank")["themes"] == []
    assert [b["text"] for b in output(tmp_path, "one")["blocks"]] == ["Just one line"]


def test_headings_only_and_bom_before_first_heading(tmp_path: Path) -> None:
    text = "\ufeffIntroduction\n\n\nMethods\n\n\nResults\n"
    res = run(tmp_path, {"heads.txt": text.encode("utf-8")})
    assert res.returncode == 0, res.stderr
    doc = output(tmp_path, "heads")
    assert not doc["text"].startswith("\ufeff")
    assert all(doc["text"][b["start"]:b["end"]] == b["text"] for b in doc["blocks"])


def test_binary_file_with_txt_name_fails_alone(tmp_path: Path) -> None:
    res = run(tmp_path, {"image.txt": b"\x89PNG\r\n\x1a\n" + os.urandom(200), "ok.txt": b"Fine text here.\n"})
    assert res.returncode == 1
    assert "image.txt: binary file (PNG image), not text" in res.stderr
    assert "Traceback" not in res.stderr
    assert output(tmp_path, "ok")["text"] == "Fine text here.\n"
    assert not (tmp_path / "out" / "image.json").exists()


def test_jsonl_texts_are_never_guessed_at_as_a_legacy_encoding(tmp_path: Path) -> None:
    long = "Storm news from the coast, a lone surrogate \\ud800 in a long enough text to reach detection."
    lines = ['{"id": "short", "text": "x \\u0000 y \\ud800 z"}', f'{{"id": "long", "text": "{long}"}}',
             '{"id": "nul", "text": "' + "\\u0000" * 20 + '"}']
    res = run(tmp_path, {"c.jsonl": "\n".join(lines).encode("utf-8") + b"\n"}, "-j", "1")
    assert res.returncode == 1, res.stderr
    assert output(tmp_path, "short")["text"] == "x  y \ufffd z"
    doc = output(tmp_path, "long")
    assert doc["text"] == long.replace("\\ud800", "\ufffd") and doc["source"]["encoding"] == "utf-8"
    assert {"stage": "read", "level": "warning", "code": "decoding",
            "message": "1 lone surrogate(s) in the JSON text replaced by U+FFFD"} in doc["diagnostics"]
    # a JSONL line that fails in its reader is named by file and line, not as standard input
    assert "in/c.jsonl:3: binary file (binary data), not text" in res.stderr
    assert "<stdin>" not in res.stderr


def test_nfd_text_keeps_exact_offsets(tmp_path: Path) -> None:
    text = unicodedata.normalize("NFD", "Café society\n\nThe café served crème brûlée to the élite.\n")
    res = run(tmp_path, {"nfd.txt": text.encode("utf-8")})
    assert res.returncode == 0, res.stderr
    doc = output(tmp_path, "nfd")
    assert doc["text"] == text  # not silently normalised
    for t in doc["themes"]:
        for k in t["keyphrases"]:
            for s, e in k["mentions"]:
                assert doc["text"][s:e].strip() == doc["text"][s:e]


def test_rtl_and_cjk_text(tmp_path: Path) -> None:
    text = "שלום עולם\n\nזהו מסמך בעברית עם כמה משפטים.\n\n中文标题\n\n这是一个中文段落，没有空格。\n"
    res = run(tmp_path, {"mixed.txt": text.encode("utf-8")})
    assert res.returncode == 0, res.stderr
    doc = output(tmp_path, "mixed")
    assert all(doc["text"][b["start"]:b["end"]] == b["text"] for b in doc["blocks"])


def test_non_english_text_gets_no_english_themes(tmp_path: Path) -> None:
    text = ("La coopération entre les deux pays est essentielle pour la stabilité régionale. "
            "Les dirigeants ont discuté du commerce, de la sécurité et des échanges culturels.\n") * 3
    res = run(tmp_path, {"fr.txt": text.encode("utf-8")})
    assert res.returncode == 0, res.stderr
    doc = output(tmp_path, "fr")
    assert doc["themes"] == []
    assert any(d["stage"] == "themes" for d in doc["diagnostics"])


def test_file_above_max_bytes_is_refused_without_reading_it(tmp_path: Path) -> None:
    (tmp_path / "in").mkdir()
    with open(tmp_path / "in" / "huge.txt", "wb") as fh:  # sparse: 200 MB on paper, nothing on disk
        fh.truncate(200 * 1024 * 1024)
    res = run(tmp_path, {"small.txt": b"Small file.\n"})
    assert res.returncode == 1
    assert "huge.txt: 209715200 bytes is above the text reader's max_bytes (52428800)" in res.stderr
    assert output(tmp_path, "small")["text"] == "Small file.\n"


def test_max_bytes_is_a_reader_setting(tmp_path: Path) -> None:
    res = run(tmp_path, {"a.txt": b"x" * 2000}, "--set", "readers.text.max_bytes=1000")
    assert res.returncode == 1 and "max_bytes (1000)" in res.stderr


@pytest.mark.parametrize("size_mb", [50])
def test_large_single_line_file_is_processed(tmp_path: Path, size_mb: int) -> None:
    line = ("word " * 200_000).encode("ascii")  # 1 MB, no newline
    config = "stages:\n  - name: sections\nexporters:\n  - name: json\n"
    res = run(tmp_path, {"big.txt": line * size_mb}, config=config)
    assert res.returncode == 0, res.stderr
    assert (tmp_path / "out" / "big.json").stat().st_size > size_mb * 1_000_000


def test_markdown_specials_are_escaped_in_the_export(tmp_path: Path) -> None:
    from markdown_it import MarkdownIt

    text = ("Notes\n\n\nA *star*, an _under_, # hash, <tag>, [x](y), a | pipe, `tick`, &amp; done.\n\n"
            "1984. was a year.\n")
    res = run(tmp_path, {"md.txt": text.encode("utf-8")})
    assert res.returncode == 0, res.stderr
    md = (tmp_path / "out" / "md.md").read_text(encoding="utf-8")
    html = MarkdownIt("commonmark").render(md.split("\n---\n", 1)[-1])
    assert "<em>" not in html and "<a href" not in html and "<code>" not in html and "<ol" not in html
    assert "&lt;tag&gt;" in html and "&amp;amp;" in html
