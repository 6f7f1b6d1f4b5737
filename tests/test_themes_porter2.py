"""The theme stage's own Porter2 stemmer gives the stems of the reference implementation."""

from __future__ import annotations

import importlib.util
import itertools
import re
from pathlib import Path

import pytest

from plugins.themes.porter2 import stem

snowballstemmer = pytest.importorskip("snowballstemmer")

_SUFFIXES = ("", "s", "es", "ies", "ied", "ed", "ing", "ingly", "edly", "eed", "eedly", "ly", "li",
             "ness", "ful", "fulness", "ation", "ational", "tional", "ize", "izer", "ization", "ive",
             "ative", "ement", "ment", "ion", "ogi", "ogist", "lessli", "y", "ying", "able", "ably",
             "ibl", "alism", "ousli", "iviti", "biliti", "entli", "icate", "iciti", "ical", "e", "ll")
_STEMS = ("past", "gener", "inter", "univers", "emerg", "organ", "later", "commun", "arsen", "succ",
          "proc", "exc", "cann", "inn", "out", "even", "herr", "earr", "d", "l", "t", "hop", "fil",
          "bl", "at", "iz", "a", "e", "o", "ab", "ee", "sky", "ski", "ugl", "lay", "say", "boy",
          "happ", "tr", "cr", "rel", "condit", "nat", "sens", "geolog", "pol", "y", "yo")


def _textblob_words() -> set[str]:
    """Every word of the English data files shipped in the textblob package."""
    spec = importlib.util.find_spec("textblob")
    if spec is None or not spec.submodule_search_locations:
        return set()
    words: set[str] = set()
    for path in sorted((Path(next(iter(spec.submodule_search_locations))) / "en").glob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="ignore").lower()
        words.update(re.findall(r"[^\W_]+", text))
    return words


def test_matches_snowballstemmer_word_for_word() -> None:
    reference = snowballstemmer.stemmer("english")
    words = {a + b for a, b in itertools.product(_STEMS, _SUFFIXES)}
    words |= {"news", "skies", "dying", "lying", "succeeded", "proceeding", "inning", "outing",
              "'tis", "dog's", "dogs'", "yyy", "sayyy", "", "a", "ab", "covid-19", "2.1", "naïve"}
    words |= _textblob_words()
    assert len(words) > 1000
    wrong = [(w, stem(w), reference.stemWord(w)) for w in sorted(words) if stem(w) != reference.stemWord(w)]
    assert wrong == []
