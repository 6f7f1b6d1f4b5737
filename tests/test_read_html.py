"""The HTML reader: main content, block mapping, templates, spans and robustness."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline import InputError
from pipeline.registry import Registry
from plugins.read_html import HtmlReader, HtmlSettings, extract_html_blocks, parse_date, register_readers


def read_doc(src: str | bytes, **kw: bool):  # type: ignore[no-untyped-def]
    raw = src.encode("utf-8") if isinstance(src, str) else src
    return HtmlReader(HtmlSettings(**kw)).read(raw, doc_id="d", path="page.html")


def read(src: str, **kw: bool) -> list[tuple[str, int | None, str]]:
    return [(b.kind, b.level, b.text) for b in read_doc(src, **kw).blocks]


PAGE = """<!doctype html><html><head><title>Page T</title><style>p{}</style>
<script>var x = "<p>not content</p>";</script></head>
<body><header><nav><a href="/">Home</a></nav><p>Site banner</p></header>
<main>
<h1>The  Title</h1>
<p>First &amp;lt; para with <a href="x">a link</a> and <img alt="pic" src="p.png">an image.</p>
<h2>Section</h2>
<ul><li>one</li><li>two<ul><li>nested</li></ul></li></ul>
<blockquote><p>Quoted</p></blockquote>
<pre><code>x  = 1
y = 2</code></pre>
<table><tr><th>h1</th><th>h2</th></tr><tr><td>a</td><td>b</td></tr></table>
<div class="breadcrumb">Home / Docs</div>
</main>
<footer><p>Copyright</p></footer></body></html>"""


def test_main_content_blocks() -> None:
    assert read(PAGE) == [
        ("title", 1, "The Title"),
        ("paragraph", None, "First &lt; para with a link and an image."),
        ("heading", 2, "Section"),
        ("list_item", None, "one"),
        ("list_item", None, "two"),
        ("list_item", None, "nested"),
        ("quote", None, "Quoted"),
        ("code", None, "x  = 1\ny = 2"),
        ("table", None, "h1 h2 a b"),
    ]


def test_metadata_and_title_setting() -> None:
    doc = read_doc(PAGE)
    assert doc.metadata["title"] == "The Title"  # the title block's text, not "<title>"'s
    assert read(PAGE, title_from_h1=False)[0] == ("heading", 1, "The Title")
    assert read_doc(PAGE, title_from_h1=False).metadata["title"] == "Page T"  # no title block


def test_whole_body_without_main_drops_page_boilerplate() -> None:
    src = "<body><nav>Menu</nav><header>Banner</header><p>Body text</p><footer>Foot</footer></body>"
    assert read(src) == [("paragraph", None, "Body text")]
    assert [b.text for b in extract_html_blocks(src)] == ["Menu", "Banner", "Body text", "Foot"]


def test_spans_point_into_source() -> None:
    doc = read_doc(PAGE)
    doc.check()
    for b in doc.blocks:
        assert b.source_span is not None
        start, end = b.source_span
        assert 0 <= start < end <= len(PAGE)
    by_kind = {b.kind: b.source_span for b in doc.blocks}
    h2 = by_kind["heading"]
    assert h2 is not None and PAGE[h2[0] : h2[1]] == "<h2>Section</h2>"
    table = by_kind["table"]
    assert table is not None and PAGE[table[0] : table[1]].startswith("<table>")
    assert PAGE[table[0] : table[1]].endswith("</table>")


def test_unclosed_paragraphs_and_list_items() -> None:
    src = "<p>one\n<p>two\n<ul><li>a\n<li>b\n</ul>\n<p>Intro:\n<pre>code</pre>\n"
    assert read(src) == [
        ("paragraph", None, "one"),
        ("paragraph", None, "two"),
        ("list_item", None, "a"),
        ("list_item", None, "b"),
        ("paragraph", None, "Intro:"),
        ("code", None, "code"),
    ]
    doc = read_doc(src)
    first = doc.blocks[0].source_span
    assert first is not None and src[first[0] : first[1]] == "<p>one"


def test_list_item_with_code_keeps_source_order() -> None:
    src = "<ul><li>Run this:<pre>make all</pre>and then rest.</li></ul>"
    assert read(src) == [
        ("list_item", None, "Run this:"),
        ("code", None, "make all"),
        ("paragraph", None, "and then rest."),
    ]


def test_django_template_content_block_only() -> None:
    src = (
        '{% extends "tutorial.html" %}\n{% block pagetitle %}Tutorial T{% endblock %}\n'
        "{% block date %}June 27, 2011{% endblock %}\n"
        "{% block iscompatible %}return !!window.Worker;{% endblock %}\n"
        "{% block content %}\n<h2>Intro</h2>\n{% if x %}<p>Use {{ name }} here.</p>{% endif %}\n"
        "{# a comment #}\n<p>Use case #1 stays: {#not closed on this line\n</p>\n{% endblock %}\n"
    )
    doc = read_doc(src)
    assert [(b.kind, b.level, b.text) for b in doc.blocks] == [
        ("heading", 2, "Intro"),
        ("paragraph", None, "Use here."),
        ("paragraph", None, "Use case #1 stays: {#not closed on this line"),
    ]
    assert doc.metadata["title"] == "Tutorial T"
    assert doc.metadata["date"] == "2011-06-27"
    span = doc.blocks[0].source_span
    assert span is not None and src[span[0] : span[1]] == "<h2>Intro</h2>"


def test_heading_ids_are_not_boilerplate() -> None:
    assert read('<h3 id="use-case-social-media">Social</h3><div class="share">Tweet</div>') == [
        ("heading", 3, "Social")
    ]


@pytest.mark.parametrize(
    "text,iso",
    [("2021-06-08", "2021-06-08"), ("June 8, 2021 by Ann", "2021-06-08"), ("8 Jun 2021", "2021-06-08"),
     ("2021/06/08", "2021-06-08"), ("Feb 30, 2021", None), ("in June 2021", None)],
)
def test_parse_date(text: str, iso: str | None) -> None:
    assert parse_date(text) == iso


def test_binary_input_raises() -> None:
    with pytest.raises(InputError):
        read_doc(b"%PDF-1.7\n" + bytes(range(256)))


def test_utf16_with_bom() -> None:
    doc = read_doc("\ufeff<p>h\u00e9llo</p>".encode("utf-16-le"))
    assert [b.text for b in doc.blocks] == ["h\u00e9llo"]
    assert doc.source.encoding == "utf-16-le"


_MARKUPISH = st.sampled_from(list("<>/=\"' &;#{}%abpli\n"))
_ANY_CHAR = st.characters(exclude_categories=("Cs",), exclude_characters="\x00")


@settings(max_examples=150, deadline=None)
@given(st.text(alphabet=_MARKUPISH | _ANY_CHAR, max_size=200))
def test_malformed_html_never_raises(src: str) -> None:
    doc = read_doc(src)
    doc.check()
    for b in doc.blocks:
        assert b.text.strip()


def test_registration() -> None:
    reg = Registry()
    register_readers(lambda cls: reg.add("reader", cls, "builtin", "0"))
    assert reg.reader_for("a/b.HTM") == "html"


def test_pathologically_deep_nesting_does_not_raise() -> None:
    doc = read_doc("<div>" * 20000 + "<p>deep text</p>" + "<ul><li>" * 3000 + "item")
    assert [b.text for b in doc.blocks] == ["deep text", "item"]


def test_block_children_of_a_heading_are_separate_words() -> None:
    assert read("<h2><div>Part</div><div>one</div></h2>") == [("heading", 2, "Part one")]


ARTICLE_WITH_WIDGETS = """<html><head><title>Storm hits coast | Daily Planet</title></head><body>
<article><h1>Storm hits coast</h1>
<p>The storm arrived at dawn.</p>
<aside class="related"><h2>Related stories</h2><ul><li><a href="/a">Flood warnings</a></li></ul></aside>
<aside><p>"We have never seen anything like it," said the mayor.</p></aside>
<nav><a href="/prev">Previous</a></nav>
<div class="share-buttons">Share on X</div>
<section id="comments"><h2>Comments</h2><p>First!</p></section>
<p>Cleanup begins tomorrow.</p>
<footer><p>Filed under Weather</p></footer>
</article></body></html>"""


def test_article_widgets_are_not_content_but_pull_quotes_are() -> None:
    assert read(ARTICLE_WITH_WIDGETS) == [
        ("title", 1, "Storm hits coast"),
        ("paragraph", None, "The storm arrived at dawn."),
        ("quote", None, '"We have never seen anything like it," said the mayor.'),
        ("paragraph", None, "Cleanup begins tomorrow."),
    ]


def test_title_metadata_agrees_with_title_block_and_markdown_export() -> None:
    from plugins.export_markdown import MarkdownExporter

    doc = read_doc(ARTICLE_WITH_WIDGETS)
    assert doc.metadata["title"] == "Storm hits coast"
    assert "title: Storm hits coast" in MarkdownExporter().render(doc).decode()


def test_aside_in_fragment_is_still_a_quote() -> None:  # the Markdown reader's raw HTML blocks
    assert [(b.kind, b.text) for b in extract_html_blocks("<aside><p>Pull quote</p></aside>")] == [
        ("quote", "Pull quote")
    ]


def test_max_bytes_setting() -> None:
    assert HtmlSettings().max_bytes == 50 * 1024 * 1024
    with pytest.raises(ValueError):
        HtmlSettings(max_bytes=0)


def test_very_deep_nesting_is_linear_and_keeps_text() -> None:
    import time

    n = 200_000
    src = "<html><body>" + "<div>" * n + "<p>deep <b>text</b></p>" + "</div>" * n + "<p>after</p></body></html>"
    t = time.perf_counter()
    doc = read_doc(src)
    assert time.perf_counter() - t < 20  # was minutes; about a second now
    assert [b.text for b in doc.blocks] == ["deep text", "after"]
    doc.check()
    [note] = doc.diagnostics
    assert note.message.startswith("page.html: HTML nested more than 512 levels deep")
    assert "\n" not in note.message
