"""The Markdown exporter: output shape, escaping, determinism and the round trip through the reader.

Round-trip comparisons use whitespace-normalised block texts (the exporter writes a block on
one line, so newlines inside a paragraph come back as spaces); code blocks compare exactly.
"""

from __future__ import annotations

import re
from typing import Any

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import Document, Keyphrase, Source, Theme
from pipeline.model import BlockKind
from pipeline.registry import Registry
from plugins.export_markdown import (
    MarkdownExporter,
    dump_front_matter,
    escape,
    paragraph_spans,
    register_exporters,
)
from plugins.read_html import assemble_document
from plugins.read_markdown import MarkdownReader, markdown_inline_text

Spec = tuple[BlockKind, int | None, str]


def make_doc(blocks: list[Spec], **metadata: Any) -> Document:
    return assemble_document(
        ((kind, level, text, None) for kind, level, text in blocks),
        doc_id="doc",
        source=Source(path="in/doc.txt"),
        metadata=dict(metadata),
    )


def export(doc: Document) -> str:
    return MarkdownExporter().render(doc).decode("utf-8")


def read_back(doc: Document) -> Document:
    return MarkdownReader().read(MarkdownExporter().render(doc), doc_id=doc.id, path="doc.md")


def norm(doc: Document) -> list[tuple[str, int | None, str]]:
    """Blocks as (kind, level, text): whitespace collapsed, except code (only CR/CRLF -> LF)."""
    return [
        (b.kind, b.level, _lf(b.text) if b.kind == "code" else " ".join(b.text.split())) for b in doc.blocks
    ]


def _lf(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


NASTY: list[Spec] = [
    ("title", 1, "A *bold* _claim_ about <b>tags</b> & `code`: [x](y) | pipes #1"),
    ("dateline", None, "January 7, 2026"),
    ("paragraph", None, "1984. A year\nwrapped over\nthree lines &amp; &copy; entities"),
    ("heading", 2, "Ends with hashes ##"),
    ("heading", 3, "C# and F# {#not-an-id}"),
    ("paragraph", None, "- not a list item"),
    ("paragraph", None, "+ nor this, > nor this"),
    ("paragraph", None, "> not a quote"),
    ("paragraph", None, "# not a heading"),
    ("paragraph", None, "---"),
    ("paragraph", None, "==="),
    ("paragraph", None, "[ref]: http://example.org 'not a definition'"),
    ("paragraph", None, "<!-- not a comment --> <div>not html</div> <http://not.a/link>"),
    ("paragraph", None, "Back\\slash at the end\\"),
    ("paragraph", None, "~~not struck~~ and {: .not-an-ial} and {/* not mdx */}"),
    ("paragraph", None, "2) second"),
    ("list_item", None, "1. an item that looks ordered"),
    ("list_item", None, "- an item that looks like a sublist"),
    ("list_item", None, "plain item"),
    ("quote", None, "quoted *text* with\na newline"),
    ("quote", None, "> doubly quoted"),
    ("code", None, "```\nfence inside ```` code\n\n    indented\n~~~"),
    ("table", None, "a | b c | d"),
    ("other", None, "Page 3 of 7 -- *footer*"),
    ("paragraph", None, "![not an image](x.png) \u00a0non-breaking\ttab"),
    ("heading", 2, "#"),
]


def test_round_trip_nasty_characters() -> None:
    doc = make_doc(NASTY, date="2026-01-07")
    assert norm(read_back(doc)) == norm(doc)


def test_round_trip_without_title_or_dateline() -> None:
    doc = make_doc([("heading", 1, "Looks like a title"), ("paragraph", None, "June 8, 2021 by someone")])
    assert norm(read_back(doc)) == norm(doc)


def test_round_trip_title_and_dateline_not_first() -> None:
    doc = make_doc([
        ("paragraph", None, "Kicker"),
        ("dateline", None, "Posted 7 Jan"),
        ("title", 1, "Title"),
        ("heading", 1, "Title"),
        ("paragraph", None, "Posted 7 Jan"),
    ])
    assert norm(read_back(doc)) == norm(doc)


def test_front_matter_and_layout() -> None:
    doc = make_doc(
        [("title", 1, "T *x*"), ("dateline", None, "2026-01-07"), ("list_item", None, "a"),
         ("list_item", None, "b"), ("paragraph", None, "after")],
        date="2026-01-07",
    )
    doc = doc.model_copy(update={"themes": [Theme(id="t1", label="state visits", score=0.9,
                                                  keyphrases=[Keyphrase(text="state visits", score=0.9)])]})
    out = export(doc)
    head, body = out.split("---\n")[1], out.split("---\n", 2)[2]
    fm = yaml.safe_load(head)
    assert fm == {"title": "T \\*x\\*", "date": "2026-01-07", "dateline": "2026-01-07", "source": "in/doc.txt",
                  "themes": ["state visits"]}
    assert markdown_inline_text(fm["title"]) == "T *x*"
    assert body == "\n# T \\*x\\*\n\n2026-01-07\n\n- a\n- b\n\nafter\n"


def test_document_without_blocks_is_written_as_paragraphs() -> None:
    doc = Document(id="d", text="First para\nwrapped.\n\n  \n# Second *para*\n\n\nthird")
    back = read_back(doc)
    assert [(b.kind, b.text) for b in back.blocks] == [
        ("paragraph", "First para wrapped."), ("paragraph", "# Second *para*"), ("paragraph", "third"),
    ]


def test_code_fence_longer_than_backticks_inside() -> None:
    out = export(make_doc([("code", None, "a ````` b")]))
    assert "``````\na ````` b\n``````" in out


def test_deterministic_bytes() -> None:
    doc = make_doc(NASTY, date="2026-01-07")
    again = make_doc(list(NASTY), date="2026-01-07")
    assert MarkdownExporter().render(doc) == MarkdownExporter().render(again)


def test_unrepresentable_characters() -> None:
    out = export(make_doc([("paragraph", None, "nul\x00 esc\x1b and \ud800 lone"), ("code", None, "a\x07b")]))
    assert "\x00" not in out and "\x1b" not in out and "\x07" not in out
    assert "nul esc and \ufffd lone" in out
    assert [b.text for b in read_back(make_doc([("paragraph", None, "bell\x07")])).blocks] == ["bell"]


# ----------------------------------------------------------------------------- properties
_TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("\\`*_[]()<>|~&#;{}:/!-+=.)1 \n\tax")),
        # no lone surrogates, no control characters but whitespace (see test_unrepresentable_characters)
        st.characters(exclude_categories=("Cs", "Cc")),
        st.sampled_from(list("\t\n\r\x0c\x85")),
    ),
    max_size=60,
)
_KINDS: list[BlockKind] = ["paragraph", "list_item", "quote", "heading", "table", "other", "code"]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXT)
def test_escape_renders_as_written(text: str) -> None:
    assert markdown_inline_text(escape(text)) == " ".join(text.split())
    assert markdown_inline_text(escape(text, heading=True)) == " ".join(text.split())


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(_KINDS), st.integers(1, 6), _TEXT), max_size=8),
       st.one_of(st.none(), _TEXT), st.one_of(st.none(), _TEXT))
def test_any_blocks_round_trip(blocks: list[tuple[BlockKind, int, str]], title: str | None,
                               dateline: str | None) -> None:
    specs: list[Spec] = []
    if title is not None:
        specs.append(("title", 1, title))
    if dateline is not None:
        specs.append(("dateline", None, dateline))
    specs += [(kind, level if kind == "heading" else None, text) for kind, level, text in blocks]
    kept = [s for s in specs if s[2].strip()]
    doc = make_doc(kept)
    assert norm(read_back(doc)) == norm(doc)


def test_registration() -> None:
    reg = Registry()
    register_exporters(lambda cls: reg.add("exporter", cls, "builtin", "0"))
    assert reg.exporters["markdown"].cls.suffix == ".md"


_PARAGRAPH_RULE = re.compile(r"\S(?:.*?\S)?(?=\n[ \t]*\n|\s*\Z)", re.S)


@settings(max_examples=500, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab \t\n\r\x0b\x0c\u00a0\u2028\ufeff")), max_size=40))
def test_paragraph_spans_follow_the_paragraph_rule(text: str) -> None:
    # the fast search must find exactly the spans of the rule the exporter is defined by
    assert paragraph_spans(text) == [m.span() for m in _PARAGRAPH_RULE.finditer(text)]


_YAML_TRICKY = st.one_of(
    st.sampled_from(["yes", "no", "null", "~", "1.0", "0x1F", "2021-06-17", "12:30", ".inf", "---", "...", "- ",
                     "? ", ": ", " #", "%YAML", "!tag", "&a", "*a", "@x", "`x", "<<", "=", "NULL", "on"]),
    st.text(alphabet=st.sampled_from(list(":#-?[]{},&*!|>'\"%@` .=+~^$()/\\;<abc019 é中\u00a0\u200b\ufffd\u3000")),
            max_size=30),
    st.text(max_size=12),  # anything, astral and control characters included (the Python emitter)
)


@settings(max_examples=1000, deadline=None)
@given(st.one_of(st.none(), _YAML_TRICKY), st.one_of(st.none(), _YAML_TRICKY), _YAML_TRICKY,
       st.lists(_YAML_TRICKY, max_size=4))
def test_front_matter_is_what_pyyaml_writes(title: str | None, dateline: str | None, source: str,
                                            themes: list[str]) -> None:
    # the C emitter is used only where it writes the same text as PyYAML's Python emitter
    fm: dict[str, object] = {"title": title, "date": "2026-01-07", "dateline": dateline, "source": source}
    if themes:
        fm["themes"] = themes
    expected = yaml.safe_dump(fm, sort_keys=False, allow_unicode=True, default_flow_style=False, width=2**31 - 1)
    assert dump_front_matter(fm) == expected
