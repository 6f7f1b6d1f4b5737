"""Test-only plugin whose components misbehave the ways plugin authors' code does."""

from __future__ import annotations

import sys

from pipeline import Document, Exporter, Stage, hookimpl


class Printer(Stage):
    """Prints to stdout (which must not reach the -o - stream)."""

    name = "printer"

    def process(self, doc: Document) -> Document:
        print(f"debug: processing {doc.id}")
        return doc


class Quitter(Stage):
    """Calls sys.exit on documents containing QUIT."""

    name = "quitter"

    def process(self, doc: Document) -> Document:
        if "QUIT" in doc.text:
            sys.exit(3)
        return doc


class StrExporter(Exporter):
    """Returns str instead of bytes."""

    name = "str_export"
    suffix = ".txt"

    def render(self, doc: Document) -> bytes:
        return doc.text  # type: ignore[return-value]


@hookimpl
def register_stages(register):  # type: ignore[no-untyped-def]
    register(Printer)
    register(Quitter)


@hookimpl
def register_exporters(register):  # type: ignore[no-untyped-def]
    register(StrExporter)


@hookimpl
def document_finished(document, doc_id, status, error):  # type: ignore[no-untyped-def]
    raise RuntimeError("observer bug")
