"""Test-only plugin: small stages with known behaviour, used by the core's tests."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from pipeline import Document, Section, Stage, hookimpl


class CountSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    top_k: int = 3
    label: str = "count"


class WordCount(Stage):
    """Counts words into metadata (test stage)."""

    name = "wordcount"
    Settings = CountSettings
    provides = ("wordcount",)

    def process(self, doc: Document) -> Document:
        return doc.model_copy(update={"metadata": {**doc.metadata, "words": len(doc.text.split())}})


class NeedsSections(Stage):
    """Requires sections (test stage)."""

    name = "needs_sections"
    requires = ("sections",)

    def process(self, doc: Document) -> Document:
        return doc


class FakeSections(Stage):
    """Provides one lead section over the whole text (test stage)."""

    name = "fake_sections"
    provides = ("sections",)

    def process(self, doc: Document) -> Document:
        section = Section(id="s1", start=0, end=len(doc.text), tags=["lead"])
        return doc.model_copy(update={"sections": [section]})


class Explode(Stage):
    """Raises on documents containing the word BOOM (test stage)."""

    name = "explode"

    def process(self, doc: Document) -> Document:
        if "BOOM" in doc.text:
            raise RuntimeError("boom in document")
        return doc


class BadSpans(Stage):
    """Corrupts spans (test stage)."""

    name = "bad_spans"

    def process(self, doc: Document) -> Document:
        section = Section(id="s9", start=0, end=len(doc.text) + 10)
        return doc.model_copy(update={"sections": [section]})


class NotADocument(Stage):
    """Returns a dict (test stage)."""

    name = "not_a_document"

    def process(self, doc: Document) -> Document:
        return {"id": doc.id}  # type: ignore[return-value]


@hookimpl
def register_stages(register):  # type: ignore[no-untyped-def]
    for cls in (WordCount, NeedsSections, FakeSections, Explode, BadSpans, NotADocument):
        register(cls)
