"""Markdown exporter: YAML front matter, then the document's blocks as CommonMark.

Output shape (UTF-8, LF, ending in one newline; same document, same bytes)::

    ---
    title: The title            # the title block's text (Markdown-escaped); null without one
    date: '2026-01-07'          # metadata date, when known
    dateline: January 7, 2026   # the dateline block's text (escaped); null without one
    source: seeds/article.txt   # source path, when known
    themes: [state visits, ...] # theme labels in rank order, when any
    ---

    # The title

    January 7, 2026

    ## A heading

    A paragraph.

    - a list item
    - another item

    > a quote

Block mapping: ``title`` -> ``# text``; ``heading`` -> ``#`` times the level (clamped to 1..6;
no level -> 2); ``paragraph`` and ``dateline`` -> a paragraph; ``list_item`` -> ``- text``
(consecutive items form one tight list); ``quote`` -> ``> text``; ``code`` -> a fenced block
whose backtick fence is longer than any backtick run inside; ``table`` -> a one-cell pipe table
(the block text is the cells already joined, so the cell boundaries are not known); ``other`` ->
a paragraph preceded by the marker comment ``<!-- copydesk:other -->`` (invisible when
rendered, read back as kind ``other`` by :mod:`plugins.read_markdown`).

A document without blocks (a pipeline without a block-making stage) is written as the
blank-line separated paragraphs of its text.

Text is written so that it renders exactly as written: whitespace, including newlines inside a
block, is collapsed to single spaces (Markdown has no visible line breaks inside a paragraph);
then every character Markdown could read as syntax is backslash-escaped (see :func:`escape`).
Code keeps its text verbatim.

**Round trip**: :class:`plugins.read_markdown.MarkdownReader` reading this output gives back the
same blocks - kinds, levels and whitespace-normalised texts (code: exact, CR/CRLF as LF) - provided
the document has at most one ``title`` and one ``dateline`` block, heading levels within 1..6,
and no control characters other than whitespace (dropped, as the readers' decoding drops them)
or lone surrogates (written as U+FFFD). The front-matter ``title`` and
``dateline`` keys tell the reader exactly which blocks they are, so no guessing applies.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import yaml
from pydantic import BaseModel, ConfigDict

from pipeline import Block, Document, Exporter, hookimpl
from plugins.read_markdown import OTHER_MARKER

__all__ = [
    "OTHER_MARKER", "MarkdownExportSettings", "MarkdownExporter", "dump_front_matter", "escape", "paragraph_spans",
    "register_exporters", "render",
]


_ALWAYS = frozenset("\\`*_[]<|~")
# Every character that may need a backslash: the ``_ALWAYS`` ones, and ``&`` and ``{`` which
# need one only before an entity or a brace construct (checked at each hit: a one-class scan is
# several times faster than an alternation of look-aheads tried at every position).
_CANDIDATES = re.compile(r"[\\`*_\[\]<|~&{]")
_ENTITY_AHEAD = re.compile(r"&#?[0-9A-Za-z]+;")
_BRACE_AHEAD = re.compile(r"\{(?:[#:.{%]|/\*)")
_ORDERED_START = re.compile(r"^(\d{1,9})([.)])")
_NEWLINES = re.compile(r"\r\n?")
_SURROGATES = re.compile("[\ud800-\udfff]")
# Control characters the readers' decoding removes (all C0 but tab, LF, CR, FF; and DEL).
_CONTROLS = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f]")
_UNREPRESENTABLE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff]")


def _representable(text: str) -> str:
    if _UNREPRESENTABLE.search(text) is None:  # the usual case: one scan, no copy
        return text
    return _SURROGATES.sub("\ufffd", _CONTROLS.sub("", text))


def escape(text: str, *, heading: bool = False) -> str:
    """Markdown source that renders as ``text`` (whitespace collapsed to single spaces).

    Escaped with a backslash: ``\\ ` * _ [ ] < | ~`` everywhere; ``&`` when it would start an
    entity (``&amp;``); ``{`` before ``#``, ``.``, ``:``, ``{``, ``%`` or ``/*`` (heading
    attributes, attribute lists, template tags, MDX comments); at the start a ``#``, ``>``,
    ``-``, ``+``, ``=`` or the ``.``/``)`` after a number (``1984.`` would start a list); in
    headings a trailing run of ``#`` (a closing sequence).

    :param text: any text; control characters other than whitespace are dropped (the readers'
        decoding drops them too) and lone surrogates become U+FFFD.
    :param heading: escape what only matters in an ATX heading line.
    :return: one line of Markdown inline source.
    """
    flat = " ".join(_representable(text).split())
    if not flat:
        return ""
    marked = set()
    for m in _CANDIDATES.finditer(flat):
        i = m.start()
        ch = flat[i]
        if ch in _ALWAYS or (_ENTITY_AHEAD if ch == "&" else _BRACE_AHEAD).match(flat, i):
            marked.add(i)
    if flat[0] in "#>-+=":
        marked.add(0)
    elif number := _ORDERED_START.match(flat):
        marked.add(number.end() - 1)
    if heading:
        j = len(flat)
        while j > 0 and flat[j - 1] == "#":
            j -= 1
            marked.add(j)
    if not marked:
        return flat
    # Copy the runs between escaped characters (C-speed slices, not a loop over every character).
    parts: list[str] = []
    prev = 0
    for i in sorted(marked):
        parts.append(flat[prev:i])
        parts.append("\\")
        prev = i
    parts.append(flat[prev:])
    return "".join(parts)


def _fence(code: str) -> str:
    runs = [len(r) for r in re.findall(r"`+", code)]
    ticks = "`" * max(3, max(runs, default=0) + 1)
    body = _representable(_NEWLINES.sub("\n", code))
    return f"{ticks}\n{body}\n{ticks}"


def _render_block(block: Block) -> str | None:
    kind = block.kind
    if kind == "code":
        if not block.text.strip():
            return None
        return _fence(block.text)
    heading = kind in ("title", "heading")
    text = escape(block.text, heading=heading)
    if not text:
        return None
    if kind == "title":
        return "# " + text
    if kind == "heading":
        level = min(max(block.level or 2, 1), 6)
        return "#" * level + " " + text
    if kind == "list_item":
        return "- " + text
    if kind == "quote":
        return "> " + text
    if kind == "table":
        return f"| {text} |\n| --- |"
    if kind == "other":
        return f"{OTHER_MARKER}\n{text}"
    return text  # paragraph, dateline


def _front_matter(doc: Document, title: Block | None, dateline: Block | None) -> str:
    fm: dict[str, object] = {"title": escape(title.text) if title is not None else None}
    date = doc.metadata.get("date")
    if isinstance(date, str) and date:
        fm["date"] = date
    fm["dateline"] = escape(dateline.text) if dateline is not None else None
    if doc.source.path:
        fm["source"] = doc.source.path
    if doc.themes:
        fm["themes"] = [t.label for t in doc.themes]
    return f"---\n{dump_front_matter(fm)}---\n"


# libyaml's emitter (PyYAML's C extension) writes the same text as PyYAML's Python emitter for
# strings of printable BMP characters other than U+2028, U+2029 and U+FEFF (a differential test
# in tests/test_export_markdown.py checks it), about five times faster. It is used when every
# string is printable (``str.isprintable``: no controls, line or paragraph separators, format
# characters, surrogates or unassigned code points) and in the BMP; anything else, or no
# libyaml, takes the Python emitter.
_C_DUMPER = getattr(yaml, "CSafeDumper", None)


def _for_c_emitter(text: str) -> bool:
    return text.isprintable() and (text.isascii() or max(text) <= "\uffff")


def dump_front_matter(fm: dict[str, object]) -> str:
    """``yaml.safe_dump(fm, sort_keys=False, allow_unicode=True, default_flow_style=False,
    width=2**31 - 1)`` for front matter whose values are ``None``, strings or lists of strings."""
    strings = [v for v in fm.values() if isinstance(v, str)]
    strings += [x for v in fm.values() if isinstance(v, list) for x in v]
    dumper: type = yaml.SafeDumper
    if _C_DUMPER is not None and all(isinstance(x, str) and _for_c_emitter(x) for x in strings):
        dumper = _C_DUMPER
    text: str = yaml.dump(fm, Dumper=dumper, sort_keys=False, allow_unicode=True, default_flow_style=False,
                          width=2**31 - 1)
    return text


_NON_SPACE = re.compile(r"\S")
_BLANK_LINE = re.compile(r"\n[ \t]*\n")


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of the paragraphs of ``text``.

    Exactly the spans of ``re.finditer(r"\\S(?:.*?\\S)?(?=\\n[ \\t]*\\n|\\s*\\Z)", text, re.S)``
    (the rule this exporter has always used), found by searching for blank lines instead of
    testing a look-ahead at every character: a paragraph starts at a non-space character and
    ends after the first later non-space character that a blank line (newline, spaces or tabs,
    newline) directly follows, else after the text's last non-space character.
    """
    spans: list[tuple[int, int]] = []
    last = len(text.rstrip())
    pos = 0
    while (first := _NON_SPACE.search(text, pos)) is not None:
        start = first.start()
        probe = start + 2  # the blank line must follow a non-space character after ``start``
        while (sep := _BLANK_LINE.search(text, probe)) is not None and text[sep.start() - 1].isspace():
            probe = sep.start() + 1
        end = sep.start() if sep is not None else last
        spans.append((start, end))
        pos = end
    return spans


def _paragraphs(text: str) -> list[Block]:
    """A document without blocks (no stage made any) is written as its blank-line paragraphs."""
    out: list[Block] = []
    for start, end in paragraph_spans(text):
        chunk = text[start:end]
        if all(c.isspace() or unicodedata.category(c) == "Cf" for c in chunk):
            continue  # invisible format characters only (a stray BOM): nothing to show
        out.append(Block(id=f"p{len(out) + 1}", kind="paragraph", start=start, end=end, text=chunk))
    return out


def render(doc: Document) -> str:
    """The Markdown text of ``doc`` (see the module docstring); deterministic."""
    title = next((b for b in doc.blocks if b.kind == "title" and escape(b.text)), None)
    dateline = next((b for b in doc.blocks if b.kind == "dateline" and escape(b.text)), None)
    parts: list[str] = [_front_matter(doc, title, dateline)]
    previous: str | None = None
    blocks = doc.blocks or _paragraphs(doc.text)
    for block in blocks:
        rendered = _render_block(block)
        if rendered is None:
            continue
        tight = previous == "list_item" and block.kind == "list_item"
        parts.append("\n" if tight else "\n\n" if previous else "\n")
        parts.append(rendered)
        previous = block.kind
    parts.append("\n")
    return "".join(parts)


class MarkdownExportSettings(BaseModel):
    """Settings of the ``markdown`` exporter (none yet)."""

    model_config = ConfigDict(extra="forbid")


class MarkdownExporter(Exporter):
    """Writes the document as Markdown with YAML front matter; reads back to the same blocks."""

    name = "markdown"
    suffix = ".md"
    Settings = MarkdownExportSettings

    def render(self, doc: Document) -> bytes:
        """Serialise ``doc`` as UTF-8 Markdown (LF newlines, final newline); deterministic."""
        return render(doc).encode("utf-8")


@hookimpl
def register_exporters(register: Callable[[type[Exporter]], None]) -> None:
    """Register the Markdown exporter."""
    register(MarkdownExporter)
