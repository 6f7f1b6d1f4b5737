"""QA round 4: a stage or reader plugin cannot give a document another id (in place or not)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

IN_PLACE_STAGE = '''
from pipeline import Document, Stage, hookimpl


class InPlaceRenamer(Stage):
    """Sets doc.id in place on documents whose text holds RENAME:<id> and returns doc itself."""

    name = "inplace_renamer"

    def process(self, doc: Document) -> Document:
        marker = doc.text.partition("RENAME:")[2].split()
        if marker:
            doc.id = marker[0]
        return doc


@hookimpl
def register_stages(register):
    register(InPlaceRenamer)
'''

WRONG_ID_READER = '''
import hashlib

from pipeline import Document, Reader, Source, hookimpl


class WrongIdReader(Reader):
    """Reads .zz files but names every document "b" (a reader must keep the id it is given)."""

    name = "zzreader"
    suffixes = (".zz",)

    def read(self, raw, *, doc_id, path):
        source = Source(path=path, media_type="text/plain", sha256=hashlib.sha256(raw).hexdigest(),
                        size_bytes=len(raw), encoding="utf-8")
        return Document(id="b", source=source, text=raw.decode("utf-8"))


@hookimpl
def register_readers(register):
    register(WrongIdReader)
'''


def copydesk(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tmp_path) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)


def entries(path: Path) -> dict[str, dict[str, Any]]:
    return {d["id"]: d for d in json.loads(path.read_text(encoding="utf-8"))["documents"]}


def setup(tmp_path: Path, plugin: str, source: str, texts: dict[str, str], stages: str = "") -> None:
    (tmp_path / f"{plugin}.py").write_text(source, encoding="utf-8")
    (tmp_path / "in").mkdir()
    for name, text in texts.items():
        (tmp_path / "in" / name).write_text(text, encoding="utf-8")
    (tmp_path / "p.yaml").write_text(f"plugins: [{plugin}]\n{stages}exporters:\n  - name: json\n", encoding="utf-8")


@pytest.mark.parametrize("target", ["../../zz", "b1"])
@pytest.mark.parametrize("workers", ["1", "2"])
def test_a_stage_changing_the_id_in_place_fails_that_document_only(tmp_path: Path, target: str,
                                                                   workers: str) -> None:
    texts = {"a.txt": f"RENAME:{target} here\n", **{f"b{i}.txt": f"text b{i}\n" for i in (1, 2, 3)}}
    setup(tmp_path, "qa4_inplace", IN_PLACE_STAGE, texts, "stages:\n  - name: inplace_renamer\n")
    out = tmp_path / "o" / "out"  # out/../../zz.json would be tmp_path/zz.json
    res = copydesk(tmp_path, "run", "p.yaml", "in", "-o", str(out), "-j", workers, "--no-cache", "--report", "r.json")
    assert res.returncode == 1, res.stderr
    assert sorted(p.name for p in out.iterdir()) == ["b1.json", "b2.json", "b3.json"]
    assert json.loads((out / "b1.json").read_text())["text"] == "text b1\n"
    assert sorted(p.name for p in tmp_path.iterdir() if p.suffix == ".json") == ["r.json"]
    docs = entries(tmp_path / "r.json")
    assert [docs[k]["status"] for k in ("a", "b1", "b2", "b3")] == ["failed", "ok", "ok", "ok"]
    assert docs["a"]["stage"] == "inplace_renamer"
    assert f"changed the document id from 'a' to '{target}'; a stage must keep the id" in docs["a"]["error"]


def test_a_reader_returning_another_id_fails_that_input_only(tmp_path: Path) -> None:
    setup(tmp_path, "qa4_wrongid", WRONG_ID_READER, {"a.zz": "from a.zz\n", "b.txt": "from b.txt\n"})
    res = copydesk(tmp_path, "run", "p.yaml", "in", "-o", "out", "--no-cache", "--report", "r.json")
    assert res.returncode == 1, res.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["b.json"]
    assert json.loads((tmp_path / "out" / "b.json").read_text())["text"] == "from b.txt\n"
    docs = entries(tmp_path / "r.json")
    assert (docs["a"]["status"], docs["b"]["status"]) == ("failed", "ok")
    assert docs["a"]["stage"] == "read"
    assert "reader 'zzreader' returned id 'b' for input in/a.zz; readers must keep the id they are given" \
        in docs["a"]["error"]
    assert "a.zz" in res.stderr
