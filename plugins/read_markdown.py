"""Markdown reader: CommonMark (+ pipe tables) with YAML or TOML front matter, as typed blocks.

Parsing is markdown-it-py (CommonMark with the ``table`` rule); the document's ``text`` is the
*visible* text of its content blocks joined by a blank line, and every block's
``source_span`` gives its character offsets in the decoded source file.

What becomes a block (kind, level):

* the front-matter ``title`` -> ``title`` (1); a first ``#`` heading repeating it is that title,
  not a second block. Without a ``title`` key, a single leading ``#`` heading is the title.
* ``#``..``######`` and setext headings -> ``heading`` (level = the ``#`` count);
  paragraphs -> ``paragraph``; in a list item its first paragraph -> ``list_item`` (later
  paragraphs are ``paragraph``, nested lists are their own items); paragraphs in a block quote
  -> ``quote``; fenced and indented code -> ``code`` (verbatim, whitespace kept); tables ->
  ``table`` (cell texts in row order joined by one space).
* raw HTML blocks are read with :func:`plugins.read_html.extract_html_blocks` (so ``<aside>``
  pull quotes are ``quote``, ``<details>`` summaries ``paragraph``, ``<pre>`` ``code``);
  elements marked ``markdown="1"`` have their Markdown inline syntax rendered.
* the **dateline** (see :func:`choose_dateline`): a front-matter ``dateline`` string names it
  exactly (``null`` means none); else a byline paragraph just under the title that starts with
  a date ("June 8, 2021 by ..."); else the front-matter date (``date``, ``published`` ...), or the
  ``YYYY/MM/DD`` prefix of a ``path``/``permalink`` key, as an ISO ``YYYY-MM-DD`` block.

Never content: front matter, link reference definitions, HTML comments, MDX/JSX wrappers
(``<Intro>``, ``<Note>``, ``<YouTubeIframe/>``), heading ids (``{#id}``, ``{/*id*/}``),
kramdown attribute lists (``{: .class}``), ``<style>``/``<script>``, images (alt text included).
Inline markup is removed (emphasis, code spans, links keep their text); backslash escapes and
entities are decoded exactly once; whitespace is collapsed to single spaces (except in code).
Escaped characters are literal text: ``\\{#id}`` in a heading is kept.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from pipeline import Diagnostic, Document, Reader, hookimpl
from pipeline.errors import ConfigError
from pipeline.model import BlockKind
from pipeline.yamlload import load_yaml
from plugins.read_html import assemble_document, date_prefix, decode_source, extract_html_blocks, parse_date

if TYPE_CHECKING:
    # markdown-it and tomllib are imported when the first document is read, not when the
    # plugin registers (a run without Markdown inputs never pays for them).
    from markdown_it import MarkdownIt
    from markdown_it.rules_inline import StateInline
    from markdown_it.token import Token

log = logging.getLogger(__name__)

OTHER_MARKER = "<!-- copydesk:other -->"
"""An HTML comment line that makes the next paragraph a block of kind ``other``."""

__all__ = [
    "OTHER_MARKER",
    "MarkdownReader",
    "MarkdownSettings",
    "Piece",
    "choose_dateline",
    "read_markdown_text",
    "register_readers",
    "split_front_matter",
]


@dataclass(frozen=True)
class Piece:
    """A block before assembly: kind, level, visible text and ``(start, end)`` in the source."""

    kind: BlockKind
    level: int | None
    text: str
    span: tuple[int, int] | None


# --------------------------------------------------------------------------- front matter
_YAML_FM = re.compile(r"\A---[ \t]*\n(.*?)^(?:---|\.\.\.)[ \t]*(?:\n|\Z)", re.S | re.M)
_KEY_LINE = re.compile(r"^[A-Za-z_][\w-]*[ \t]*[:=]", re.M)
_TOML_FM = re.compile(r"\A\+\+\+[ \t]*\n(.*?)^\+\+\+[ \t]*(?:\n|\Z)", re.S | re.M)


@dataclass(frozen=True)
class FrontMatter:
    """Parsed front matter: its mapping, format (``yaml``/``toml``) and end offset in the source.

    :ivar problem: a one-line message naming the file when the block was meant as front matter
        but could not be used (syntax error, alias bomb, duplicate key, unsafe tag); ``data`` is
        then empty and the block is dropped.
    """

    data: dict[str, Any]
    format: str
    end: int
    problem: str | None = None


def split_front_matter(text: str, path: str | None = None) -> FrontMatter | None:
    """Find and parse a leading YAML (``---``) or TOML (``+++``) front-matter block.

    YAML is parsed with the core's bounded safe loader :func:`pipeline.yamlload.load_yaml`
    (no unsafe tags, no duplicate keys, alias bombs refused; YAML 1.2 scalars, so dates stay
    strings); TOML with :mod:`tomllib`.

    :param text: the decoded source (LF newlines, no BOM).
    :param path: the file name, for the message in :attr:`FrontMatter.problem`.
    :return: the front matter, or ``None`` when there is none or it does not parse to a mapping
        (a ``---`` line followed by text can also be a thematic break and a setext heading).
        Front matter that does not parse but has ``key: value`` lines is returned empty with a
        ``problem`` (it is still not content).
    """
    for rx, fmt in ((_YAML_FM, "yaml"), (_TOML_FM, "toml")):
        m = rx.match(text)
        if not m:
            continue
        try:
            if fmt == "yaml":
                # one leading newline for the ``---`` line, so error lines are the file's lines
                data, _ = load_yaml("\n" + m.group(1), path or "<front matter>")
            else:
                import tomllib

                data = tomllib.loads(m.group(1))
        except (ConfigError, ValueError, RecursionError) as err:  # tomllib.TOMLDecodeError is a ValueError
            if _KEY_LINE.search(m.group(1)):  # clearly meant as front matter: not content
                reason = " ".join(str(err).split())
                if fmt == "toml" or not isinstance(err, ConfigError):
                    reason = f"{path or '<front matter>'}: {reason}"
                return FrontMatter({}, fmt, m.end(), f"{reason} ({fmt} front matter ignored)")
            return None
        if data is None:
            data = {}
        if isinstance(data, dict):
            return FrontMatter({str(k): v for k, v in data.items()}, fmt, m.end())
        return None
    return None


def _json_safe(value: Any) -> Any:
    """Front-matter values as JSON data: dates to ISO strings, other objects to ``str``."""
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


_DATE_KEYS = ("date", "published", "pubdate", "publishdate", "publish_date", "published_at", "created")
_PATH_KEYS = ("path", "permalink", "url", "slug")
_PATH_DATE = re.compile(r"(?:^|/)(\d{4})/(\d{2})/(\d{2})(?:/|$)")


def front_matter_date(data: dict[str, Any]) -> tuple[str, str] | None:
    """The publication date named by front matter, as ``(iso_date, key)``, else ``None``.

    Tried in order: ``date``-like keys (YAML dates, datetimes or date strings), then a
    ``YYYY/MM/DD/`` prefix in ``path``/``permalink``/``url``/``slug`` (Rust blog style).
    """
    lowered = {k.lower(): k for k in data}
    for key in _DATE_KEYS:
        if key not in lowered:
            continue
        value = data[lowered[key]]
        if isinstance(value, dt.datetime):
            return value.date().isoformat(), lowered[key]
        if isinstance(value, dt.date):
            return value.isoformat(), lowered[key]
        if isinstance(value, str) and (iso := parse_date(value)):
            return iso, lowered[key]
    for key in _PATH_KEYS:
        value = data.get(lowered.get(key, ""), None)
        if isinstance(value, str) and (m := _PATH_DATE.search(value)):
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat(), lowered[key]
            except ValueError:
                continue
    return None


def _key_line_span(text: str, fm: FrontMatter | None, key: str) -> tuple[int, int] | None:
    if fm is None:
        return None
    m = re.search(rf"^[ \t]*['\"]?{re.escape(key)}['\"]?[ \t]*[:=][^\n]*", text[: fm.end], re.M)
    return (m.start(), m.end()) if m else (0, fm.end)


# --------------------------------------------------------------------------- inline text
def _mdx_comment(state: StateInline, silent: bool) -> bool:
    """Inline rule: an MDX comment ``{/* ... */}`` (react.dev heading ids) produces nothing."""
    if not state.src.startswith("{/*", state.pos):
        return False
    end = state.src.find("*/}", state.pos + 3)
    if end < 0:
        return False
    state.pos = end + 3
    return True


def _parser() -> MarkdownIt:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark", {"html": True}).enable(["table", "strikethrough"])
    md.disable("text_join")  # keep escapes/entities as text_special tokens: they are literal text
    md.inline.ruler.before("emphasis", "mdx_comment", _mdx_comment)
    return md


@cache
def _block_parser() -> MarkdownIt:
    """The parser of whole documents (built on first use)."""
    return _parser()


@cache
def _inline_parser() -> MarkdownIt:
    """The parser for inline text already decoded by HTML: no entities, no inline HTML."""
    return _parser().disable(["entity", "html_inline"])

_HEADING_ID = re.compile(r"[ \t]*\{[#.][^{}\n]*\}[ \t]*$")  # {#id}, {#id .class}, {.class}
# Template tags that render no text of their own: Hugo shortcodes, Liquid/Jinja tags.
_TEMPLATE_INLINE = re.compile(r"\{\{<.*?>\}\}|\{\{%.*?%\}\}|\{%.*?%\}")
# A paragraph made only of template actions ({{image "x.png"}}, {{ site.foo }}) is not content.
_TEMPLATE_ONLY = re.compile(r"(?:\s*\{\{.*?\}\})+\s*", re.S)
_IAL = re.compile(r"\{:[^{}\n]*\}")
_BR = re.compile(r"<br\s*/?>", re.I)


def _collapse(text: str) -> str:
    return " ".join(text.split())


def inline_text(children: Sequence[Token] | None, *, heading: bool = False) -> str:
    """Visible text of an inline token's children (see the module docstring for the rules)."""
    parts: list[tuple[str, bool]] = []  # (text, is_unescaped_source_text)
    for tok in children or ():
        t = tok.type
        if t == "text":
            parts.append((_IAL.sub("", _TEMPLATE_INLINE.sub("", tok.content)), True))
        elif t in ("text_special", "code_inline"):
            parts.append((tok.content, False))
        elif t in ("softbreak", "hardbreak"):
            parts.append(("\n", False))
        elif t == "html_inline" and _BR.fullmatch(tok.content.strip()):
            parts.append((" ", False))
    if heading:
        while parts and not parts[-1][0].strip():
            parts.pop()
        if parts and parts[-1][1]:
            parts[-1] = (_HEADING_ID.sub("", parts[-1][0]), True)
    if parts and all(raw or not p.strip() for p, raw in parts):
        if _TEMPLATE_ONLY.fullmatch("".join(p for p, _ in parts)):
            return ""
    return _collapse("".join(p for p, _ in parts))


def render_inline_markdown(source: str) -> str:
    """Visible text of Markdown inline source whose entities are already decoded."""
    tokens = _inline_parser().parseInline(source)
    return inline_text(tokens[0].children if tokens else None)


def markdown_inline_text(source: str) -> str:
    """Visible text of Markdown inline source (a front-matter title: code spans, entities ...)."""
    tokens = _block_parser().parseInline(source)
    return inline_text(tokens[0].children if tokens else None)


# --------------------------------------------------------------------------- blocks
class _Lines:
    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]

    def offset(self, line: int) -> int:
        return self.starts[line] if line < len(self.starts) else len(self.text)

    def span(self, tok: Token) -> tuple[int, int] | None:
        if not tok.map:
            return None
        start, end = self.offset(tok.map[0]), self.offset(tok.map[1])
        while end > start and self.text[end - 1].isspace():
            end -= 1
        return (start, end)


def _content_pieces(body: str, warnings: list[str] | None = None) -> list[Piece]:
    """Blocks of Markdown ``body`` (front matter already blanked, so offsets are the source's)."""
    tokens = _block_parser().parse(body)
    lines = _Lines(body)
    out: list[Piece] = []
    items: list[bool] = []  # per open list item: is its first paragraph still to come?
    quote = 0
    other_next = False  # the previous block was the exporter's OTHER_MARKER comment
    i = 0
    while i < len(tokens):
        tok = tokens[i]
        t = tok.type
        if t == "list_item_open":
            items.append(True)
        elif t == "list_item_close":
            items.pop()
        elif t == "blockquote_open":
            quote += 1
        elif t == "blockquote_close":
            quote -= 1
        elif t == "heading_open":
            text = inline_text(tokens[i + 1].children, heading=True)
            out.append(Piece("heading", int(tok.tag[1:]), text, lines.span(tok)))
            i += 2
        elif t == "paragraph_open":
            text = inline_text(tokens[i + 1].children)
            kind: BlockKind = "quote" if quote else "paragraph"
            if items and items[-1]:
                items[-1] = False
                kind = "list_item"
            if other_next and kind == "paragraph":
                kind = "other"
            out.append(Piece(kind, None, text, lines.span(tok)))
            i += 2
        elif t in ("fence", "code_block"):
            if items:
                items[-1] = False
            code = tok.content[:-1] if tok.content.endswith("\n") else tok.content
            out.append(Piece("code", None, code, lines.span(tok)))
        elif t == "table_open":
            cells: list[str] = []
            span = lines.span(tok)
            while i < len(tokens) and tokens[i].type != "table_close":
                if tokens[i].type == "inline":
                    cell = inline_text(tokens[i].children)
                    if cell:
                        cells.append(cell)
                i += 1
            out.append(Piece("table", None, " ".join(cells), span))
        elif t == "html_block" and tok.content.strip() == OTHER_MARKER:
            other_next = True
            i += 1
            continue
        elif t == "html_block":
            span = lines.span(tok)
            offset = span[0] if span else 0
            for b in extract_html_blocks(
                tok.content, offset=offset, inline_markdown=render_inline_markdown, warnings=warnings
            ):
                if b.kind != "code" and _TEMPLATE_ONLY.fullmatch(b.text):
                    continue  # e.g. <div style="...">{{image "x.png"}}</div> on the Go blog
                kind = "quote" if quote and b.kind == "paragraph" else b.kind
                out.append(Piece(kind, b.level, b.text, b.span))
        if not t.endswith("_close"):
            other_next = False
        i += 1
    return [p for p in out if p.text.strip()]


# --------------------------------------------------------------------------- title and dateline
def _loose(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.casefold()))


def _choose_title(
    pieces: list[Piece], fm: FrontMatter | None, text: str, title_from_h1: bool
) -> tuple[list[Piece], str | None]:
    data = fm.data if fm else {}
    if "title" in data:
        raw_title = data["title"]
        title = markdown_inline_text(str(raw_title)) if raw_title is not None else ""
        if not title:
            return pieces, None
        idx = next(
            (k for k, p in enumerate(pieces) if p.kind == "heading" and p.level == 1 and p.text == title), None
        )
        if idx is None:
            first = next((k for k, p in enumerate(pieces) if p.kind == "heading"), None)
            if first is not None and pieces[first].level == 1 and _loose(pieces[first].text) == _loose(title):
                idx = first
        if idx is not None:
            pieces = [*pieces[:idx], Piece("title", 1, title, pieces[idx].span), *pieces[idx + 1 :]]
        else:
            pieces = [Piece("title", 1, title, _key_line_span(text, fm, "title")), *pieces]
        return pieces, title
    if not title_from_h1:
        return pieces, None
    headings = [k for k, p in enumerate(pieces) if p.kind == "heading"]
    h1 = [k for k in headings if pieces[k].level == 1]
    if len(h1) == 1 and headings[0] == h1[0]:
        k = h1[0]
        pieces = [*pieces[:k], Piece("title", 1, pieces[k].text, pieces[k].span), *pieces[k + 1 :]]
        return pieces, pieces[k].text
    return pieces, None


_BYLINE_WINDOW = 2
_BYLINE_MAX_CHARS = 400
# after the date: nothing, or "by ...", or a separator (June 8, 2021 — Jane; 2021-06-08 | News)
_BYLINE_REST = re.compile(r"\s*(?:$|(?:by|posted by|written by)\b|[—–|·•:,-]\s)", re.I)


def choose_dateline(
    pieces: list[Piece], fm: FrontMatter | None, text: str, *, byline: bool = True
) -> tuple[list[Piece], str | None]:
    """Mark or add the dateline block; return the pieces and the ISO date (or ``None``).

    1. Front matter ``dateline``: a string names the dateline text (the first paragraph with
       that text becomes the dateline, else a block with it is added under the title); ``null``
       or ``""`` means the document has none. The Markdown exporter writes this key.
    2. Else (``byline``) one of the first two paragraphs under the title, before any heading,
       that is short and is a date alone or a date followed by ``by ...`` or a separator, e.g.
       "June 8, 2021 by Andrew Clark" (react.dev); when the front matter has a date, the
       byline's date must be the same.
    3. Else the front-matter date (:func:`front_matter_date`), added under the title as ISO text.
    """
    data = fm.data if fm else {}
    fm_date = front_matter_date(data)
    iso = fm_date[0] if fm_date else None
    at = 1 if pieces and pieces[0].kind == "title" else 0
    title_at = next((k for k, p in enumerate(pieces) if p.kind == "title"), None)
    if title_at is not None:
        at = title_at + 1
    if "dateline" in data:
        value = data["dateline"]
        wanted = markdown_inline_text(str(value)) if value is not None else ""
        if not wanted:
            return pieces, iso
        for k, p in enumerate(pieces):
            if p.kind == "paragraph" and p.text == wanted:
                pieces = [*pieces[:k], Piece("dateline", None, p.text, p.span), *pieces[k + 1 :]]
                return pieces, iso or parse_date(wanted)
        line = _key_line_span(text, fm, "dateline")
        return [*pieces[:at], Piece("dateline", None, wanted, line), *pieces[at:]], iso or parse_date(wanted)
    if byline:
        seen = 0
        for k in range(at, len(pieces)):
            p = pieces[k]
            if p.kind in ("heading", "title") or seen >= _BYLINE_WINDOW:
                break
            if p.kind != "paragraph":
                continue
            seen += 1
            found = date_prefix(p.text)
            if (
                found
                and len(p.text) <= _BYLINE_MAX_CHARS
                and _BYLINE_REST.match(p.text, found[1])
                and (iso is None or iso == found[0])
            ):
                pieces = [*pieces[:k], Piece("dateline", None, p.text, p.span), *pieces[k + 1 :]]
                return pieces, found[0]
    if fm_date:
        line = _key_line_span(text, fm, fm_date[1])
        return [*pieces[:at], Piece("dateline", None, fm_date[0], line), *pieces[at:]], iso
    return pieces, None


def read_markdown_text(
    text: str,
    *,
    title_from_h1: bool = True,
    byline_dateline: bool = True,
    path: str | None = None,
    warnings: list[str] | None = None,
) -> tuple[list[Piece], dict[str, Any]]:
    """Blocks and metadata of decoded Markdown ``text`` (LF newlines); never raises on content.

    :param path: the file name, for warnings.
    :param warnings: when given, one-line warnings naming the file are appended to it (dropped
        front matter, HTML nested too deeply).
    :return: ``(pieces, metadata)``; metadata holds the JSON-safe front-matter keys plus
        ``title`` and ``date`` (ISO ``YYYY-MM-DD``) when known.
    """
    notes = warnings if warnings is not None else []
    fm = split_front_matter(text, path)
    body = text
    if fm is not None:
        if fm.problem:
            notes.append(fm.problem)
        body = re.sub(r"[^\n]", " ", text[: fm.end]) + text[fm.end :]
    html_notes: list[str] = []
    pieces = _content_pieces(body, html_notes)
    notes.extend(f"{path or '<markdown>'}: {n}" for n in dict.fromkeys(html_notes))
    pieces, title = _choose_title(pieces, fm, text, title_from_h1)
    pieces, date = choose_dateline(pieces, fm, text, byline=byline_dateline)
    metadata: dict[str, Any] = _json_safe(fm.data) if fm else {}
    if title:
        metadata["title"] = title
    if date:
        metadata["date"] = date
    return pieces, metadata


class MarkdownSettings(BaseModel):
    """Settings of the ``markdown`` reader."""

    model_config = ConfigDict(extra="forbid")
    title_from_h1: bool = True
    """Without a front-matter ``title`` key, a single leading ``#`` heading is the title."""
    byline_dateline: bool = True
    """A short paragraph under the title starting with a date is the dateline."""
    max_bytes: int = Field(default=50 * 1024 * 1024, gt=0, description="refuse inputs larger than this")


class MarkdownReader(Reader):
    """Reads Markdown (.md, .markdown): front matter to metadata, visible text as blocks."""

    name = "markdown"
    suffixes = (".md", ".markdown")
    media_type = "text/markdown"
    Settings = MarkdownSettings

    def read(self, raw: bytes, *, doc_id: str, path: str | None) -> Document:
        """Decode ``raw`` (:func:`pipeline.decoding.decode`: BOM, encoding, newlines) and parse it.

        :return: a document whose ``text`` is the visible text of its blocks joined by
            ``"\\n\\n"``; ``block.source_span`` are character offsets in the decoded source.
        :raises pipeline.errors.InputError: binary input or an undeterminable encoding.
        """
        settings: MarkdownSettings = self.settings  # type: ignore[assignment]
        text, source, notes = decode_source(raw, path, self.media_type)
        warnings: list[str] = []
        pieces, metadata = read_markdown_text(
            text, title_from_h1=settings.title_from_h1, byline_dateline=settings.byline_dateline,
            path=path or doc_id, warnings=warnings,
        )
        for message in warnings:
            log.warning("%s", message)
            code = "front_matter" if "front matter" in message else "html"
            notes.append(Diagnostic(stage="read", level="warning", code=code, message=message))
        return assemble_document(
            ((p.kind, p.level, p.text, p.span) for p in pieces),
            doc_id=doc_id, source=source, metadata=metadata, diagnostics=notes,
        )


@hookimpl
def register_readers(register: Callable[[type[Reader]], None]) -> None:
    """Register the Markdown reader."""
    register(MarkdownReader)
