"""HTML reader: the main content of a page (or of a Django/Jinja template) as typed blocks.

Parsing is selectolax's Lexbor engine (an HTML5-conformant parser: implied end tags, entity
decoding, malformed input never raises). On top of it this module decides what is content:

* **Templates** (a file with ``{% extends %}`` or ``{% block %}`` tags): only the body of
  ``{% block content %}`` (else ``main``, ``article``, ``body``) is read; every other template
  tag (``{% ... %}``, ``{# ... #}``, ``{{ ... }}``) is blanked out before parsing.
* **Pages**: the ``<main>`` element (or the only ``<article>``, or ``[role=main]``), else the
  ``<body>``, minus page-level ``<header>``, ``<footer>``, ``<nav>`` and ``<aside>`` and
  anything whose class or id names navigation (breadcrumb, sidebar, menu, share ...).
* Never content: ``script``, ``style``, ``noscript``, ``template``, ``svg``, forms and their
  controls, embedded media and their fallback text, images (alt text included), comments.

Block mapping: ``h1``-``h6`` -> ``heading`` (level = the number), ``p``/``dt``/``dd``/
``summary``/``figcaption``/``caption`` -> ``paragraph``, ``li`` -> ``list_item`` (its text up
to the first block inside it; later text in the item is a ``paragraph``), ``pre`` -> ``code``
(whitespace kept), ``table`` -> ``table`` (cell texts in row order joined by one space),
paragraphs inside ``blockquote`` or ``aside`` -> ``quote``; loose text between blocks is a
``paragraph``. Text is the visible text with whitespace collapsed to single spaces; entities
are decoded once, by the parser.

:func:`extract_html_blocks` is public so the Markdown reader can read raw HTML blocks with the
same rules.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from pipeline import Block, Diagnostic, Document, Reader, Source, hookimpl
from pipeline.decoding import decode
from pipeline.model import BlockKind

if TYPE_CHECKING:
    from selectolax.lexbor import LexborHTMLParser, LexborNode

log = logging.getLogger(__name__)

__all__ = [
    "ExtractedBlock",
    "HtmlReader",
    "HtmlSettings",
    "assemble_document",
    "date_prefix",
    "decode_source",
    "extract_html_blocks",
    "parse_date",
    "read_html_text",
    "register_readers",
]

# --------------------------------------------------------------------------- tag classes
_HEADINGS = {f"h{i}": i for i in range(1, 7)}
_PARAGRAPHS = {"p", "dt", "dd", "summary", "figcaption", "caption", "address"}
_DROP = {
    "script", "style", "noscript", "template", "svg", "math", "head", "title", "meta", "link",
    "button", "form", "input", "select", "option", "textarea", "label", "iframe", "object",
    "embed", "canvas", "video", "audio", "source", "track", "img", "picture", "map", "area",
    "dialog", "-comment",
}
_PAGE_BOILERPLATE = {"header", "footer", "nav", "aside"}
_QUOTES = {"blockquote", "aside"}
_BLOCKISH = (
    set(_HEADINGS) | _PARAGRAPHS | {
        "pre", "table", "li", "ul", "ol", "dl", "blockquote", "aside", "div", "section",
        "article", "main", "header", "footer", "nav", "figure", "details", "center", "hr",
        "fieldset", "form", "body", "html",
    }
)
_BLOCK_SELECTOR = ",".join(sorted(_BLOCKISH - {"body", "html"}))
_BOILERPLATE_NAME = (
    r"(?:^|[\s_-])(?:breadcrumbs?|sidebar|side-bar|navbar|nav|menu|share|sharing|social|cookies?|"
    r"skip-link|pagination|related|related-posts|comments?|newsletter|promo|subscribe|ads?|advert|"
    r"advertisement|recommended)(?:$|[\s_-])"
)  # compiled on first use (re caches it): about 5 ms, which registration need not pay
# Inside the main content (main_content mode): widgets by tag. An <aside> stays (as a quote)
# only when it reads as a pull quote: no heading, list, nav or link-only text.
_WIDGET_TAGS = {"nav", "footer"}
_WIDGET_INSIDE = "h1,h2,h3,h4,h5,h6,ul,ol,nav,form"
MAX_DEPTH = 512
"""Elements nested deeper than this are not elements (their text is kept): like browsers' tree
builders, and because HTML5 tree construction is quadratic in the nesting depth."""
# Only wrappers are judged by class/id (a heading id like "social-widgets" is content).
_CONTAINERS_CHECKED = {"div", "section", "ul", "ol", "aside", "header", "footer", "nav", "span", "table"}
_DISPLAY_NONE = re.compile(r"display\s*:\s*none", re.I)
_MARKDOWN_ATTR_ON = {"1", "block", "span"}


@dataclass(frozen=True)
class ExtractedBlock:
    """One content block found in markup.

    :ivar kind: a :data:`pipeline.model.BlockKind`.
    :ivar level: heading level (1-6) for headings, else ``None``.
    :ivar text: the visible text (code keeps its whitespace; everything else collapsed).
    :ivar span: ``(start, end)`` character offsets of the block in the markup passed in (plus
        the ``offset`` given), approximate for loose text; ``None`` when it could not be located.
    """

    kind: BlockKind
    level: int | None
    text: str
    span: tuple[int, int] | None


# --------------------------------------------------------------------------- source positions
_MASK_RE = re.compile(
    r"<!--.*?(?:-->|\Z)|<(script|style|textarea|title)\b[^>]*>.*?(?:</\1\s*>|\Z)|<!\[CDATA\[.*?(?:\]\]>|\Z)",
    re.S | re.I,
)
_TAG_RE = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9-]*)\b(?:[^>\"']|\"[^\"]*\"|'[^']*')*>")
_SPACES = re.compile(r"\s*")
_VOID = {
    "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track",
    "wbr", "param",
}
_P_CLOSERS = _BLOCKISH | {"pre", "hr", "p"} | set(_HEADINGS)
_IMPLIED_END: dict[str, set[str]] = {
    "p": _P_CLOSERS,
    "li": {"li"},
    "dt": {"dt", "dd"},
    "dd": {"dt", "dd"},
}


def _mask(text: str) -> str:
    """Blank out comments and raw-text elements (keeping their tags), preserving offsets."""

    def blank(m: re.Match[str]) -> str:
        s = m.group(0)
        if m.group(1):  # keep the start tag so it still counts as an occurrence
            head = s.index(">") + 1
            return s[:head] + re.sub(r"[^\n]", " ", s[head:])
        return re.sub(r"[^\n]", " ", s)

    return _MASK_RE.sub(blank, text)


class _Positions:
    """Map parsed elements to the offsets of their tags in the source (by occurrence order)."""

    def __init__(self, source: str, root: LexborNode | None) -> None:
        self.source = source
        self.masked = _mask(source)
        self.starts: dict[str, list[re.Match[str]]] = {}
        self.ends: dict[int, int] = {}  # start offset of a start tag -> end of its element
        self._text_end: dict[tuple[int, bool], int] = {}
        self._match_ends(_TAG_RE.finditer(self.masked))
        self.index: dict[int, int] = {}
        counts: dict[str, int] = {}
        if root is not None:
            for node in root.traverse():
                tag = node.tag
                if not tag or tag.startswith(("-", "#")):
                    continue
                k = counts.get(tag, 0)
                counts[tag] = k + 1
                self.index[node.mem_id] = k

    def start_match(self, node: LexborNode) -> re.Match[str] | None:
        k = self.index.get(node.mem_id)
        occ = self.starts.get(node.tag or "", [])
        if k is None or k >= len(occ):
            return None
        return occ[k]

    def _match_ends(self, tags: Iterable[re.Match[str]]) -> None:
        """One pass over the tags: where each element ends (implied end tags for ``p``, ``li``,
        ``dt``/``dd``; an end tag with no open element of its name closes every open element)."""
        stack: list[tuple[str, int]] = []  # (tag, start offset)
        open_count: dict[str, int] = {}

        def close(at: int) -> None:
            name, start = stack.pop()
            open_count[name] -= 1
            self.ends[start] = at

        for m in tags:
            name = m.group(2).lower()
            if not m.group(1):
                self.starts.setdefault(name, []).append(m)
            if name in _VOID:
                continue
            if not m.group(1):
                while stack and name in _IMPLIED_END.get(stack[-1][0], ()):
                    close(m.start())
                stack.append((name, m.start()))
                open_count[name] = open_count.get(name, 0) + 1
            elif open_count.get(name, 0):
                while stack[-1][0] != name:
                    close(m.start())
                close(m.end())
            else:  # closes an ancestor, so every open element (as read from each one's start)
                while stack:
                    close(m.start())
        while stack:
            close(len(self.masked))

    def span(self, node: LexborNode) -> tuple[int, int] | None:
        m = self.start_match(node)
        if m is None:
            return None
        tag = m.group(2).lower()
        if tag in _VOID:
            return (m.start(), m.end())
        end = self.ends.get(m.start(), len(self.masked))
        return (m.start(), max(m.end(), self.rskip(end, masked=False)))

    def rskip(self, end: int, *, masked: bool = True) -> int:
        """``end`` moved back over whitespace (cached: linear over all calls)."""
        key = (end, masked)
        found = self._text_end.get(key)
        if found is None:
            s = self.masked if masked else self.source
            found = end
            while found > 0 and s[found - 1].isspace():
                found -= 1
            self._text_end[key] = found
        return found

    def trim(self, start: int, end: int) -> tuple[int, int] | None:
        """Shrink ``[start, end)`` past surrounding tags and whitespace; ``None`` when empty."""
        s = self.masked
        while start < end:
            if s[start].isspace():
                spaces = _SPACES.match(s, start)  # always matches (``\s*``)
                start = min(end, spaces.end() if spaces else start + 1)
                continue
            m = _TAG_RE.match(s, start)
            if m and m.end() <= end:
                start = m.end()
                continue
            break
        while end > start:
            if s[end - 1].isspace():
                end = max(start, self.rskip(end))
                continue
            if s[end - 1] == ">":
                lt = s.rfind("<", start, end)
                m = _TAG_RE.fullmatch(s, lt, end) if lt >= 0 else None
                if m:
                    end = lt
                    continue
            break
        return (start, end) if start < end else None


# --------------------------------------------------------------------------- walking
def _collapse(text: str) -> str:
    return " ".join(text.split())


@dataclass
class _Ctx:
    quote: bool = False
    markdown: bool = False
    page_level: bool = False
    item: list[bool] = field(default_factory=list)  # [pending] for the innermost list item
    widgets: bool = False  # drop widgets (nav, footer, non-pull-quote asides) at any level


class _Walker:
    def __init__(
        self,
        positions: _Positions,
        offset: int,
        inline_markdown: Callable[[str], str] | None,
    ) -> None:
        self.pos = positions
        self.offset = offset
        self.inline_markdown = inline_markdown
        self.out: list[ExtractedBlock] = []
        self.buf: list[str] = []
        self.buf_md = False
        self.cursor = 0

    # ---- output
    def _emit(self, kind: BlockKind, level: int | None, text: str, span: tuple[int, int] | None) -> None:
        if not text.strip():
            return
        if span is not None:
            span = (span[0] + self.offset, span[1] + self.offset)
            self.cursor = max(self.cursor, span[1] - self.offset)
        self.out.append(ExtractedBlock(kind, level, text, span))

    def _para_kind(self, ctx: _Ctx) -> BlockKind:
        if ctx.item and ctx.item[-1]:
            ctx.item[-1] = False
            return "list_item"
        return "quote" if ctx.quote else "paragraph"

    def _flush(self, ctx: _Ctx, boundary: int | None) -> None:
        text = _collapse("".join(self.buf))
        md = self.buf_md
        self.buf.clear()
        self.buf_md = False
        if not text:
            return
        if md and self.inline_markdown is not None:
            text = _collapse(self.inline_markdown(text))
            if not text:
                return
        end = boundary if boundary is not None else len(self.pos.source)
        span = self.pos.trim(self.cursor, end) if end > self.cursor else None
        self._emit(self._para_kind(ctx), None, text, span)

    def _text_of(self, node: LexborNode, ctx: _Ctx, *, keep_space: bool = False) -> str:
        parts: list[str] = []
        md = ctx.markdown
        self._gather(node, parts)
        text = "".join(parts)
        if keep_space:
            return text
        text = _collapse(text)
        if (md or _markdown_on(node)) and self.inline_markdown is not None:
            text = _collapse(self.inline_markdown(text))
        return text

    def _gather(self, node: LexborNode, parts: list[str]) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag
            if tag == "-text":
                parts.append(child.text_content or "")
            elif tag == "br":
                parts.append("\n")
            elif tag in _DROP:
                continue
            elif tag in ("td", "th") or tag in _BLOCKISH:
                parts.append(" ")
                self._gather(child, parts)
                parts.append(" ")
            else:
                self._gather(child, parts)

    def _start(self, node: LexborNode) -> int | None:
        m = self.pos.start_match(node)
        return m.start() if m else None

    # ---- structure
    def walk(self, node: LexborNode, ctx: _Ctx) -> None:
        for child in node.iter(include_text=True):
            tag = child.tag or ""
            if tag == "-text":
                self.buf.append(child.text_content or "")
                self.buf_md = self.buf_md or ctx.markdown
                continue
            if tag in _DROP or tag.startswith("-"):
                continue
            if tag == "br":
                self.buf.append(" ")
                continue
            if _is_boilerplate(child, ctx):
                continue
            if tag in _HEADINGS:
                self._flush(ctx, self._start(child))
                self._emit("heading", _HEADINGS[tag], self._text_of(child, ctx), self.pos.span(child))
            elif tag in _PARAGRAPHS and not _has_block_inside(child):
                self._flush(ctx, self._start(child))
                self._emit(self._para_kind(ctx) if _collapse(child.text() or "") else "paragraph",
                           None, self._text_of(child, ctx), self.pos.span(child))
            elif tag == "pre":
                self._flush(ctx, self._start(child))
                code = self._text_of(child, ctx, keep_space=True).strip("\n")
                if ctx.item and ctx.item[-1] and code.strip():
                    ctx.item[-1] = False
                self._emit("code", None, code.rstrip(), self.pos.span(child))
            elif tag == "table":
                self._flush(ctx, self._start(child))
                self._emit("table", None, self._text_of(child, ctx), self.pos.span(child))
            elif tag == "li":
                self._flush(ctx, self._start(child))
                self._enter(child)
                sub = _Ctx(ctx.quote, ctx.markdown or _markdown_on(child), ctx.page_level, [*ctx.item, True],
                           ctx.widgets)
                self.walk(child, sub)
                self._flush(sub, self._end(child))
            elif tag in _HEADINGS or tag in _BLOCKISH or tag in _QUOTES or _has_block_inside(child):
                self._flush(ctx, self._start(child))
                self._enter(child)
                sub = _Ctx(
                    ctx.quote or tag in _QUOTES,
                    ctx.markdown or _markdown_on(child),
                    ctx.page_level and tag not in ("main", "article"),
                    ctx.item,
                    ctx.widgets,
                )
                self.walk(child, sub)
                self._flush(sub, self._end(child))
            else:  # inline element
                self.buf.append(self._text_of(child, _Ctx(markdown=False), keep_space=True))
                self.buf_md = self.buf_md or ctx.markdown or _markdown_on(child)

    def _enter(self, node: LexborNode) -> None:
        m = self.pos.start_match(node)
        if m is not None:
            self.cursor = max(self.cursor, m.end())

    def _end(self, node: LexborNode) -> int | None:
        span = self.pos.span(node)
        return span[1] if span else None


def _markdown_on(node: LexborNode) -> bool:
    attrs = node.attributes
    return (attrs.get("markdown") or "").lower() in _MARKDOWN_ATTR_ON


def _is_boilerplate(node: LexborNode, ctx: _Ctx) -> bool:
    if ctx.page_level and node.tag in _PAGE_BOILERPLATE:
        return True
    if ctx.widgets and (node.tag in _WIDGET_TAGS or (node.tag == "aside" and not _pull_quote(node))):
        return True
    attrs = node.attributes
    if (attrs.get("role") or "") in ("navigation", "banner", "contentinfo", "search"):
        return True
    if "hidden" in attrs or (attrs.get("aria-hidden") or "") == "true":
        return True
    if _DISPLAY_NONE.search(attrs.get("style") or ""):
        return True
    if node.tag not in _CONTAINERS_CHECKED:
        return False
    names = " ".join(v for k, v in attrs.items() if k in ("class", "id") and v)
    return bool(names and re.search(_BOILERPLATE_NAME, names, re.I))


def _pull_quote(node: LexborNode) -> bool:
    """An ``<aside>`` that reads as a pull quote: text with no heading, list, nav or form, and
    not made only of link text ("Related: ...")."""
    if node.css_first(_WIDGET_INSIDE) is not None:
        return False
    text = _collapse(node.text() or "")
    links = sum(len(_collapse(a.text() or "")) for a in node.css("a"))
    return bool(text) and links < len(text) / 2


def _cap_depth(markup: str, limit: int = MAX_DEPTH) -> str | None:
    """``markup`` with the tags of elements nested deeper than ``limit`` blanked (same length,
    so offsets hold; their text stays), or ``None`` when nothing is that deep. A blanked block
    tag that is long enough becomes ``<hr>`` (a void boundary), so paragraphs stay apart.
    Linear: one scan of the tags with the same implied-end rules as the span finder."""
    if markup.count("<") <= limit:
        return None
    masked = _mask(markup)
    stack: list[tuple[str, bool]] = []  # (tag, blanked)
    open_count: dict[str, int] = {}
    blank: list[tuple[int, int, bool]] = []  # (start, end, is a block boundary)

    def pop() -> None:
        name, _ = stack.pop()
        open_count[name] -= 1

    prev_end = 0
    text_since = False  # text since the last boundary, so a run of tags makes one <hr>
    for m in _TAG_RE.finditer(masked):
        name = m.group(2).lower()
        text_since = text_since or not masked[prev_end : m.start()].isspace() and m.start() > prev_end
        prev_end = m.end()
        boundary = text_since and (name in _BLOCKISH or name in ("td", "th", "tr", "br"))
        if boundary and len(stack) >= limit and m.end() - m.start() >= 4:
            text_since = False
        if name in _VOID:
            if len(stack) >= limit:
                blank.append((m.start(), m.end(), boundary))
            continue
        if not m.group(1):
            while stack and name in _IMPLIED_END.get(stack[-1][0], ()):
                pop()
            deep = len(stack) >= limit
            if deep:
                blank.append((m.start(), m.end(), boundary))
            stack.append((name, deep))
            open_count[name] = open_count.get(name, 0) + 1
        elif open_count.get(name, 0):
            while stack[-1][0] != name:
                pop()
            if stack[-1][1]:
                blank.append((m.start(), m.end(), boundary))
            pop()
        elif len(stack) >= limit:
            blank.append((m.start(), m.end(), boundary))
    if not blank:
        return None
    parts: list[str] = []
    last = 0
    for a, b, boundary in blank:
        parts.append(markup[last:a])
        parts.append("<hr>" + " " * (b - a - 4) if boundary and b - a >= 4 else " " * (b - a))
        last = b
    parts.append(markup[last:])
    return "".join(parts)


def _parse_html(markup: str) -> LexborHTMLParser:
    """Parse with selectolax's Lexbor engine (imported on first use, not at registration)."""
    from selectolax.lexbor import LexborHTMLParser

    return LexborHTMLParser(markup)


def _has_block_inside(node: LexborNode) -> bool:
    own = node.mem_id
    return any(n.mem_id != own for n in node.css(_BLOCK_SELECTOR))


def extract_html_blocks(
    markup: str,
    *,
    offset: int = 0,
    main_content: bool = False,
    inline_markdown: Callable[[str], str] | None = None,
    drop_widgets: bool | None = None,
    warnings: list[str] | None = None,
    cap_depth: bool = True,
) -> list[ExtractedBlock]:
    """Extract the content blocks of an HTML document or fragment, in document order.

    :param markup: decoded HTML (a whole page or a fragment).
    :param offset: added to every span, for markup cut out of a larger source.
    :param main_content: pick the page's main content and drop page-level boilerplate
        (``header``/``footer``/``nav``/``aside`` outside ``main``/``article``).
    :param inline_markdown: applied to the text of elements marked ``markdown="1"`` (kramdown's
        Markdown-inside-HTML convention): takes Markdown inline source, returns visible text.
    :param drop_widgets: drop ``nav``, ``footer`` and ``aside`` (unless a pull quote: see
        :func:`_pull_quote`) inside the content too; default: ``main_content``. Off, an
        ``<aside>``'s paragraphs are ``quote`` blocks (pull quotes in Markdown).
    :param warnings: when given, one-line warnings are appended (without the file name).
    :param cap_depth: blank the tags of elements nested deeper than :data:`MAX_DEPTH` (off when
        the caller already did).
    :return: the blocks; never raises on malformed markup.
    """
    if not markup.strip():
        return []
    capped = _cap_depth(markup) if cap_depth else None
    if capped is not None:
        if warnings is not None:
            warnings.append(f"HTML nested more than {MAX_DEPTH} levels deep; deeper tags ignored, their text kept")
        markup = capped
    parser = _parse_html(markup)
    positions = _Positions(markup, parser.root)
    root: LexborNode | None = parser.body
    page_level = False
    if main_content:
        chosen = _main_element(parser)
        if chosen is not None:
            root = chosen
        else:
            page_level = True
    if root is None:
        return []
    walker = _Walker(positions, offset, inline_markdown)
    ctx = _Ctx(page_level=page_level, widgets=main_content if drop_widgets is None else drop_widgets)
    try:
        walker.walk(root, ctx)
        walker._flush(ctx, None)
    except RecursionError:  # pathologically deep nesting: fall back to one paragraph per line of text
        if warnings is not None:
            warnings.append("HTML nested too deeply for structure; its text is read as paragraphs")
        for node in root.css("script,style,noscript,template,svg"):
            node.decompose()
        text = root.text(deep=True, separator="\n") or ""
        return [ExtractedBlock("paragraph", None, line, None) for line in map(_collapse, text.split("\n")) if line]
    return walker.out


def _main_element(parser: LexborHTMLParser) -> LexborNode | None:
    for selector in ("main", "[role=main]", "article"):
        found = parser.css(selector)
        if len(found) == 1:
            return found[0]
    return None


# --------------------------------------------------------------------------- templates
# Django tags, comments and variables are single-line; Jinja allows more, which we do not chase.
_TEMPLATE_TAG = re.compile(r"\{%-?\s*(\w+)([^\n]*?)-?%\}")
_TEMPLATE_ANY = re.compile(r"\{%[^\n]*?%\}|\{#[^\n]*?#\}|\{\{[^\n]*?\}\}")
_CONTENT_BLOCKS = ("content", "main", "article", "body")


def _is_template(text: str) -> bool:
    return bool(re.search(r"\{%-?\s*(?:extends|block)\b", text))


def _template_blocks(text: str) -> dict[str, tuple[int, int]]:
    """Name -> (start, end) of the inside of every ``{% block name %}...{% endblock %}``."""
    found: dict[str, tuple[int, int]] = {}
    stack: list[tuple[str, int]] = []
    for m in _TEMPLATE_TAG.finditer(text):
        word = m.group(1)
        if word == "block":
            name = (m.group(2).split() or [""])[0]
            stack.append((name, m.end()))
        elif word == "endblock" and stack:
            name, start = stack.pop()
            found.setdefault(name, (start, m.start()))
    return found


def _blank(m: re.Match[str]) -> str:
    return re.sub(r"[^\n]", " ", m.group(0))


# --------------------------------------------------------------------------- metadata
_MONTHS = {
    m: i + 1
    for i, names in enumerate(
        [("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"), ("may",),
         ("jun", "june"), ("jul", "july"), ("aug", "august"), ("sep", "sept", "september"),
         ("oct", "october"), ("nov", "november"), ("dec", "december")]
    )
    for m in names
}
_ISO_DATE = re.compile(r"(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})")
_MDY = re.compile(r"([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})")
_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})")


def date_prefix(text: str) -> tuple[str, int] | None:
    """Read a calendar date at the start of ``text``.

    Accepts ``2021-06-08`` (also with ``/`` or ``.``), ``June 8, 2021``, ``Jun 8 2021`` and
    ``8 June 2021`` (leading whitespace allowed).

    :return: ``(iso_date, end)`` with ``end`` the offset in ``text`` just after the date, or
        ``None`` when ``text`` does not start with a valid date.
    """
    lead = len(text) - len(text.lstrip())
    for rx, order in ((_ISO_DATE, "ymd"), (_MDY, "mdy"), (_DMY, "dmy")):
        m = rx.match(text, lead)
        if not m:
            continue
        g = dict(zip(order, m.groups(), strict=True))
        month: int | None
        month = int(g["m"]) if g["m"].isdigit() else _MONTHS.get(g["m"].lower())
        if month is None:
            continue
        try:
            return dt.date(int(g["y"]), month, int(g["d"])).isoformat(), m.end()
        except ValueError:
            continue
    return None


def parse_date(text: str) -> str | None:
    """The ISO ``YYYY-MM-DD`` date ``text`` starts with (see :func:`date_prefix`), else ``None``."""
    found = date_prefix(text)
    return found[0] if found else None


def _page_metadata(parser: LexborHTMLParser, template: dict[str, str]) -> dict[str, Any]:
    meta: dict[str, Any] = {}
    title = template.get("pagetitle") or template.get("headtitle") or template.get("title")
    if not title:
        node = parser.css_first("meta[property='og:title']")
        title = node.attributes.get("content") if node is not None else None
    if not title:
        node = parser.css_first("title")
        title = node.text() if node is not None else None
    if title and _collapse(title):
        meta["title"] = _collapse(title)
    date: str | None = None
    for candidate in (
        template.get("date"),
        _attr(parser, "meta[property='article:published_time']", "content"),
        _attr(parser, "meta[name='date']", "content"),
        _attr(parser, "time[datetime]", "datetime"),
    ):
        if candidate and (date := parse_date(candidate)):
            break
    if date:
        meta["date"] = date
    author = template.get("headauthor") or template.get("author")
    if not author:
        author = _attr(parser, "meta[name='author']", "content")
    if author and _collapse(author):
        meta["author"] = _collapse(author)
    return meta


def _attr(parser: LexborHTMLParser, selector: str, name: str) -> str | None:
    node = parser.css_first(selector)
    return node.attributes.get(name) if node is not None else None


# --------------------------------------------------------------------------- documents
def decode_source(raw: bytes, path: str | None, media_type: str) -> tuple[str, Source, list[Diagnostic]]:
    """Decode ``raw`` with the core's :func:`pipeline.decoding.decode` and describe its source.

    :return: ``(text, source, diagnostics)``: the decoded text (BOM removed, newlines LF), the
        :class:`~pipeline.model.Source` (path, media type, sha256 and size of ``raw``, encoding,
        newline style) and ``warning`` diagnostics for what decoding had to repair.
    :raises InputError: binary input or an encoding that cannot be determined.
    """
    decoded = decode(raw, path)
    source = Source(
        path=path, media_type=media_type, sha256=hashlib.sha256(raw).hexdigest(), size_bytes=len(raw),
        encoding=decoded.encoding, newline=decoded.newline,
    )
    notes = [Diagnostic(stage="read", level="warning", code="decoding", message=n) for n in decoded.notes]
    return decoded.text, source, notes


def assemble_document(
    blocks: Iterable[tuple[BlockKind, int | None, str, tuple[int, int] | None]],
    *,
    doc_id: str,
    source: Source,
    metadata: dict[str, Any],
    diagnostics: list[Diagnostic] | None = None,
) -> Document:
    """Build a document whose text is the block texts joined by a blank line (``"\\n\\n"``).

    :param blocks: ``(kind, level, text, source_span)`` in document order; empty texts skipped.
    :return: a document with blocks ``b1``, ``b2`` ... whose ``start``/``end`` index its text.
    """
    parts: list[str] = []
    out: list[Block] = []
    pos = 0
    for kind, level, text, span in blocks:
        if not text.strip():
            continue
        if parts:
            parts.append("\n\n")
            pos += 2
        out.append(
            Block(id=f"b{len(out) + 1}", kind=kind, level=level, start=pos, end=pos + len(text), text=text,
                  source_span=span)
        )
        parts.append(text)
        pos += len(text)
    return Document(
        id=doc_id, source=source, text="".join(parts), metadata=metadata, blocks=out, diagnostics=diagnostics or []
    )


class HtmlSettings(BaseModel):
    """Settings of the ``html`` reader."""

    model_config = ConfigDict(extra="forbid")
    main_content: bool = True
    """Read only the main content (``main``/``article``/template content block)."""
    title_from_h1: bool = True
    """On a page (not a template), a single ``h1`` before any other heading is the title."""
    max_bytes: int = Field(default=50 * 1024 * 1024, gt=0, description="refuse inputs larger than this")


class HtmlReader(Reader):
    """Reads HTML pages and Django/Jinja templates (.html, .htm): main content as blocks."""

    name = "html"
    suffixes = (".html", ".htm")
    media_type = "text/html"
    Settings = HtmlSettings

    def read(self, raw: bytes, *, doc_id: str, path: str | None) -> Document:
        """Decode ``raw`` (:func:`pipeline.decoding.decode`) and extract its main content.

        :return: a document whose ``text`` is the extracted text (blocks joined by ``"\\n\\n"``);
            each block's ``source_span`` gives its character offsets in the decoded source.
            Metadata: ``title``, ``date`` (ISO), ``author`` when the page or template names them.
        :raises pipeline.errors.InputError: binary input or an undeterminable encoding.
        """
        settings: HtmlSettings = self.settings  # type: ignore[assignment]
        text, source, notes = decode_source(raw, path, self.media_type)
        warnings: list[str] = []
        blocks, metadata = read_html_text(text, main_content=settings.main_content,
                                          title_from_h1=settings.title_from_h1, warnings=warnings)
        for message in dict.fromkeys(warnings):
            message = f"{path or doc_id}: {message}"
            log.warning("%s", message)
            notes.append(Diagnostic(stage="read", level="warning", code="html", message=message))
        return assemble_document(
            ((b.kind, b.level, b.text, b.span) for b in blocks),
            doc_id=doc_id, source=source, metadata=metadata, diagnostics=notes,
        )


def read_html_text(
    text: str, *, main_content: bool = True, title_from_h1: bool = True, warnings: list[str] | None = None
) -> tuple[list[ExtractedBlock], dict[str, Any]]:
    """Blocks and metadata of decoded HTML ``text`` (see :class:`HtmlReader`); never raises.

    ``metadata["title"]`` is the title block's text when there is one (so it agrees with the
    document's title), else the page's ``og:title``/``<title>``.

    :param warnings: when given, one-line warnings (without the file name) are appended.
    """
    template_values: dict[str, str] = {}
    if _is_template(text):
        regions = _template_blocks(text)
        for name, (a, b) in regions.items():
            inner = _TEMPLATE_ANY.sub("", text[a:b])
            if "<" not in inner and _collapse(inner):
                template_values[name] = _collapse(inner)
        content = next((n for n in _CONTENT_BLOCKS if n in regions), None)
        if content is not None:
            a, b = regions[content]
            region = _TEMPLATE_ANY.sub(_blank, text[a:b])
            blocks = extract_html_blocks(region, offset=a, main_content=False, drop_widgets=main_content,
                                         warnings=warnings)
        else:
            blocks = extract_html_blocks(_TEMPLATE_ANY.sub(_blank, text), main_content=main_content,
                                         warnings=warnings)
        blanked = _TEMPLATE_ANY.sub(_blank, text)
        parser = _parse_html(_cap_depth(blanked) or blanked)
        return blocks, _page_metadata(parser, template_values)
    capped = _cap_depth(text)
    if capped is not None:
        if warnings is not None:
            warnings.append(f"HTML nested more than {MAX_DEPTH} levels deep; deeper tags ignored, their text kept")
        text = capped
    blocks = extract_html_blocks(text, main_content=main_content, warnings=warnings, cap_depth=False)
    metadata = _page_metadata(_parse_html(text), {})
    if title_from_h1:
        blocks = _h1_to_title(blocks)
    title_block = next((b for b in blocks if b.kind == "title"), None)
    if title_block is not None:
        metadata["title"] = title_block.text
    return blocks, metadata


def _h1_to_title(blocks: list[ExtractedBlock]) -> list[ExtractedBlock]:
    h1 = [i for i, b in enumerate(blocks) if b.kind == "heading" and b.level == 1]
    if len(h1) != 1:
        return blocks
    i = h1[0]
    if any(b.kind == "heading" for b in blocks[:i]):
        return blocks
    b = blocks[i]
    return [*blocks[:i], ExtractedBlock("title", 1, b.text, b.span), *blocks[i + 1 :]]


@hookimpl
def register_readers(register: Callable[[type[Reader]], None]) -> None:
    """Register the HTML reader."""
    register(HtmlReader)
