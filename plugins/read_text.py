"""Plain-text reader: UTF-8 (with or without BOM), UTF-16/32 with BOM, legacy encodings detected.

Decoding is :func:`pipeline.decoding.decode`: newlines normalised to LF, the BOM removed,
binary input and undecodable text refused with a clear error (never silent mojibake).
"""

from __future__ import annotations

import hashlib

from pydantic import BaseModel, ConfigDict, Field

from pipeline import Diagnostic, Document, Reader, Source, hookimpl
from pipeline.decoding import decode


class PlainTextSettings(BaseModel):
    """Settings of the ``text`` reader."""

    model_config = ConfigDict(extra="forbid")
    max_bytes: int = Field(default=50 * 1024 * 1024, gt=0, description="refuse inputs larger than this")


class PlainTextReader(Reader):
    """Reads plain text files (.txt, .text, files without a known suffix)."""

    name = "text"
    suffixes = (".txt", ".text")
    media_type = "text/plain"
    Settings = PlainTextSettings

    def read(self, raw: bytes, *, doc_id: str, path: str | None) -> Document:
        """Decode ``raw`` into a document whose ``text`` is the normalised text.

        :raises pipeline.errors.InputError: binary input or an undeterminable encoding.
        """
        decoded = decode(raw, path)
        source = Source(
            path=path,
            media_type=self.media_type,
            sha256=hashlib.sha256(raw).hexdigest(),
            size_bytes=len(raw),
            encoding=decoded.encoding,
            newline=decoded.newline,
        )
        diagnostics = [
            Diagnostic(stage="read", level="warning", code="decoding", message=note) for note in decoded.notes
        ]
        return Document(id=doc_id, source=source, text=decoded.text, diagnostics=diagnostics)


@hookimpl
def register_readers(register):  # type: ignore[no-untyped-def]
    """Register the plain-text reader."""
    register(PlainTextReader)
