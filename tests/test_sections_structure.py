"""Conventions behind section ends: headings the layout leaves implicit, nesting, lists.

Each test is a small document written for the test.
"""

from __future__ import annotations

import textwrap

from plugins.sections.tagger import tag_text

P1 = "The first paragraph says something useful about the topic at hand and goes on for a while."
P2 = "A second paragraph adds more detail, with several clauses, commas, and a full stop at the end."
P3 = "Another paragraph, long enough to be prose rather than a heading, closes this part of the text."

LONG = (
    "Wrapping tools fold every paragraph of a plain text at a fixed width, seventy-two columns "
    "being the usual choice, so that the text reads well in a terminal or an email client, and "
    "they leave alone the lines that must stay whole."
)


def blocks(text: str) -> list[tuple[str, int | None, str]]:
    return [(b.kind, b.level, text[b.start : b.end]) for b in tag_text(text).blocks]


def heads(text: str) -> list[tuple[int | None, str]]:
    return [(lv, s) for k, lv, s in blocks(text) if k == "heading"]


def kinds_of(text: str, kind: str) -> list[str]:
    return [s for k, _, s in blocks(text) if k == kind]


def wrap(s: str) -> str:
    return textwrap.fill(s, 72)


# -- headings the layout leaves implicit -----------------------------------------------------------


def test_unwrapped_line_in_a_wrapped_text_is_a_heading() -> None:
    lead = "Attackers who take over a maintainer account can publish a release that ships malware to every user."
    assert len(lead) > 80
    text = (
        f"A Guide\n\n{wrap(LONG)}\n\n\nProtect the accounts\n\n{lead}\n\n{wrap(LONG)}\n\n"
        f"{wrap(LONG)}\n\n\nReview the changes\n\n{wrap(LONG)}\n\n{wrap(LONG)}\n"
    )
    assert heads(text) == [(2, "Protect the accounts"), (3, lead), (2, "Review the changes")]


def test_unbreakable_long_line_in_a_wrapped_text_stays_text() -> None:
    url = "https://example.org/a/very/long/path/that/no/wrapping/tool/could/break/because/it/has/no/space"
    text = f"A Guide\n\n{wrap(LONG)}\n\n{url}\n\n{wrap(LONG)}\n\n{wrap(LONG)}\n"
    assert heads(text) == []


def test_long_lines_in_an_unwrapped_text_stay_paragraphs() -> None:
    text = f"A Guide\n\n{LONG}\n\n{LONG} Again.\n\n{LONG} Once more.\n"
    assert heads(text) == []
    assert len(kinds_of(text, "paragraph")) == 3


def test_heading_between_paragraphs_of_a_compact_wrapped_text() -> None:
    # no blank lines; the line before the heading is full, so only the heading's own shape shows
    body = (
        "Larger handshakes would affect every connection, not just the ones that\n"
        "would fail. They would mean slower pages for users in exchange for a\n"
        "defence against a threat that has not yet arrived, at a steep price to\n"
        "pay by default when defaults are what actually move security forward.\n"
        "Batch Certificates\n"
        "A different design issues certificates in batches under one signature\n"
        "and has been gaining ground over the past year as a practical way on.\n"
    )
    text = "A Title\n" + wrap(LONG) + "\n" + body
    assert heads(text) == [(2, "Batch Certificates")]
    assert kinds_of(text, "paragraph")[-1].startswith("A different design")


def test_heading_after_a_paragraph_whose_first_line_ends_with_a_colon() -> None:
    # the paragraph goes on after its colon: it does not introduce the short line below it
    para = (
        "There is a page in the browser that lists every blob URL made:\n"
        "chrome://blob-internals/for-this-profile and more."
    )
    text = f"A Guide\n\n{wrap(LONG)}\n\n{para}\n\nFull Example\n\n{wrap(LONG)}\n\n{wrap(LONG)}\n"
    assert para in kinds_of(text, "paragraph")
    assert heads(text) == [(2, "Full Example")]


def test_callout_label_line_is_not_a_heading() -> None:
    text = f"A Guide\n\nSetup\n\n{P1}\n\nExample: Run this worker!\n\nUsage\n\n{P2}\n"
    assert heads(text) == [(2, "Setup"), (2, "Usage")]
    assert "Example: Run this worker!" in kinds_of(text, "paragraph")


def test_unnumbered_line_inside_numbered_sections_is_text() -> None:
    text = (
        f"Spec\n\n1. Scope\n\n{P1}\n\n2. Terms\n\n{P2}\n\nWhat the words mean\n\n{P3}\n\n"
        f"3. Process\n\n{P1}\n\n4. Results\n\n{P2}\n\nReferences\n\n{P3}\n"
    )
    assert [s for _, s in heads(text)] == ["1. Scope", "2. Terms", "3. Process", "4. Results", "References"]
    assert "What the words mean" in kinds_of(text, "paragraph")


def test_question_followed_by_a_heading_is_not_a_heading() -> None:
    text = f"News\n\nOutreach\n\n{P1}\n\nExciting times ahead!\n\nInterop update\n\n{P2}\n\nTeam news\n\n{P3}\n"
    assert [s for _, s in heads(text)] == ["Outreach", "Interop update", "Team news"]


# -- lists -------------------------------------------------------------------------------------


def test_key_value_lines_after_a_colon_are_a_list() -> None:
    text = (
        f"Stats\n\n{P1}\n\nAverage words per meeting:\n\nCargo: 1.9k\n\nLang triage: 3.1k\n\n"
        f"Libs-API: 4.7k\n\n{P2}\n"
    )
    assert kinds_of(text, "list_item") == ["Cargo: 1.9k", "Lang triage: 3.1k", "Libs-API: 4.7k"]
    assert heads(text) == []


def test_indented_note_under_an_item_keeps_the_list() -> None:
    text = (
        f"Links\n\n{P1}\n\nAnnouncing the new release\n\n  Watch the video made by the content team.\n\n"
        f"Help test the new web frontend\n\nThe survey results are out\n\n  Thanks to everyone who answered.\n\n"
        f"Meet the new team members\n\n{P2}\n"
    )
    items = kinds_of(text, "list_item")
    assert items == [
        "Announcing the new release",
        "Watch the video made by the content team.",
        "Help test the new web frontend",
        "The survey results are out",
        "Thanks to everyone who answered.",
        "Meet the new team members",
    ]
    assert heads(text) == []


# -- nesting the layout does not show ----------------------------------------------------------


def test_bare_heading_opens_a_group_in_uniform_layout() -> None:
    text = (
        f"Device Events\n\nIntroduction\n\n{P1}\n\nThe events\n\nOrientation\n\n{P2}\n\nMotion\n\n{P3}\n\n"
        f"Using the orientation events\n\nCheck for support\n\n{P1}\n\nAdd a listener\n\n{P2}\n\n"
        f"Using the motion events\n\n{P3}\n\nResources\n\n{P1}\n\nReferences\n\n{P2}\n"
    )
    assert heads(text) == [
        (2, "Introduction"),
        (2, "The events"),
        (3, "Orientation"),
        (3, "Motion"),
        (2, "Using the orientation events"),
        (3, "Check for support"),
        (3, "Add a listener"),
        (2, "Using the motion events"),  # worded like the bare heading: its sibling
        (2, "Resources"),
        (2, "References"),
    ]


def test_back_matter_after_a_bare_heading_stays_top_level() -> None:
    text = f"Proposal\n\nAbstract\n\n{P1}\n\nVersion History\n\nCopyright\n\n{P2}\n\nFootnotes\n\n{P3}\n"
    assert heads(text) == [(2, "Abstract"), (2, "Version History"), (2, "Copyright"), (2, "Footnotes")]


def test_bare_heading_does_not_nest_headings_set_apart_by_spacing() -> None:
    # every heading has two blank lines before it: the layout says they are all top level
    text = (
        f"Logs\n\n{P1}\n\n\nObjectives\n\n{P2}\n\n\nSystem Architecture\n\n\nStaging and Production\n\n{P3}\n\n\n"
        f"Storage\n\n{P1}\n"
    )
    assert heads(text) == [
        (2, "Objectives"),
        (2, "System Architecture"),
        (2, "Staging and Production"),
        (2, "Storage"),
    ]


def test_bare_heading_nests_within_the_deepest_spacing_level() -> None:
    text = (
        f"Policy\n\n{P1}\n\n\nRationale\n\nGoals\n\n{P2}\n\nRisks\n\nRedistribution\n\n{P3}\n\n"
        f"Testing\n\n{P1}\n\nRejected ideas\n\nKeep the cadence\n\n{P2}\n\n\nCopyright\n\n{P3}\n"
    )
    assert heads(text) == [
        (2, "Rationale"),
        (3, "Goals"),
        (3, "Risks"),
        (4, "Redistribution"),
        (4, "Testing"),
        (3, "Rejected ideas"),
        (4, "Keep the cadence"),
        (2, "Copyright"),
    ]


def test_term_lines_glued_in_a_row_are_a_list_not_a_heading() -> None:
    text = (
        f"Formulas\n\nTelling the story\n\n{P1}\n\n"
        "Gather input: Get the number of visitors in the quarter and the number of days in it\n"
        "Perform work: Divide the number of visitors by the number of days to get the rate, then round the "
        "rate to a whole number\n"
        "Deliver results: Format and present the rate\n\n"
        f"{P2}\n"
    )
    assert heads(text) == [(2, "Telling the story")]
    assert [s.split(":")[0] for s in kinds_of(text, "list_item")] == ["Gather input", "Perform work", "Deliver results"]


def test_short_line_followed_by_its_sentence_in_lower_case_is_not_a_heading() -> None:
    text = (
        f"Headers\n\nHeader fields\n\n{P1}\n\nThe header names the writers, and just:\n\nRandom J. User\n\n"
        "if no address is given. Most writers use their real name, but a different name is fine as long as "
        f"it is the one used in the discussions.\n\nSponsors\n\n{P2}\n"
    )
    assert [s for _, s in heads(text)] == ["Header fields", "Sponsors"]


def test_soft_broken_sentence_after_a_colon_is_one_paragraph() -> None:
    first = (
        "For an average photo there is a very minor, mostly insignificant change in apparent quality "
        "from 100 to 75, but a large difference in size for each step down, so many images look good"
    )
    text = (
        f"Images\n\n{P1}\n\nThe project points out the trade-off:\n\n{first}\n"
        "at quality 75 while being half as large as they would be at quality 95.\n\n"
        f"{P2}\n"
    )
    assert kinds_of(text, "list_item") == []
    assert any(p.startswith("For an average photo") and p.endswith("quality 95.") for p in kinds_of(text, "paragraph"))


def test_wrapped_run_of_code_lines_is_code() -> None:
    code = (
        "type Encoder struct { ... }\n"
        "func NewEncoder(io.Writer, ...Options) *Encoder\n"
        "func (*Encoder) WriteValue(Value) error\n"
        "func (*Encoder) WriteToken(Token) error"
    )
    text = f"API\n\n{wrap(LONG)}\n\n{code}\n\n{wrap(LONG)}\n\n{wrap(LONG)}\n"
    assert kinds_of(text, "code") == [code]


def test_assignment_statements_are_code() -> None:
    code = 'ctx := context.Background()\nb, err := setupBucket(ctx)\nif err != nil {\n\tlog.Fatal(err)\n}'
    text = f"Buckets\n\n{P1}\n\n{code}\n\n{P2}\n"
    assert kinds_of(text, "code") == [code]
    assert kinds_of(text, "list_item") == []


def test_wrapped_line_that_starts_like_a_marker_continues_its_item() -> None:
    items = (
        "   [ISO9999]      Smith, J., Jones, K., Brown, L., Green, M., Li, T., and\n"
        "                  C. Adams, \"A Long Title for a Standard That Needs\",\n"
        "                  June 1999.\n\n"
        "   [ISO1234]      Doe, J., \"Another Standard\", May 2001."
    )
    text = f"Standard\n\n{wrap(LONG)}\n\n{wrap(LONG)}\n\nReferences\n\n{items}\n"
    assert [s.split()[0] for s in kinds_of(text, "list_item")] == ["[ISO9999]", "[ISO1234]"]


def test_numbered_sub_items_after_a_short_item_stay_items() -> None:
    items = "1. Prepare the data\n   1. Clean the rows\n   2. Drop the empty columns\n2. Train the model"
    text = f"Steps\n\n{wrap(LONG)}\n\n{wrap(LONG)}\n\nThe steps are:\n\n{items}\n"
    assert len(kinds_of(text, "list_item")) == 4


def test_numbered_steps_under_an_unnumbered_heading_are_its_subsections() -> None:
    text = (
        f"Sensors\n\nBackground\n\n{P1}\n\nUsing the events\n\n{P2}\n\n1. Check for support\n\n{P3}\n\n"
        f"2. Add a listener\n\n{P1}\n\n3. Handle the event\n\n{P2}\n\nWhat to do next\n\n{P3}\n"
    )
    assert heads(text) == [
        (2, "Background"),
        (2, "Using the events"),
        (3, "1. Check for support"),
        (3, "2. Add a listener"),
        (3, "3. Handle the event"),
        (2, "What to do next"),
    ]


def test_numbered_sections_after_front_matter_are_not_nested() -> None:
    text = (
        f"Paper\n\nAbstract\n\n{P1}\n\n1. Introduction\n\n{P2}\n\n2. Method\n\n{P3}\n\n3. Results\n\n{P1}\n\n"
        f"References\n\n{P2}\n"
    )
    assert {lv for lv, _ in heads(text)} == {2}


def test_long_lines_in_a_partly_wrapped_text_stay_paragraphs() -> None:
    # some paragraphs wrapped, others left on one long line: the long lines are prose
    one_line = "This package provides the core functionality for the library, and it is written in Rust for speed."
    text = (
        f"A Readme\n\n{wrap(LONG)}\n\n{one_line}\n\n{wrap(LONG)}\n\n{one_line} It is fast.\n\n"
        f"{LONG[:60]} and a line\nthat runs on past the width because this text was never really wrapped at all.\n"
    )
    assert heads(text) == []


def test_paragraph_with_an_attribution_line_is_a_quote() -> None:
    said = "A rule that is not enforced is worse than no rule at all."
    text = f"Rules\n\nEnforcing the rules\n\n{P1}\n\n{said}\n\n— Ada Initiative\n\n{P2}\n"
    assert kinds_of(text, "quote") == [said, "— Ada Initiative"]
    assert said not in kinds_of(text, "paragraph")


def test_line_opening_with_a_path_then_sentences_is_prose() -> None:
    endpoint = '/query/: POST {"content": "..."}: submits a question to the server. For this request, the server:'
    steps = "Embeds the question with the model.\nSearches the store for the closest documents.\nAsks the model."
    text = f"Server\n\nEndpoints\n\n{P1}\n\n{endpoint}\n\n{steps}\n\n{P2}\n"
    assert endpoint in kinds_of(text, "paragraph")
    assert len(kinds_of(text, "list_item")) == 3


def test_indented_lines_glued_under_an_item_are_sub_items() -> None:
    items = (
        "The grammar of the language\nMacro expansion\n  Macro-by-example (macro_rules) transcription; hygiene\n"
        "  cfg attributes\n  Procedural macros; attributes and derive\nName resolution"
    )
    text = f"Scope\n\n{P1}\n\nThe specification covers at least these areas:\n\n{items}\n\n{P2}\n"
    got = kinds_of(text, "list_item")
    assert "cfg attributes" in got and "Procedural macros; attributes and derive" in got
    assert len(got) == 6 and kinds_of(text, "quote") == []


def test_indented_block_after_a_blank_line_is_still_a_quote() -> None:
    said = (
        "    We shall not cease from exploration, and the end of all our exploring\n"
        "    will be to arrive where we started."
    )
    text = f"Poems\n\n{P1}\n\n{said}\n\n{P2}\n"
    assert kinds_of(text, "quote") == [said.strip()]


def test_four_numbering_depths_give_four_levels() -> None:
    text = (
        f"Spec\n\n1. Intro\n\n{P1}\n\n2. Method\n\n{P2}\n\n2.1 Keys\n\n{P3}\n\n2.1.1 Groups\n\n{P1}\n\n"
        f"2.1.1.1 Primes\n\n{P2}\n\n2.1.1.2 Generators\n\n{P3}\n\n2.1.2 Checks\n\n{P1}\n"
    )
    assert [lv for lv, _ in heads(text)] == [2, 2, 3, 4, 5, 5, 4]
