"""Markdown export read back by the Markdown reader gives the same blocks, on real documents.

A sample of the shared evaluation sets (../shared/eval, beside the repository; skipped where it
is absent). The benchmark benchmarks/bench_roundtrip.py runs every document.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from pipeline import Document
from pipeline.plugins import make_plugin_manager

EVAL = Path(__file__).resolve().parent.parent.parent / "shared" / "eval"
REGISTRY = make_plugin_manager(entry_points=False).registry
SAMPLE_EVERY = 5


def sample(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        pytest.skip(f"evaluation set not found: {path}")
    with path.open(encoding="utf-8") as fh:
        records = [json.loads(line) for line in fh if line.strip()]
    return records[::SAMPLE_EVERY]


def norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def blocks(doc: Document) -> list[tuple[str, int | None, str]]:
    return [(b.kind, b.level, norm(b.text)) for b in doc.blocks if norm(b.text)]


def round_trip(doc: Document) -> Document:
    md = REGISTRY.exporters["markdown"].cls().render(doc)
    return REGISTRY.readers["markdown"].cls().read(md, doc_id=doc.id, path=None)  # type: ignore[no-any-return]


def test_reader_set_sample_round_trips() -> None:
    for rec in sample(EVAL / "readers" / "readers.jsonl"):
        name = "markdown" if rec["format"] == "md" else "html"
        doc = REGISTRY.readers[name].cls().read(rec["raw"].encode("utf-8"), doc_id=rec["id"], path=None)
        assert blocks(round_trip(doc)) == blocks(doc), rec["id"]


def test_section_set_sample_round_trips() -> None:
    reader = REGISTRY.readers["text"].cls()
    tagger = REGISTRY.stages["sections"].cls()
    for rec in sample(EVAL / "sections" / "sections.jsonl"):
        doc = tagger.process(reader.read(rec["text"].encode("utf-8"), doc_id=rec["id"], path=None))
        assert blocks(round_trip(doc)) == blocks(doc), rec["id"]
