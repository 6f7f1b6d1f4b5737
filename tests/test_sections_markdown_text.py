"""Markdown-style text that arrives as plain text: ``#`` marks at line start are headings.

The level is the number of marks, as the Markdown reader gives it; the title is a lone first
``#`` heading; the marks are not part of the title, the heading blocks or the section headings.
Each test is a small document written for the test.
"""

from __future__ import annotations

from pipeline import Document
from plugins.sections import SectionTagger
from plugins.sections.tagger import tag_text

REPORT = (
    "# Economy\n"
    "\n"
    "The economy grew by two percent last year, the statistics office said on Monday.\n"
    "\n"
    "## Trade\n"
    "\n"
    "Exports rose faster than imports, helped by a weaker currency and steady demand.\n"
    "\n"
    "## Jobs ##\n"
    "\n"
    "Unemployment fell to its lowest level in a decade.\n"
    "\n"
    "### Wages\n"
    "\n"
    "Wages rose by three percent, a little faster than prices.\n"
    "\n"
    "## Outlook\n"
    "\n"
    "The office expects growth to slow next year.\n"
)


def heads(text: str) -> list[tuple[int | None, str]]:
    return [(b.level, text[b.start : b.end]) for b in tag_text(text).blocks if b.kind == "heading"]


def test_marks_give_the_title_and_heading_levels() -> None:
    res = tag_text(REPORT)
    assert res.title == "Economy"
    title = res.blocks[0]
    assert (title.kind, REPORT[title.start : title.end]) == ("title", "Economy")
    assert heads(REPORT) == [(2, "Trade"), (2, "Jobs"), (3, "Wages"), (2, "Outlook")]
    assert "no-headings" not in res.notes


def test_the_stage_reports_headings_and_clean_section_names() -> None:
    out = SectionTagger().process(Document(id="d", text=REPORT))
    assert out.metadata["title"] == "Economy"
    assert [d.code for d in out.diagnostics if d.code in ("no-headings", "no-title")] == []
    assert [(s.heading, s.level) for s in out.sections if s.heading] == [
        ("Trade", 2),
        ("Jobs", 2),
        ("Wages", 3),
        ("Outlook", 2),
    ]
    wages = next(s for s in out.sections if s.heading == "Wages")
    jobs = next(s for s in out.sections if s.heading == "Jobs")
    assert wages.parent == jobs.id
    out.check()


def test_level_is_the_number_of_marks_without_a_title() -> None:
    text = REPORT.replace("# Economy\n\n", "", 1).replace("## ", "### ").replace("#### ", "##### ")
    assert tag_text(text).title is None
    assert heads(text) == [(3, "Trade"), (3, "Jobs"), (5, "Wages"), (3, "Outlook")]


def test_two_top_level_marks_are_headings_not_a_title() -> None:
    text = "# Part One\n\nThe first part of the text.\n\n# Part Two\n\nThe second part of the text.\n"
    assert tag_text(text).title is None
    assert heads(text) == [(1, "Part One"), (1, "Part Two")]


def test_headings_in_a_row_stay_headings() -> None:
    text = "# Report\n\n## Trade\n\n## Jobs\n\n## Wages\n\nWages rose by three percent last year.\n"
    assert heads(text) == [(2, "Trade"), (2, "Jobs"), (2, "Wages")]


def test_a_hash_without_a_space_is_text() -> None:
    text = "Notes\n\nThe #1 priority this year is the bridge, said the mayor.\n\n#bridges #repairs\n"
    assert heads(text) == []
