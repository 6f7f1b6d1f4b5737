"""Property tests over arbitrary text: reader, section tagger and exporters never break the model."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from pipeline import Document
from pipeline.plugins import make_plugin_manager

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = json.loads((ROOT / "docs" / "schema" / "document.v1.json").read_text(encoding="utf-8"))
REGISTRY = make_plugin_manager(entry_points=False).registry

# Text that looks like documents: words, headings-ish lines, list markers, Markdown specials,
# BOM, CRLF/CR, NUL and other controls, NFD accents, RTL and CJK.
PIECES = st.sampled_from([
    "Title", "INTRODUCTION", "1. Intro", "2.1 Methods", "- item", "* star", "• bullet", "> quote", "    code",
    "```", "| a | b |", "a\tb", "====", "----", "#", "*", "_", "`", "<tag>", "[x](y)", "&amp;", "1984.",
    "\ufeff", "\r\n", "\r", "\n", "\n\n", "\n\n\n", "\x00", "\x0c", "e\u0301", "\u05e9\u05dc\u05d5\u05dd", "中文字",
    "January 7, 2026", "By A and B | May 1, 2018", "?", ":", " ", "word", "Another sentence here.",
])
TEXTS = st.one_of(st.text(max_size=300), st.lists(PIECES, max_size=60).map("".join))


def stage(name: str) -> Any:
    entry = REGISTRY.stages[name]
    return entry.cls(entry.cls.Settings())


def read_text(raw: str) -> Document:
    reader = REGISTRY.readers["text"].cls(REGISTRY.readers["text"].cls.Settings())
    data = raw.encode("utf-8")
    # The one refusal allowed for valid UTF-8: NUL-heavy input is binary (tested elsewhere).
    assume(len(data) < 8 or data[:8192].count(0) / len(data[:8192]) <= 0.30)
    return reader.read(data, doc_id="prop", path=None)  # type: ignore[no-any-return]


def tagged(raw: str) -> Document:
    doc = stage("sections").process(read_text(raw))
    doc.check()
    return doc  # type: ignore[no-any-return]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_reader_and_tagger_never_raise_and_keep_spans(raw: str) -> None:
    doc = tagged(raw)
    n = len(doc.text)
    prev = 0
    for b in doc.blocks:
        assert 0 <= b.start <= b.end <= n
        assert b.start >= prev
        assert doc.text[b.start:b.end] == b.text
        prev = b.end
    for s in doc.sections:
        assert 0 <= s.start <= s.end <= n


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_json_export_validates_and_loads_back_equal(raw: str) -> None:
    doc = tagged(raw)
    exporter = REGISTRY.exporters["json"].cls()
    data = json.loads(exporter.render(doc))
    jsonschema.validate(data, SCHEMA)
    assert Document.model_validate(data) == doc


def _norm(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


@pytest.mark.skipif("markdown" not in REGISTRY.readers, reason="Markdown reader not registered")
@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TEXTS)
def test_markdown_export_reads_back_to_the_same_blocks(raw: str) -> None:
    doc = tagged(raw)
    md = REGISTRY.exporters["markdown"].cls().render(doc)
    back = REGISTRY.readers["markdown"].cls().read(md, doc_id="back", path=None)
    want = [(b.kind, b.level, _norm(b.text)) for b in doc.blocks if _norm(b.text)]
    got = [(b.kind, b.level, _norm(b.text)) for b in back.blocks]
    assert got == want
