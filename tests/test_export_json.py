"""The JSON exporter: valid JSON of the whole document, indented as asked, deterministic."""

from __future__ import annotations

import json
import math

import pytest

from pipeline import Block, Document, Keyphrase, Source, Theme
from plugins.export_json import JsonExporter


def _doc(metadata: dict[str, object] | None = None) -> Document:
    text = "Title\n\nA paragraph about tea, tea and more tea, café.\n"
    return Document(
        id="d", source=Source(path="in/d.txt"), text=text,
        metadata=metadata if metadata is not None else {"score": 1e-05, "tags": ["a", "é"]},
        blocks=[Block(id="b1", kind="title", level=1, start=0, end=5, text="Title", source_span=(0, 5))],
        themes=[Theme(id="t1", label="tea", score=0.5,
                      keyphrases=[Keyphrase(text="tea", score=0.25, mentions=[(24, 27), (29, 32)])])],
    )


@pytest.mark.parametrize("indent", [None, 0, 2, 4])
def test_export_is_the_documents_json_indented_as_asked(indent: int | None) -> None:
    doc = _doc({"score": 0.125, "tiny": 1e-05, "tags": ["a", "é"]})
    out = JsonExporter(JsonExporter.Settings(indent=indent)).render(doc)
    assert out.endswith(b"\n")
    text = out.decode("utf-8")
    assert json.loads(text) == doc.model_dump(mode="json")
    assert Document.model_validate_json(text) == doc
    # the layout json.dumps would give: one line, or one value per line at the asked indentation
    # (numbers may be spelt differently: 1e-05 is written 0.00001)
    expected = json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, indent=indent,
                          separators=(",", ":") if indent is None else None) + "\n"
    assert text == expected.replace("1e-05", "0.00001")
    assert "café" in text  # non-ASCII written as it is, not escaped


def test_same_document_same_bytes() -> None:
    exporter = JsonExporter(JsonExporter.Settings())
    assert exporter.render(_doc()) == exporter.render(Document.model_validate_json(exporter.render(_doc())))


def test_non_finite_metadata_still_gives_valid_json() -> None:
    out = JsonExporter(JsonExporter.Settings()).render(_doc({"x": math.nan, "y": math.inf}))
    data = json.loads(out, parse_constant=lambda name: pytest.fail(f"non-standard JSON constant {name}"))
    assert data["metadata"] == {"x": None, "y": None}
