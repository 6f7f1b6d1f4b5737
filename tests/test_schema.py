from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from pipeline.model import SCHEMA_VERSION
from pipeline.schema import document_schema

ROOT = Path(__file__).resolve().parent.parent
COMMITTED = ROOT / "docs" / "schema" / f"document.v{SCHEMA_VERSION}.json"


def test_model_matches_the_published_schema_for_this_version() -> None:
    # If this fails the document model changed: bump SCHEMA_VERSION in pipeline/model.py and
    # commit the new schema as docs/schema/document.v<N>.json (`copydesk schema document`).
    assert COMMITTED.exists(), f"no published schema for schema_version {SCHEMA_VERSION}: {COMMITTED}"
    assert json.loads(COMMITTED.read_text(encoding="utf-8")) == document_schema()


def test_cli_prints_the_schema() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "schema", "document"], capture_output=True, text=True, check=True
    ).stdout
    schema = json.loads(out)
    assert schema["title"] == "Document"
    assert {"blocks", "sections", "themes", "text", "source"} <= set(schema["properties"])
