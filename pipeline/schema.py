"""JSON Schemas of the public data: the document (``copydesk schema document``) and the config."""

from __future__ import annotations

from typing import Any

from pipeline.config import PipelineConfig
from pipeline.model import SCHEMA_VERSION, Document


def document_schema() -> dict[str, Any]:
    """The JSON Schema of :class:`~pipeline.model.Document` (serialisation mode)."""
    data = Document.model_json_schema(mode="serialization")
    data["$id"] = f"https://copydesk.invalid/schema/document/v{SCHEMA_VERSION}.json"
    return data


def config_schema() -> dict[str, Any]:
    """The JSON Schema of the pipeline config file."""
    return PipelineConfig.model_json_schema()
