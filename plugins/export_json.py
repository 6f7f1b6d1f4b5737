"""JSON exporter: the document exactly as ``DESIGN.md`` describes it, one file per document."""

from __future__ import annotations

import json

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
        text = json.dumps(doc.model_dump(mode="json"), ensure_ascii=False, indent=indent)
        return (text + "\n").encode("utf-8")


@hookimpl
def register_exporters(register):  # type: ignore[no-untyped-def]
    """Register the JSON exporter."""
    register(JsonExporter)
