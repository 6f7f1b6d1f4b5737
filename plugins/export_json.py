"""JSON exporter: the document exactly as ``DESIGN.md`` describes it, one file per document.

The bytes are ``json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, indent=indent)``
plus a newline. With an indent the standard library uses its pure-Python encoder (its C
encoder cannot indent), about four times slower than writing the same JSON on one line, and
a document's many ``[start, end]`` spans are the bulk of its values: :func:`dumps_indented`
writes the identical text about twice as fast, and hands anything unusual back to ``json``.
"""

from __future__ import annotations

import json
from json.encoder import encode_basestring
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pipeline import Document, Exporter, hookimpl

_INF = float("inf")


class _Unusual(Exception):
    """Data :func:`dumps_indented` leaves to ``json.dumps`` (keys that are not strings, other types)."""


def _scalar(value: Any) -> str:
    """``value`` as ``json.dumps`` writes it: the same type tests in the same order."""
    if isinstance(value, str):
        return encode_basestring(value)
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value == _INF:
            return "Infinity"
        if value == -_INF:
            return "-Infinity"
        return float.__repr__(value)
    raise _Unusual


def _write(value: Any, parts: list[str], newline: str, step: str) -> None:
    """Append ``value`` indented as ``json.dumps`` does; ``newline`` is ``"\\n"`` plus the
    current indentation, ``step`` one level of it."""
    inner = newline + step
    if isinstance(value, dict):
        if not value:
            parts.append("{}")
            return
        separator = "{" + inner
        for key, item in value.items():
            if type(key) is not str:
                raise _Unusual
            parts.append(separator + encode_basestring(key) + ": ")
            separator = "," + inner
            _item(item, parts, inner, step)
        parts.append(newline + "}")
    elif isinstance(value, list | tuple):
        if not value:
            parts.append("[]")
            return
        separator = "[" + inner
        for item in value:
            parts.append(separator)
            separator = "," + inner
            _item(item, parts, inner, step)
        parts.append(newline + "]")
    else:
        parts.append(_scalar(value))


def _item(item: Any, parts: list[str], newline: str, step: str) -> None:
    kind = type(item)
    if kind is str:
        parts.append(encode_basestring(item))
    elif kind is list and len(item) == 2 and type(item[0]) is int and type(item[1]) is int:
        # a [start, end] span: most of a document's values, written in one piece
        deeper = newline + step
        parts.append(f"[{deeper}{int.__repr__(item[0])},{deeper}{int.__repr__(item[1])}{newline}]")
    elif isinstance(item, dict | list | tuple):
        _write(item, parts, newline, step)
    else:
        parts.append(_scalar(item))


def dumps_indented(data: Any, indent: int) -> str:
    """Exactly ``json.dumps(data, ensure_ascii=False, indent=indent)`` (``indent >= 0``), faster.

    Plain JSON data (dicts with ``str`` keys, lists, tuples, str, int, float, bool, None) is
    written here; anything else (other key types, other objects) goes to ``json.dumps``, which
    writes it or raises exactly as before.

    :raises TypeError: an object ``json`` cannot serialise; :raises ValueError: a reference cycle.
    """
    parts: list[str] = []
    try:
        _write(data, parts, "\n", " " * indent)
    except (_Unusual, RecursionError):
        return json.dumps(data, ensure_ascii=False, indent=indent)
    return "".join(parts)


class JsonSettings(BaseModel):
    """Settings of the ``json`` exporter."""

    model_config = ConfigDict(extra="forbid")
    indent: int | None = Field(default=2, ge=0, le=8, description="indentation; null for one line")


class JsonExporter(Exporter):
    """Writes the document as JSON (schema_version 1), UTF-8, keys in model order."""

    name = "json"
    suffix = ".json"
    Settings = JsonSettings

    def render(self, doc: Document) -> bytes:
        """Serialise ``doc`` deterministically (same document, same bytes), ending in a newline."""
        indent = getattr(self.settings, "indent", 2)
        data = doc.model_dump(mode="json")
        text = json.dumps(data, ensure_ascii=False) if indent is None else dumps_indented(data, indent)
        return (text + "\n").encode("utf-8")


@hookimpl
def register_exporters(register):  # type: ignore[no-untyped-def]
    """Register the JSON exporter."""
    register(JsonExporter)
