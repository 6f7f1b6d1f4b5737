"""The Markdown reader: blocks, visible text, front matter, title and dateline conventions."""

from __future__ import annotations

import pytest

from pipeline import InputError
from pipeline.registry import Registry
from plugins.read_markdown import MarkdownReader, MarkdownSettings, register_readers


def read(src: str | bytes, **settings: bool) -> list[tuple[str, int | None, str]]:
    doc = read_doc(src, **settings)
    return [(b.kind, b.level, b.text) for b in doc.blocks]


def read_doc(src: str | bytes, **settings: bool):  # type: ignore[no-untyped-def]
    raw = src.encode("utf-8") if isinstance(src, str) else src
    return MarkdownReader(MarkdownSettings(**settings)).read(raw, doc_id="d", path="post.md")


def test_block_kinds_and_levels() -> None:
    src = (
        "Intro *para*.\n\n## Part **one**\n\n- first item\n- second\n  - nested\n\n"
        "1. ordered\n\n   more of the item\n\n> quoted\n> line\n\n```go\nfunc  main() {\n}\n```\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n### Deep\n"
    )
    assert read(src) == [
        ("paragraph", None, "Intro para."),
        ("heading", 2, "Part one"),
        ("list_item", None, "first item"),
        ("list_item", None, "second"),
        ("list_item", None, "nested"),
        ("list_item", None, "ordered"),
        ("paragraph", None, "more of the item"),
        ("quote", None, "quoted line"),
        ("code", None, "func  main() {\n}"),
        ("table", None, "a b 1 2"),
        ("heading", 3, "Deep"),
    ]


def test_spans_index_text_and_source() -> None:
    src = "---\ntitle: T\n---\n\nHello *world*.\n\n## Next\n\nBye.\n"
    doc = read_doc(src)
    doc.check()
    for b in doc.blocks:
        assert doc.text[b.start : b.end] == b.text
    assert doc.text == "T\n\nHello world.\n\nNext\n\nBye."
    para = doc.blocks[1]
    assert para.source_span is not None
    assert src[para.source_span[0] : para.source_span[1]] == "Hello *world*."
    head = doc.blocks[2]
    assert head.source_span is not None and src[head.source_span[0] : head.source_span[1]] == "## Next"


def test_inline_markup_removed_and_entities_decoded_once() -> None:
    src = (
        "A [link](http://x.org) and ![alt text](i.png) `code span` **b** _i_ ~~old~~ new "
        "&amp;lt; &copy; \\*lit\\* <kbd>Ctrl</kbd><br>next\n"
    )
    assert read(src) == [("paragraph", None, "A link and code span b i old new &lt; © *lit* Ctrl next")]


def test_not_content() -> None:
    src = (
        "<!-- a comment -->\n\n<Intro>\n\nVisible intro.\n\n</Intro>\n\n"
        '<YouTubeIframe src="https://y.example/embed" />\n\n'
        "## Heading {#custom-id}\n\n## Other {/*mdx-id*/}\n\nPara.\n{: .note}\n\n{: .class}\n\n"
        "[ref]: http://example.org\n\n<style>\np { color: red }\n</style>\n\n![only an image](x.png)\n"
    )
    assert read(src) == [
        ("paragraph", None, "Visible intro."),
        ("heading", 2, "Heading"),
        ("heading", 2, "Other"),
        ("paragraph", None, "Para."),
    ]


def test_escaped_heading_id_is_text() -> None:
    assert read("## Set \\{#x}\n") == [("heading", 2, "Set {#x}")]


def test_raw_html_counts_with_its_text() -> None:
    src = (
        '<aside markdown="1" class="pquote">\n  A pull quote with [a link](http://x).\n</aside>\n\n'
        "<details><summary>More</summary>\n\nInside details.\n\n</details>\n\n"
        "<p>Raw <b>html</b> &amp; paragraph</p>\n"
    )
    assert read(src) == [
        ("quote", None, "A pull quote with a link."),
        ("paragraph", None, "More"),
        ("paragraph", None, "Inside details."),
        ("paragraph", None, "Raw html & paragraph"),
    ]


def test_yaml_front_matter_title_date_and_metadata() -> None:
    src = (
        "---\ntitle: Backward &amp; `forward`\ndate: 2023-08-14T12:00:00Z\ntags: [a, b]\n"
        "updated: 2024-01-02\n---\n\n# Backward & forward\n\nBody.\n"
    )
    doc = read_doc(src)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("title", "Backward & forward"),
        ("dateline", "2023-08-14"),
        ("paragraph", "Body."),
    ]
    assert doc.metadata["title"] == "Backward & forward"
    assert doc.metadata["date"] == "2023-08-14"
    assert doc.metadata["tags"] == ["a", "b"]
    assert doc.metadata["updated"] == "2024-01-02"
    # the title block points at the # heading it replaced
    span = doc.blocks[0].source_span
    assert span is not None and src[span[0] : span[1]] == "# Backward & forward"


def test_h1_not_repeating_title_stays_a_heading() -> None:
    src = "---\ntitle: Post\n---\n\nLead.\n\n# Objectives\n\nText.\n"
    assert read(src) == [
        ("title", 1, "Post"),
        ("paragraph", None, "Lead."),
        ("heading", 1, "Objectives"),
        ("paragraph", None, "Text."),
    ]


def test_toml_front_matter_with_date_in_path() -> None:
    src = '+++\npath = "2025/12/05/some-post"\ntitle = "Some post"\n\n[extra]\nteam = "X"\n+++\n\nBody.\n'
    doc = read_doc(src)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("title", "Some post"),
        ("dateline", "2025-12-05"),
        ("paragraph", "Body."),
    ]
    assert doc.metadata["extra"] == {"team": "X"}
    assert doc.metadata["date"] == "2025-12-05"


def test_byline_paragraph_is_the_dateline() -> None:
    src = "---\ntitle: Plan\ndate: 2021/06/08\n---\n\nJune 8, 2021 by [Ann](http://a), and Bob\n\n---\n\nText.\n"
    doc = read_doc(src)
    assert [(b.kind, b.text) for b in doc.blocks] == [
        ("title", "Plan"),
        ("dateline", "June 8, 2021 by Ann, and Bob"),
        ("paragraph", "Text."),
    ]
    assert doc.metadata["date"] == "2021-06-08"
    no_byline = read(src, byline_dateline=False)
    assert no_byline[1] == ("dateline", None, "2021-06-08")


def test_front_matter_dateline_key_decides() -> None:
    src = "---\ntitle: T\ndate: 2020-01-02\ndateline: null\n---\n\nJanuary 5, 2020 is a date.\n"
    assert read(src) == [("title", 1, "T"), ("paragraph", None, "January 5, 2020 is a date.")]
    src = "---\ntitle: T\ndateline: Posted today\n---\n\nIntro.\n\nPosted today\n"
    assert read(src) == [("title", 1, "T"), ("paragraph", None, "Intro."), ("dateline", None, "Posted today")]


def test_single_leading_h1_is_title_without_front_matter() -> None:
    assert read("# Only\n\nText.\n\n## Sub\n") == [
        ("title", 1, "Only"),
        ("paragraph", None, "Text."),
        ("heading", 2, "Sub"),
    ]
    assert read("# One\n\n# Two\n")[0] == ("heading", 1, "One")
    assert read("# Only\n\nText.\n", title_from_h1=False)[0] == ("heading", 1, "Only")
    assert read("---\ntitle: null\n---\n# Only\n")[0] == ("heading", 1, "Only")


def test_thematic_break_then_setext_is_not_front_matter() -> None:
    assert read("---\nJust text\n---\n") == [("heading", 2, "Just text")]


def test_decoding_bom_and_newlines() -> None:
    doc = read_doc(b"\xef\xbb\xbf# T\r\n\r\nline one\r\nline two\r\n")
    assert [(b.kind, b.text) for b in doc.blocks] == [("title", "T"), ("paragraph", "line one line two")]
    assert doc.source.newline == "crlf"
    assert doc.source.media_type == "text/markdown"
    assert doc.source.size_bytes == len(b"\xef\xbb\xbf# T\r\n\r\nline one\r\nline two\r\n")
    assert read_doc(b"a\rb\n").source.newline == "mixed"


def test_binary_input_raises_input_error() -> None:
    with pytest.raises(InputError, match="binary"):
        read_doc(b"\x89PNG\r\n\x1a\n" + bytes(range(256)))


def test_legacy_encoding_is_decoded_and_recorded() -> None:
    raw = "# Caf\u00e9\n\nD\u00e9j\u00e0 vu, na\u00efve \u00e9l\u00e8ve, fran\u00e7ais.\n".encode("cp1252")
    doc = read_doc(raw)
    assert doc.blocks[0].text == "Caf\u00e9"
    assert doc.source.encoding not in (None, "utf-8")


def test_empty_input_gives_empty_document() -> None:
    doc = read_doc("")
    assert doc.text == "" and doc.blocks == []


def test_registration() -> None:
    reg = Registry()
    register_readers(lambda cls: reg.add("reader", cls, "builtin", "0"))
    assert reg.reader_for("notes/x.MARKDOWN") == "markdown"
    assert reg.reader_for("x.md") == "markdown"


def test_template_tags_are_not_content() -> None:
    src = (
        '{{image "gopher.png" 300}}\n\n<div class="image">\n{{image "x.png" 446}}\n</div>\n\n'
        '{{< figure src="x.png" >}}\n\nText {{< sup >}}kept{{< /sup >}} '
        "and {% include note.html %}here.\n\nUse `{{.Name}}` in templates.\n"
    )
    assert read(src) == [
        ("paragraph", None, "Text kept and here."),
        ("paragraph", None, "Use {{.Name}} in templates."),
    ]


def test_byline_needs_a_byline_shape_and_the_same_date() -> None:
    base = "---\ntitle: T\n{fm}---\n\n{para}\n\nMore.\n"
    not_byline = "June 8, 2021 was the day we shipped it."
    assert read(base.format(fm="", para=not_byline))[1] == ("paragraph", None, not_byline)
    other_date = "June 9, 2021 by Ann"
    blocks = read(base.format(fm="date: 2021-06-08\n", para=other_date))
    assert blocks[1] == ("dateline", None, "2021-06-08")
    assert ("paragraph", None, other_date) in blocks
    assert read(base.format(fm="", para="8 June 2021 — Ann"))[1] == ("dateline", None, "8 June 2021 — Ann")


def test_broken_yaml_front_matter_is_still_not_content() -> None:
    doc = read_doc("---\ntitle: [unclosed\nauthor: x\n---\n\nBody.\n")
    assert [(b.kind, b.text) for b in doc.blocks] == [("paragraph", "Body.")]
    assert doc.metadata == {}


def test_heading_attribute_forms() -> None:
    assert read("## A {#id .cls}\n\n## B {.cls}\n\n## C {: #x}\n") == [
        ("heading", 2, "A"), ("heading", 2, "B"), ("heading", 2, "C"),
    ]


ALIAS_BOMB = "---\ntitle: Boom\na: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [{','.join([f'*{chr(97 + i)}'] * 9)}]\n" for i in range(9)
) + "---\n# Real title\n\nBody text.\n"


def test_front_matter_alias_bomb_is_refused_quickly_and_named() -> None:
    import time

    t = time.perf_counter()
    doc = read_doc(ALIAS_BOMB)
    assert time.perf_counter() - t < 5
    assert [(b.kind, b.text) for b in doc.blocks] == [("title", "Real title"), ("paragraph", "Body text.")]
    assert "a" not in doc.metadata
    [note] = doc.diagnostics
    assert note.code == "front_matter" and note.level == "warning"
    assert note.message.startswith("post.md") and "alias" in note.message and "\n" not in note.message


def test_bad_front_matter_warning_is_one_line_naming_the_file(caplog: pytest.LogCaptureFixture) -> None:
    doc = read_doc("---\ntitle: [unclosed\nauthor: x\n---\nBody.\n")
    assert [b.text for b in doc.blocks] == ["Body."]
    [note] = doc.diagnostics
    assert note.message.startswith("post.md:") and "\n" not in note.message
    assert [r.getMessage() for r in caplog.records] == [note.message]


def test_front_matter_duplicate_key_and_unsafe_tag_are_dropped() -> None:
    for fm in ("title: A\ntitle: B\n", "title: !!python/object:os.system x\n"):
        doc = read_doc(f"---\n{fm}---\nBody.\n")
        assert [b.text for b in doc.blocks] == ["Body."]
        assert doc.metadata == {} and len(doc.diagnostics) == 1


def test_front_matter_dates_stay_strings() -> None:
    doc = read_doc("---\ntitle: T\ndate: 2021-06-08\n---\nBody.\n")
    assert doc.metadata["date"] == "2021-06-08"
    assert not doc.diagnostics


def test_max_bytes_setting() -> None:
    assert MarkdownSettings().max_bytes == 50 * 1024 * 1024
    with pytest.raises(ValueError):
        MarkdownSettings(max_bytes=0)
