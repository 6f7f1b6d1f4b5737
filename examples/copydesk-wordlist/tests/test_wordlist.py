"""Tests of the wordlist stage, written with copydesk's fixtures for plugin authors."""

from copydesk_wordlist import WordlistTagger

from pipeline.testing import check_stage_contract

pytest_plugins = ["pipeline.testing"]

TEXT = "# Notes\n\nAn intro.\n\n## Brewing\n\nWe brew Coffee daily.\n\n## Tea\n\nGreen tea, no coffeehouse."


def test_tags_the_sections_that_mention_a_word(make_document, run_stage):
    out = run_stage(WordlistTagger, make_document(TEXT), {"words": ["coffee"]})
    tags = {s.heading: s.tags for s in out.sections}
    assert "mentions:coffee" in tags["Brewing"]
    assert "mentions:coffee" not in tags["Tea"]  # "coffeehouse" is not the whole word


def test_case_sensitive_matching(make_document, run_stage):
    out = run_stage(WordlistTagger, make_document(TEXT), {"words": ["coffee"], "case_sensitive": True})
    assert all("mentions:coffee" not in s.tags for s in out.sections)


def test_stage_contract():
    check_stage_contract(WordlistTagger, {"words": ["coffee", "water"]})
