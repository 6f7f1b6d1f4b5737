"""Hard-wrapped prose (newswire and typewriter style) is never cut into headings or a title.

Wire copy opens each paragraph with an indented line and wraps the rest at the margin; a first
line whose dateline was cut off is short. Each test is a small document written for the test.
"""

from __future__ import annotations

from plugins.sections.lines import ends_mid_clause
from plugins.sections.tagger import tag_text

# paragraphs open with three spaces; the first line lost its dateline ("RIVERTON (AP) _ ")
WIRE = """\
Engineers in the city of Riverton said on
Tuesday that the old river bridge would close for repairs next
spring, after inspectors found rust on two of its steel supports.
   The repairs are expected to take about eight months and to cost
$4.2 million, most of it paid by the state transportation fund,
officials said.
   Commuters who cross the river each morning will be sent to the
Northern Avenue bridge, which the city widened last year to carry
more traffic.
   $350 a month in extra fuel is what some delivery firms expect
to spend while the detour lasts, according to a survey by the
Riverton chamber of commerce.
   Residents of the east bank said they had been asking for the
work for years and welcomed the decision, although several shop
owners worried about lost trade.
"""


def blocks(text: str) -> list[tuple[str, str]]:
    return [(b.kind, text[b.start : b.end]) for b in tag_text(text).blocks]


def paragraphs_of(text: str) -> list[str]:
    """The text's paragraphs: each starts at a line opening a paragraph, ends before the next."""
    return [p.strip() for p in text.replace("\n   ", "\n\x00").split("\x00")]


def test_wire_copy_without_blank_lines_is_paragraphs_only() -> None:
    got = blocks(WIRE)
    assert [k for k, _ in got] == ["paragraph"] * 5
    assert [s for _, s in got] == paragraphs_of(WIRE)
    assert tag_text(WIRE).title is None


def test_wire_copy_with_blank_lines_is_paragraphs_only() -> None:
    text = WIRE.replace("\n   ", "\n\n   ")
    got = blocks(text)
    assert [k for k, _ in got] == ["paragraph"] * 5
    assert got[1][1].startswith("The repairs") and got[1][1].endswith("officials said.")


def test_an_indented_opener_goes_on_at_the_margin_in_any_text() -> None:
    # one paragraph alone (no document-wide evidence): its first line stops mid-sentence and
    # the next line goes on in lower case, or the next word would not have fitted
    tail = (
        "as the census figures for the county show once the count is done,\n"
        "and the board will have to draw the lines of its districts again.\n"
    )
    text = (
        "   The group contends that counting every resident of the county or\n"
        "most of them will shift seats from one district to another,\n" + tail
    )
    assert blocks(text) == [("paragraph", text.strip())]
    text = (
        "   Officials of the county board said the new maps would be ready by\n"
        "November 1, well before the filing deadline for the candidates,\n" + tail
    )
    assert blocks(text) == [("paragraph", text.strip())]


def test_a_centred_heading_glued_to_a_paragraph_stays_a_heading() -> None:
    text = (
        "Notes on the Bridge\n"
        "\n"
        "The old bridge was built in 1921 and carried a tram line until the\n"
        "war, when the rails were taken up and the deck was paved over.\n"
        "\n"
        "   Repairs\n"
        "Inspectors found rust on two of the steel supports last autumn and\n"
        "asked the city to close the bridge for a season of repairs.\n"
    )
    got = blocks(text)
    assert ("heading", "Repairs") in got


def test_a_real_heading_in_wire_copy_stays_a_heading() -> None:
    text = WIRE + "\nTraffic Plan\n\n" + WIRE.split("\n   ", 1)[1].replace("The repairs", "   The repairs", 1)
    got = blocks(text)
    assert [s for k, s in got if k == "heading"] == ["Traffic Plan"]
    assert sum(1 for k, _ in got if k == "paragraph") == 9


def test_an_indented_numbered_item_goes_on_at_the_margin() -> None:
    text = WIRE + (
        "   The council agreed on three points at the meeting:\n"
        "   1. To keep the northern bridge open at night while the old\n"
        "bridge is closed, with a police patrol at both ends.\n"
        "   2. To pay for extra buses from the fund set aside for the\n"
        "repairs, as the transport committee had asked in March.\n"
        "   3. To report on the works to the council every month.\n"
    )
    got = blocks(text)
    assert not [s for k, s in got if k in ("heading", "title")]
    items = [s for k, s in got if k == "list_item"]
    assert len(items) == 3
    assert items[0].endswith("at both ends.")


def test_a_paragraph_running_into_a_rule_is_not_an_underlined_heading() -> None:
    text = WIRE + (
        "\n"
        "   The bridge will close in April and reopen before the end of the\n"
        "year if the weather allows the painters to finish the work on\n"
        "time.\n"
        " ------------------------------------------------\n"
        "   The painters will start on the northern side of the bridge and\n"
        "work their way south, one span at a time, until the spring.\n"
    )
    assert not [s for k, s in blocks(text) if k == "heading"]
    start = text.index("The bridge will")
    assert ("paragraph", text[start : text.index("time.") + 5]) in blocks(text)


def test_a_first_paragraph_of_one_long_sentence_is_not_a_title() -> None:
    first = (
        "Engineers said on Tuesday that the old river bridge would close for repairs next spring, "
        "after inspectors found rust on two of its steel supports.;"
    )
    text = first + "\n\nThe repairs are expected to take about eight months, officials said.;\n"
    assert tag_text(text).title is None
    assert blocks(text)[0] == ("paragraph", first)


def test_a_headline_that_ends_with_an_exclamation_stays_a_title() -> None:
    text = "Get back in shape this summer with the swimsuit that works as a slimming suit!\n"
    assert tag_text(text).title is not None


def test_a_line_opening_with_an_amount_is_prose_not_code() -> None:
    text = "$9 million bequest offers stability to the city orchestra\n\nThe gift was announced on Friday.\n"
    assert blocks(text)[0][0] == "title"


def test_a_short_first_line_cut_inside_a_clause_is_not_a_title() -> None:
    # paragraphs not indented, blank lines between them; the first line ends with "the"
    text = "Police in Riverton said the\n" + WIRE.split("\n", 1)[1].replace("\n   ", "\n\n")
    got = blocks(text)
    assert tag_text(text).title is None
    assert got[0] == ("paragraph", text[: text.index("supports.") + 9])
    assert not [s for k, s in got if k == "heading"]


def test_lines_that_end_inside_a_clause() -> None:
    assert ends_mid_clause("Engineers inspected the steel supports of the")
    assert ends_mid_clause("A study of")
    assert not ends_mid_clause("Results and discussion")
    assert not ends_mid_clause("Plan A")  # a capital letter, not the article
    assert not ends_mid_clause("Moving on")


def test_a_paragraph_with_a_hanging_indent_is_one_block() -> None:
    # a bibliographic abstract: the title, then the abstract, each wrapped with a hanging indent
    title = "Rust on river bridges"
    abstract = (
        "We report on a survey of the steel supports of forty river bridges built before the\n"
        "\tsecond world war and find that most of the rust forms where water collects\n"
        "\tunder the deck"
    )
    text = title + "\n" + abstract + "\n"
    got = blocks(text)
    assert got == [("title", title), ("paragraph", abstract)]


def test_short_lines_indented_under_a_short_line_are_not_a_hanging_indent() -> None:
    text = (
        "The survey covered three kinds of bridge:\n"
        "\n"
        "Steel bridges built before the war\n"
        "  riveted decks; open trusses\n"
        "  welded decks\n"
        "\n"
        "Each kind is described below, with the repairs it needed.\n"
    )
    got = blocks(text)
    assert ("paragraph", "Steel bridges built before the war\n  riveted decks; open trusses") not in got
    assert not [s for k, s in got if k == "paragraph" and "riveted" in s and "Steel" in s]


def test_a_table_row_above_a_rule_is_not_a_heading() -> None:
    text = WIRE + (
        " ----------------------------------------------\n"
        "                 CLOSING DATES\n"
        " ----------------------------------------------\n"
        "Old bridge              April 3       November 28\n"
        "Northern bridge         open          open\n"
        " ----------------------------------------------\n"
    )
    got = blocks(text)
    assert not [s for k, s in got if k == "heading" and "bridge" in s]


ABSTRACT = (
    "We report on a survey of the steel supports of forty river bridges built before the\n"
    "\tsecond world war and find that most of the rust forms where water collects\n"
    "\tunder the deck, not where the paint is thinnest"
)


def test_a_title_wrapped_with_a_hanging_indent_is_the_title() -> None:
    title = "Where rust forms on the steel supports of old river bridges: a survey of\n\tforty bridges"
    text = title + "\n" + ABSTRACT + "\n"
    res = tag_text(text)
    assert res.title == "Where rust forms on the steel supports of old river bridges: a survey of forty bridges"
    assert blocks(text) == [("title", title), ("paragraph", ABSTRACT)]


def test_a_full_title_line_is_not_run_into_a_hanging_abstract() -> None:
    # the title line is as long as the abstract's lines, so the next word would not have fitted
    title = "Where rust forms on the steel supports of river bridges built before the war"
    text = title + "\n" + ABSTRACT + "\n"
    assert blocks(text) == [("title", title), ("paragraph", ABSTRACT)]
