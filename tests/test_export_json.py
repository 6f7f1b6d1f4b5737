"""The JSON exporter writes exactly what ``json.dumps(..., ensure_ascii=False, indent=...)`` writes."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import Block, Document, Keyphrase, Source, Theme
from plugins.export_json import JsonExporter, dumps_indented

_SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
    st.text(alphabet=st.characters(codec=None), max_size=8),
)
_JSON = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.tuples(st.integers(), st.integers()).map(list),  # [start, end] spans
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=4), inner, max_size=4),
        st.dictionaries(st.one_of(st.integers(), st.booleans(), st.none()), inner, max_size=2),
    ),
    max_leaves=20,
)


@settings(max_examples=500, deadline=None)
@given(_JSON, st.integers(0, 8))
def test_dumps_indented_is_json_dumps(data: Any, indent: int) -> None:
    assert dumps_indented(data, indent) == json.dumps(data, ensure_ascii=False, indent=indent)


def test_escapes_and_odd_numbers_are_written_as_json_writes_them() -> None:
    data = {"s": ["\ud800 lone surrogate", "\x1f\"\\\n\u2028", "é"], "n": [5e-05, 1e16, -0.0, True, 2**70]}
    assert dumps_indented(data, 2) == json.dumps(data, ensure_ascii=False, indent=2)


def test_what_json_cannot_write_fails_as_in_json() -> None:
    with pytest.raises(TypeError, match="not JSON serializable"):
        dumps_indented({"a": [object()]}, 2)
    loop: list[Any] = []
    loop.append(loop)
    with pytest.raises(ValueError, match="Circular reference"):
        dumps_indented(loop, 2)


@pytest.mark.parametrize("indent", [None, 0, 2, 4])
def test_export_bytes_are_the_documents_json(indent: int | None) -> None:
    text = "Title\n\nA paragraph about tea, tea and more tea.\n"
    doc = Document(
        id="d", source=Source(path="in/d.txt"), text=text, metadata={"score": 1e-05, "tags": ["a", "é"]},
        blocks=[Block(id="b1", kind="title", level=1, start=0, end=5, text="Title", source_span=(0, 5))],
        themes=[Theme(id="t1", label="tea", score=0.5,
                      keyphrases=[Keyphrase(text="tea", score=0.25, mentions=[(24, 27), (29, 32)])])],
    )
    out = JsonExporter(JsonExporter.Settings(indent=indent)).render(doc)
    assert out == (json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, indent=indent) + "\n").encode()
