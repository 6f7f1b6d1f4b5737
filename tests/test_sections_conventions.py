"""Layout conventions of plain text: each test is a small document written for the test."""

from __future__ import annotations

from plugins.sections.tagger import tag_text

P1 = "The first paragraph says something useful about the topic at hand and goes on for a while."
P2 = "A second paragraph adds more detail, with several clauses, commas, and a full stop at the end."
P3 = "Another paragraph, long enough to be prose rather than a heading, closes this part of the text."


def blocks(text: str) -> list[tuple[str, int | None, str]]:
    return [(b.kind, b.level, text[b.start : b.end]) for b in tag_text(text).blocks]


def heads(text: str) -> list[tuple[int | None, str]]:
    return [(lv, s) for k, lv, s in blocks(text) if k == "heading"]


def kinds_of(text: str, kind: str) -> list[str]:
    return [s for k, _, s in blocks(text) if k == kind]


# -- header: title, dateline, bylines ------------------------------------------------------------


def test_dateline_before_title() -> None:
    t = tag_text(f"March 3, 2021\nA Title Here\n\n{P1}\n")
    assert [b.kind for b in t.blocks][:3] == ["dateline", "title", "paragraph"]
    assert t.title == "A Title Here" and t.date == "2021-03-03"


def test_dateline_after_title_with_blank() -> None:
    t = tag_text(f"A Title Here\n\n3 March 2021\n\n{P1}\n")
    assert [b.kind for b in t.blocks][:3] == ["title", "dateline", "paragraph"]
    assert t.date == "2021-03-03"


def test_byline_is_dateline_not_title() -> None:
    text = f"Why We Did It\n\nBy Ann Lee and Bo Chan | May 1, 2018\n\n{P1}\n"
    t = tag_text(text)
    assert t.title == "Why We Did It"
    assert t.date == "2018-05-01"
    assert kinds_of(text, "dateline") == ["By Ann Lee and Bo Chan | May 1, 2018"]


def test_posted_on_byline() -> None:
    text = f"Sprint Summary\nPosted on May 18, 2020 by Jack Huey\n\n{P1}\n"
    assert kinds_of(text, "title") == ["Sprint Summary"]
    assert tag_text(text).date == "2020-05-18"


def test_iso_and_weekday_dates() -> None:
    assert tag_text(f"2024-10-21\nRelease Notes\n\n{P1}\n").date == "2024-10-21"
    assert tag_text(f"Release Notes\n\nMonday, June 29, 2020\n\n{P1}\n").date == "2020-06-29"


def test_ambiguous_date_kept_as_dateline_without_date() -> None:
    t = tag_text(f"Release Notes\n03/04/2020\n\n{P1}\n")
    assert [b.kind for b in t.blocks][:2] == ["title", "dateline"]
    assert t.date is None
    assert "ambiguous-date" in t.notes


def test_no_title_when_text_starts_with_prose() -> None:
    t = tag_text(f"{P1} {P2}\n\n{P3}\n")
    assert t.title is None
    assert "no-title" in t.notes


# -- spacing -------------------------------------------------------------------------------------


def test_two_blank_lines_mark_top_headings() -> None:
    text = f"Title\n\n{P1}\n\n\nTop One\n\nSub One\n\n{P2}\n\nSub Two\n\n{P3}\n\n\nTop Two\n\n{P1}\n"
    assert heads(text) == [(2, "Top One"), (3, "Sub One"), (3, "Sub Two"), (2, "Top Two")]


def test_three_blank_lines_mark_top_headings() -> None:
    text = f"Title\n\n{P1}\n\n\n\nTop One\n\nSub One\n\n{P2}\n\n\n\nTop Two\n\n{P3}\n"
    assert heads(text) == [(2, "Top One"), (3, "Sub One"), (2, "Top Two")]


def test_uniform_spacing_flat_headings() -> None:
    text = f"Title\n\n{P1}\n\nFirst Part\n\n{P2}\n\nSecond Part\n\n{P3}\n"
    assert heads(text) == [(2, "First Part"), (2, "Second Part")]


def test_heading_glued_to_paragraph() -> None:
    text = f"Title\n\n{P1}\n\nGlued Heading\n{P2}\n\nAnother Glued One\n{P3}\n"
    assert [s for _, s in heads(text)] == ["Glued Heading", "Another Glued One"]
    assert P2 in kinds_of(text, "paragraph")


def test_no_blank_lines_at_all() -> None:
    text = f"Title\n{P1}\nFirst Part\n{P2}\n{P3}\nSecond Part\n{P1}\n"
    assert [s for _, s in heads(text)] == ["First Part", "Second Part"]
    assert len(kinds_of(text, "paragraph")) == 4


# -- heading shapes ------------------------------------------------------------------------------


def test_all_caps_headings_vs_caps_words_in_prose() -> None:
    text = f"Title\n\n{P1}\n\nTHE PROBLEM\n\nWe use NASA and the FBI as EXAMPLES of CAPS in prose here.\n\n{P2}\n"
    assert [s for _, s in heads(text)] == ["THE PROBLEM"]


def test_all_caps_top_level_only() -> None:
    text = f"Title\n\n{P1}\n\nBIG PART\n\n{P2}\n\nSmall part\n\n{P3}\n\nNEXT PART\n\n{P1}\n"
    assert heads(text) == [(2, "BIG PART"), (3, "Small part"), (2, "NEXT PART")]


def test_numbered_headings_give_levels() -> None:
    text = (
        f"Title\n\n{P1}\n\n1. Introduction\n\n{P2}\n\n2. Methods\n\n{P3}\n\n2.1 Data\n\n{P1}\n\n"
        f"2.1.1 Cleaning\n\n{P2}\n\n3. Results\n\n{P3}\n"
    )
    assert heads(text) == [
        (2, "1. Introduction"),
        (2, "2. Methods"),
        (3, "2.1 Data"),
        (4, "2.1.1 Cleaning"),
        (2, "3. Results"),
    ]


def test_roman_and_letter_numbering() -> None:
    text = f"Title\n\n{P1}\n\nI. Background\n\n{P2}\n\nII. Proposal\n\n{P3}\n"
    assert [s for _, s in heads(text)] == ["I. Background", "II. Proposal"]


def test_numbered_list_items_are_not_headings() -> None:
    text = f"Title\n\n{P1}\n\n1. Collect input\n2. Perform work\n3. Deliver results\n\n{P2}\n"
    assert heads(text) == []
    assert kinds_of(text, "list_item") == ["1. Collect input", "2. Perform work", "3. Deliver results"]


def test_underlined_headings() -> None:
    text = f"Title\n\n{P1}\n\nMain Part\n=========\n\n{P2}\n\nDetail\n------\n\n{P3}\n"
    assert heads(text) == [(2, "Main Part"), (3, "Detail")]
    assert not any("===" in s or "---" in s for _, _, s in blocks(text))


def test_question_heading_vs_question_in_prose() -> None:
    text = (
        f"Title\n\n{P1}\n\nWhy does this matter?\n\n{P2}\n\n"
        "Is it hard? Not really, once you see how the parts fit together in the end.\n\n"
        f"{P3}\n"
    )
    assert [s for _, s in heads(text)] == ["Why does this matter?"]


def test_colon_line_introduces_list_not_heading() -> None:
    text = f"Title\n\n{P1}\n\nThe steps are:\n\n- one thing\n- another thing\n\n{P2}\n"
    assert heads(text) == []
    assert kinds_of(text, "list_item") == ["- one thing", "- another thing"]


def test_heading_anchor_suffix() -> None:
    text = f"Title\n\n{P1}\n\nWhat is new {{/whats-new/}}\n\n{P2}\n"
    assert [s for _, s in heads(text)] == ["What is new {/whats-new/}"]


# -- paragraphs, lists, quotes, code, tables -----------------------------------------------------

WRAPPED = (
    "Title\n\n"
    "This paragraph has been hard-wrapped at about seventy-two columns, so\n"
    "that every line is short; the tagger must join the lines back into a\n"
    "single block instead of treating each one as a separate paragraph.\n\n"
    "A second wrapped paragraph follows here, also hard-wrapped at the same\n"
    "width as the first one, and it ends after its second line right here.\n\n"
    "Short Heading\n\n"
    "A third paragraph is here, hard-wrapped as well, with enough words in\n"
    "it to make the wrapping obvious to anyone who reads the raw text file.\n"
)


def test_wrapped_paragraphs_joined() -> None:
    paras = kinds_of(WRAPPED, "paragraph")
    assert len(paras) == 3
    assert paras[0].startswith("This paragraph") and paras[0].endswith("separate paragraph.")
    assert [s for _, s in heads(WRAPPED)] == ["Short Heading"]


def test_list_markers() -> None:
    for marker in ("-", "*", "•", "1.", "1)"):
        text = f"Title\n\n{P1}\n\n{marker} alpha item\n{marker} beta item\n{marker} gamma item\n\n{P2}\n"
        assert len(kinds_of(text, "list_item")) == 3, marker


def test_unmarked_list_after_colon() -> None:
    text = f"Title\n\n{P1}\n\nThe team members are:\n\nAnn Lee\nBo Chan\nCy Diaz\n\n{P2}\n"
    assert kinds_of(text, "list_item") == ["Ann Lee", "Bo Chan", "Cy Diaz"]
    assert heads(text) == []


def test_wrapped_list_item_continuation() -> None:
    text = (
        "Title\n\n"
        "A paragraph that introduces the list, hard-wrapped at seventy-two\n"
        "columns like the rest of this little document, with a colon after:\n\n"
        "-  The first item is long enough that it has to wrap onto a second\n"
        "   line, indented under the text of the item.\n"
        "-  The second item is short.\n\n"
        "A closing paragraph that is also hard-wrapped at seventy-two columns\n"
        "and therefore spans two lines of the file for the joiner to handle.\n"
    )
    items = kinds_of(text, "list_item")
    assert len(items) == 2 and items[0].endswith("item.")


def test_gt_quote() -> None:
    text = f"Title\n\n{P1}\n\n> Quoted wisdom from someone.\n> Still the same quote.\n\n{P2}\n"
    assert kinds_of(text, "quote") == ["> Quoted wisdom from someone.\n> Still the same quote."]


def test_indented_prose_quote() -> None:
    text = f"Title\n\n{P1}\n\n    A quoted sentence from a famous person, indented by four spaces.\n\n{P2}\n"
    assert len(kinds_of(text, "quote")) == 1


def test_indented_code() -> None:
    text = f"Title\n\n{P1}\n\n    def f(x):\n        return x + 1\n\n{P2}\n"
    assert kinds_of(text, "code") == ["def f(x):\n        return x + 1"]


def test_fenced_code_with_blank_lines() -> None:
    text = f"Title\n\n{P1}\n\n```\nfirst = 1\n\nsecond = 2\n```\n\n{P2}\n"
    code = kinds_of(text, "code")
    assert len(code) == 1 and "second = 2" in code[0]


def test_unindented_code_with_open_braces_spans_blank_lines() -> None:
    text = f"Title\n\n{P1}\n\nfunction f(x) {{\n  var y = x;\n\n  return y;\n}}\n\n{P2}\n"
    code = kinds_of(text, "code")
    assert len(code) == 1 and code[0].endswith("}")


def test_tab_and_pipe_tables() -> None:
    tab = f"Title\n\n{P1}\n\nName\tAge\nAnn\t31\nBo\t42\n\n{P2}\n"
    assert kinds_of(tab, "table") == ["Name\tAge\nAnn\t31\nBo\t42"]
    pipe = f"Title\n\n{P1}\n\n| Name | Age |\n| Ann | 31 |\n\n{P2}\n"
    assert len(kinds_of(pipe, "table")) == 1


# -- paginated text (RFC style) ------------------------------------------------------------------

RFC = (
    "Network Working Group                                          A. Author\n"
    "Request for Comments: 9999                                   Example Inc.\n"
    "Category: Informational                                        June 2020\n"
    "\n\n"
    "                     A Protocol for Testing Taggers\n"
    "\n"
    "Abstract\n"
    "\n"
    "   This document describes a protocol.  It is only an example written for\n"
    "   a unit test of the section tagger and has no other purpose at all.\n"
    "\n"
    "1.  Introduction\n"
    "\n"
    "   The introduction is a paragraph that continues over a page break, so\n"
    "   that the tagger has to keep the two parts of it together in one\n"
    "\n\n\n"
    "Author                        Informational                     [Page 1]\n"
    "\f\n"
    "RFC 9999                  Testing Taggers                      June 2020\n"
    "\n\n"
    "   block even though the page furniture sits in the middle of it.\n"
    "\n"
    "1.1.  Terminology\n"
    "\n"
    "   Terms are defined here in a short paragraph that ends the example.\n"
    "\n\n"
    "Author                        Informational                     [Page 2]\n"
)


def test_rfc_page_furniture_and_headings() -> None:
    bl = blocks(RFC)
    assert [s for k, _, s in bl if k == "title"] == ["A Protocol for Testing Taggers"]
    assert [(lv, s) for k, lv, s in bl if k == "heading"] == [
        (2, "Abstract"),
        (2, "1.  Introduction"),
        (3, "1.1.  Terminology"),
    ]
    others = [s for k, _, s in bl if k == "other"]
    assert others[0].startswith("Network Working Group")
    assert others[-1].endswith("[Page 2]")
    # the paragraph split by the page break is one block spanning the furniture
    split = [s for k, _, s in bl if k == "paragraph" and s.startswith("The introduction")]
    assert len(split) == 1 and split[0].endswith("middle of it.") and "[Page 1]" in split[0]
    assert not any(k == "other" and "[Page 1]" in s for k, _, s in bl)


# -- further conventions -------------------------------------------------------------------------


def test_glued_short_lines_are_list_items() -> None:
    text = f"Title\n\n{P1}\n\nCollect input\nPerform work\nDeliver results\n\n{P2}\n"
    assert kinds_of(text, "list_item") == ["Collect input", "Perform work", "Deliver results"]
    assert heads(text) == []


def test_soft_broken_prose_lines_are_one_paragraph() -> None:
    long_line = P2[:-1] + ", and then it goes on well past one hundred characters."
    text = f"Title\n\n{P1}\n\n{long_line}\n{P3}\n\n{P1}\n"
    assert f"{long_line}\n{P3}" in kinds_of(text, "paragraph")


def test_ragged_wrapped_paragraph_is_joined() -> None:
    text = (
        f"Title\n\n{P1}\n\nThe Web Workers specification defines\nan API for spawning background "
        "scripts in your web application. Web\nworkers allow you to do things like\n"
        "fire up long-running scripts without blocking the page.\n\n" + ("x " * 40 + "\n") * 3
    )
    paras = kinds_of(text, "paragraph")
    assert any(p.startswith("The Web Workers") and p.endswith("the page.") for p in paras)
    assert heads(text) == []


def test_quotation_line_is_a_quote_but_dialogue_is_prose() -> None:
    text = f'Title\n\n{P1}\n\n"Borrow checking is hard to learn at first."\n\n"Yes," said he, "it is."\n\n{P2}\n'
    assert kinds_of(text, "quote") == ['"Borrow checking is hard to learn at first."']
    assert '"Yes," said he, "it is."' in kinds_of(text, "paragraph")


def test_reference_entries_are_list_items() -> None:
    text = f"Title\n\n{P1}\n\nReferences\n\n[RFC2119]  Bradner, S., Key words.\n\n[2]  Some other paper.\n"
    assert len(kinds_of(text, "list_item")) == 2
    assert [s for _, s in heads(text)] == ["References"]


def test_http_exchange_is_code() -> None:
    text = f"Title\n\n{P1}\n\nGET /cors HTTP/1.1\nOrigin: http://api.bob.com\nHost: api.alice.com\n\n{P2}\n"
    assert kinds_of(text, "code") == ["GET /cors HTTP/1.1\nOrigin: http://api.bob.com\nHost: api.alice.com"]


def test_captions_and_attributions_are_not_headings() -> None:
    text = f"Title\n\n{P1}\n\nFigure 3 - Average sizes\n\n{P2}\n\n— Ada Lovelace\n\n{P3}\n"
    assert heads(text) == []


def test_field_header_pep_style() -> None:
    text = "PEP: 9999\nTitle: A Field Header\nAuthor: Someone\nCreated: 21-Oct-2009\n\n\nAbstract\n========\n\n" + P1
    t = tag_text(text)
    assert t.title == "A Field Header" and t.date == "2009-10-21"
    bl = blocks(text)
    assert [k for k, _, _ in bl][:4] == ["other", "title", "other", "dateline"]
    assert [s for k, _, s in bl if k == "heading"] == ["Abstract"]


def test_multiline_caps_title_and_byline_block() -> None:
    text = f"A LONG TITLE\nOR\nA SUBTITLE\n\n\nBY\nSOME AUTHOR\n\n\n\nCHAPTER I: THE START\n\n{P1}\n"
    bl = blocks(text)
    assert bl[0] == ("title", 1, "A LONG TITLE\nOR\nA SUBTITLE")
    assert bl[1] == ("other", None, "BY\nSOME AUTHOR")
    assert [s for k, _, s in bl if k == "heading"] == ["CHAPTER I: THE START"]


def test_run_of_title_like_lines_without_text_is_a_list() -> None:
    text = f"Title\n\n{P1}\n\nWorth a look\n\nFirst Linked Post\n\nSecond Linked Post\n\nThird Linked Post\n\n{P2}\n"
    items = ["Worth a look", "First Linked Post", "Second Linked Post", "Third Linked Post"]
    assert kinds_of(text, "list_item") == items


def test_line_glued_under_a_paragraph_is_not_a_heading() -> None:
    text = f"Title\n\n{P1}\n\n{P2}\nShort Trailing Line\n\n{P3}\n"
    assert heads(text) == []


def test_markdown_atx_headings_in_plain_text() -> None:
    # the marks are left out of the span (as the Markdown reader leaves them out of the text)
    text = f"Title\n\n{P1}\n\n## Part One\n\n{P2}\n\n### Detail\n\n{P3}\n\n## Part Two\n\n{P1}\n"
    assert heads(text) == [(2, "Part One"), (3, "Detail"), (2, "Part Two")]
