"""The themes stage's tokenizer (plugins.themes.text.tokenize, word_runs, word_key).

Numbers with separators stay whole, words keep their combining marks and invisible joiners,
and every token is an exact slice of the document text (spans are offsets into it).
"""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.themes import ThemeExtractor
from plugins.themes.testing import build
from plugins.themes.text import rarity, split_sentences, tag_sentences, tokenize, word_key, word_runs

WILDFIRE = (
    "Wildfire burns 24,000 acres in Idaho\n\nCrews contained 1,650 acres. The 2,000-acre fire spread. "
    "About 13,000 firefighters battled 31,000 fires. It began at 1:08 p.m. Saturday, 3.5 miles away."
)
GLUE = ("\u0301", "\u0308", "\u00ad", "\u200c", "\u200d", "\u2060")


def words(text: str, offset: int = 0) -> list[str]:
    toks = tokenize(text, offset)
    assert_exact_slices(text, toks, offset)
    return [t[0] for t in toks]


def assert_exact_slices(text: str, toks: list[tuple[str, int, int]], offset: int = 0) -> None:
    for tok, start, end in toks:
        assert text[start - offset : end - offset] == tok, (tok, start, end)


def tags(text: str, title_case: bool = False) -> dict[str, str]:
    toks = tokenize(text)
    return {t.text: t.tag for t in tag_sentences(split_sentences(toks, text, 0), title_case=title_case)}


def reference_tags(tokens: list[str]) -> list[str]:
    from textblob.en import parser

    return [tag for _, tag in parser.find_tags(tokens)]


# --- numbers ------------------------------------------------------------------------------------


@pytest.mark.parametrize("number", ["24,000", "1,650", "3.5", "1:08", "10:30", "248,709,873", "2,000-acre"])
def test_number_with_separators_is_one_token(number: str) -> None:
    assert number in words(WILDFIRE + f" Then {number} more.")


def test_wildfire_numbers_are_whole() -> None:
    toks = words(WILDFIRE)
    for number in ("24,000", "1,650", "2,000-acre", "13,000", "31,000", "1:08", "3.5"):
        assert number in toks
    assert not any(t.startswith(("000", "650", "08")) for t in toks), toks
    assert "," in toks and ":" not in toks  # the comma after "Saturday" is still punctuation


def test_numbers_tag_as_textblob_tags_the_whole_token() -> None:
    found = tags(WILDFIRE)
    for number in ("24,000", "1,650", "13,000", "31,000", "1:08", "3.5"):
        assert found[number] == "CD", number
    # TextBlob's rules for an unknown hyphenated word with letters: an adjective
    assert found["2,000-acre"] == reference_tags(["2,000-acre"])[0]
    for sent in split_sentences(tokenize(WILDFIRE), WILDFIRE, 0):
        ws = [t[0] for t in sent]
        assert [t.tag for t in tag_sentences([sent])] == reference_tags(ws), ws


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cats,dogs", ["cats", ",", "dogs"]),
        ("In 1990, 12 people", ["In", "1990", ",", "12", "people"]),
        ("in 2020,and", ["in", "2020", ",", "and"]),
        ("Note: 5 items", ["Note", ":", "5", "items"]),
        ("ratio 3:, then", ["ratio", "3", ":", ",", "then"]),
        ("at 10:30.", ["at", "10:30", "."]),
        ("x,1 and 1,x", ["x", ",", "1", "and", "1", ",", "x"]),
    ],
)
def test_commas_and_colons_join_digits_only(text: str, expected: list[str]) -> None:
    assert words(text) == expected


# --- combining marks and invisible characters ---------------------------------------------------


def test_decomposed_accents_stay_in_the_word() -> None:
    text = "Cafe\u0301 owners in Montre\u0301al protest"
    assert words(text) == ["Cafe\u0301", "owners", "in", "Montre\u0301al", "protest"]
    assert word_key("Montre\u0301al") == "Montréal" == unicodedata.normalize("NFC", "Montre\u0301al")


@pytest.mark.parametrize("glue", GLUE)
def test_glue_characters_stay_inside_a_word(glue: str) -> None:
    text = f"Can{glue}ada and Mex{glue}ico, said O'Bri{glue}en."
    assert words(text) == [f"Can{glue}ada", "and", f"Mex{glue}ico", ",", "said", f"O'Bri{glue}en", "."]
    assert word_runs(f"Mex{glue}ico-Can{glue}ada") == [(0, 7), (8, 15)]


def test_soft_hyphen_and_joiners_are_dropped_from_the_key() -> None:
    assert word_key("Can\u00adada") == word_key("Can\u200dada") == word_key("Can\u2060ada") == "Canada"
    assert word_key("Mex\u200cico") == "Mexico"
    assert word_key("AT&T") == "AT&T" and word_key("Straße") == "Straße"  # case and letters kept


def test_lookups_use_the_key() -> None:
    text = "Trade between Can\u00adada and Mex\u200dico grew in Montre\u0301al."
    plain = "Trade between Canada and Mexico grew in Montréal."
    assert list(tags(text).values()) == list(tags(plain).values())
    assert list(tags(text.upper(), title_case=True).values()) == list(tags(plain.upper(), title_case=True).values())
    assert rarity("Mex\u200dico") == rarity("Mexico") < 1.0
    assert rarity("Cafe\u0301") == rarity("café")


def test_marks_of_other_scripts_stay_in_the_word() -> None:
    assert words("हिन्दी भाषा") == ["हिन्दी", "भाषा"]  # vowel signs and virama are category M


def test_zero_width_space_separates_words_and_is_no_token() -> None:
    assert words("\ufeffMex\u200bico grew") == ["Mex", "ico", "grew"]


def test_offsets_shift_spans() -> None:
    text = "Cafe\u0301 sold 1,650 cups"
    assert tokenize(text, 100) == [(w, s + 100, e + 100) for w, s, e in tokenize(text)]
    words(text, 100)


# --- tokens that must not change ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("COVID-19 hit the U.S. in 2020.", ["COVID-19", "hit", "the", "U.S.", "in", "2020", "."]),
        ("Dr. O'Brien of AT&T said", ["Dr", ".", "O'Brien", "of", "AT&T", "said"]),
        ("the Nasdaq rose 2.1 percent", ["the", "Nasdaq", "rose", "2.1", "percent"]),
        ("South Korea-China ties", ["South", "Korea-China", "ties"]),
        ("Smith's and Jones\u2019s team", ["Smith", "'s", "and", "Jones", "\u2019s", "team"]),
        ("$4.50, or 15% more", ["$", "4.50", ",", "or", "15", "%", "more"]),
        ("12/03/2024 -- state-of-the-art", ["12/03/2024", "-", "-", "state-of-the-art"]),
    ],
)
def test_words_that_tokenised_before_are_unchanged(text: str, expected: list[str]) -> None:
    assert words(text) == expected


# --- every token is a slice of the text ---------------------------------------------------------

ALPHABET = "aZé0 9,:.-'\u2019&/\n\t$%" + "".join(GLUE) + "\u200b\ufeff\u0939\u093f\u094d"


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=ALPHABET, max_size=40), st.integers(0, 1000))
def test_tokens_are_exact_ordered_slices(text: str, offset: int) -> None:
    toks = tokenize(text, offset)
    assert_exact_slices(text, toks, offset)
    pos = offset
    for _, start, end in toks:
        assert start >= pos and end > start
        # only white space, zero-width spaces and byte-order marks fall between tokens
        assert all(c.isspace() or c in "\u200b\ufeff" for c in text[pos - offset : start - offset])
        pos = end
    assert all(c.isspace() or c in "\u200b\ufeff" for c in text[pos - offset :])
    runs = word_runs(text)
    assert all(text[a:b] and text[a].isalnum() for a, b in runs)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="abc019,:. -", max_size=30), st.sampled_from(GLUE))
def test_glue_after_a_letter_never_splits_its_word(text: str, glue: str) -> None:
    """Putting a glue character after every letter changes no word boundary."""
    glued = "".join(c + glue if c.isalpha() else c for c in text)
    assert [w.replace(glue, "") for w in words(glued)] == words(text)


# --- through the stage ----------------------------------------------------------------------------


def test_stage_keyphrases_keep_whole_numbers() -> None:
    doc = build([("title", "Wildfire burns 24,000 acres in Idaho"),
                 ("paragraph", WILDFIRE.split("\n\n", 1)[1])])
    out = ThemeExtractor(ThemeExtractor.Settings()).process(doc)
    out.check()
    phrases = [k for t in out.themes for k in t.keyphrases]
    assert phrases
    for k in phrases:
        assert not k.text.startswith(("000", "650", "08")), k.text
        for a, b in k.mentions:  # no mention starts or ends inside a number
            assert not (out.text[a - 1 : a] in (",", ":") and out.text[a - 2 : a - 1].isdigit()), (k.text, a)
            assert not (out.text[b : b + 1] in (",", ":") and out.text[b + 1 : b + 2].isdigit()), (k.text, b)
