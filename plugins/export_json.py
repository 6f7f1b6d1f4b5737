"""JSON exporter: the document exactly as ``DESIGN.md`` describes it, one file per document.

The text comes from pydantic's own serialiser (``Document.model_dump_json``, written in Rust
in pydantic-core): keys in model order, non-ASCII characters as they are, the indentation
``json.dumps(..., indent=n)`` would give, and about ten times faster than building a dict and
handing it to ``json``. Non-finite floats in metadata are written as ``null``, so the output is
always valid JSON.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from pipeline import Document, Exporter, hookimpl


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
        return (doc.model_dump_json(indent=indent) + "\n").encode("utf-8")


@hookimpl
def register_exporters(register):  # type: ignore[no-untyped-def]
    """Register the JSON exporter."""
    register(JsonExporter)
