"""Round trip: document -> Markdown export -> Markdown reader, over the evaluation documents.

Three corpora, read from ``../shared/eval`` at run time (nothing is copied into the repo):

* ``readers-md``: every Markdown file of the reader set: Markdown reader -> exporter -> reader;
* ``readers-html``: every HTML file of the reader set: HTML reader -> exporter -> Markdown reader;
* ``sections``: every plain-text document of the section set, as the section tagger tags it
  (``plugins.sections``; skipped when that plugin is not importable) and as its gold blocks
  give it (kinds, levels, text spans) -> exporter -> Markdown reader.

A document round-trips **exactly** when the blocks read back have the same kinds, levels and
texts; **normalised** when they agree after whitespace is collapsed (the exporter writes a
paragraph's inner newlines as spaces, so wrapped plain-text paragraphs can only come back
normalised). Differences are listed with ``-v``.

Usage (from the repository root)::

    .venv/bin/python benchmarks/bench_roundtrip.py [--eval ../shared/eval] [-v]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from pipeline import Document, Source  # noqa: E402
from plugins.export_markdown import MarkdownExporter  # noqa: E402
from plugins.read_html import HtmlReader, assemble_document  # noqa: E402
from plugins.read_markdown import MarkdownReader  # noqa: E402

Key = tuple[str, int | None, str]


def _keys(doc: Document, *, normalise: bool) -> list[Key]:
    return [(b.kind, b.level, " ".join(b.text.split()) if normalise else b.text) for b in doc.blocks]


def round_trip(doc: Document) -> Document:
    """Export ``doc`` as Markdown and read it back with the Markdown reader."""
    raw = MarkdownExporter().render(doc)
    return MarkdownReader().read(raw, doc_id=doc.id, path=f"{doc.id}.md")


def _jsonl(path: Path) -> Iterator[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                yield json.loads(line)


def reader_docs(eval_dir: Path, fmt: str) -> Iterator[Document]:
    reader = MarkdownReader() if fmt == "md" else HtmlReader()
    for rec in _jsonl(eval_dir / "readers" / "readers.jsonl"):
        if rec["format"] == fmt:
            yield reader.read(rec["raw"].encode("utf-8"), doc_id=rec["id"], path=rec["source"]["path"])


def _plain(rec: dict[str, Any]) -> Document:
    text = rec["text"].lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    return Document(id=rec["id"], source=Source(path=rec["source"]["path"]), text=text)


def tagged_docs(eval_dir: Path) -> Iterator[Document]:
    from plugins.sections.stage import SectionTagger

    tagger = SectionTagger()
    for rec in _jsonl(eval_dir / "sections" / "sections.jsonl"):
        yield tagger.process(_plain(rec))


def gold_section_docs(eval_dir: Path) -> Iterator[Document]:
    for rec in _jsonl(eval_dir / "sections" / "sections.jsonl"):
        text = rec["text"]
        pieces = []
        for g in rec["blocks"]:
            kind = g["kind"]
            level = 1 if kind == "title" else (g.get("level") or 1) + 1 if kind == "heading" else None
            block_text = text[g["start"] : g["end"]].lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
            pieces.append((kind, level, block_text, (g["start"], g["end"])))
        yield assemble_document(pieces, doc_id=rec["id"], source=Source(path=rec["source"]["path"]), metadata={})


def run(name: str, docs: Iterator[Document], verbose: bool) -> dict[str, Any]:
    n = exact = norm = blocks = 0
    t0 = time.perf_counter()
    for doc in docs:
        back = round_trip(doc)
        n += 1
        blocks += len(doc.blocks)
        if _keys(back, normalise=False) == _keys(doc, normalise=False):
            exact += 1
        if _keys(back, normalise=True) == _keys(doc, normalise=True):
            norm += 1
        elif verbose:
            a, b = _keys(doc, normalise=True), _keys(back, normalise=True)
            first = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b)))
            print(f"  {name}/{doc.id}: {len(a)} -> {len(b)} blocks; first difference at #{first}:")
            print(f"      before {a[first] if first < len(a) else None!r:.160}")
            print(f"      after  {b[first] if first < len(b) else None!r:.160}")
    secs = time.perf_counter() - t0
    return {"corpus": name, "docs": n, "blocks": blocks, "exact": exact, "normalised": norm, "seconds": secs}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--eval", type=Path, default=ROOT.parent / "shared" / "eval", help="the shared eval folder")
    ap.add_argument("-v", "--verbose", action="store_true", help="show the first difference per document")
    args = ap.parse_args(argv)
    corpora: list[tuple[str, Iterator[Document]]] = [
        ("readers-md", reader_docs(args.eval, "md")),
        ("readers-html", reader_docs(args.eval, "html")),
        ("sections-gold", gold_section_docs(args.eval)),
    ]
    try:
        import plugins.sections.stage  # noqa: F401

        corpora.append(("sections-tagged", tagged_docs(args.eval)))
    except ImportError as err:
        print(f"(sections-tagged skipped: {err})")
    print(f"{'corpus':<16} {'docs':>5} {'blocks':>7} {'exact':>7} {'normalised':>11} {'sec':>6}")
    for name, docs in corpora:
        r = run(name, docs, args.verbose)
        print(f"{r['corpus']:<16} {r['docs']:>5} {r['blocks']:>7} {r['exact']:>7} {r['normalised']:>11} "
              f"{r['seconds']:>6.2f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
