"""What the candidate code needs to know of a token's text, worked out once per distinct text.

A news article repeats most of its words and a batch repeats most of its vocabulary, so the
facts about a token text (its letter/digit runs and their stems, whether it can be part of a
candidate, whether it dates, how it is shown) are memoised in one bounded dict rather than
recomputed per token (or kept in one memo per fact, which costs a dict entry each).
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache
from typing import Any

from plugins.themes.text import word_key, word_runs

# Words never inside a candidate even when the tagger calls them nouns or adjectives.
STOP = frozenset(
    """a about above after again against all also although am an and any are as at be because been
    before being below between both but by can could did do does doing down during each either
    few for from further had has have having he her here hers herself him himself his how i if in
    into is it its itself just let many me might more most much must my myself neither no nor not
    now of off on once only or other others our ours ourselves out over own per same several she
    should so some such than that the their theirs them themselves then there these they this
    those through to too under until up upon us very via was we were what whatever when where
    whether which while who whom whose why will with within without would yet you your yours
    yourself yourselves mr mrs ms dr everyone everybody someone somebody anyone anybody nobody
    everything something anything nothing none""".split()
)

# Adjectives that date or count rather than describe ("recent years", "new phase"): never part of
# a candidate (the stop-list idea of KEA, Frank et al. 1999, applied to modifiers).
FILLER_MODIFIERS = frozenset(
    """new recent past last next current former latest previous various several many certain
    other same further overall whole entire own such additional particular possible likely
    similar different""".split()
)

# Dating words (generic English calendar and clock words): they say when, not what, so they never
# start or end a candidate ("clashed Thursday", "home Monday night", "issued Friday"). Calendar
# names (capitalised: "May" is left out, it is also a name) are trimmed from both edges; times of
# day only from the end ("night shift" keeps its head).
CALENDAR_NAMES = frozenset(
    """Monday Tuesday Wednesday Thursday Friday Saturday Sunday Mon Tue Tues Wed Thu Thur Thurs Fri
    January February March April June July August September October November December Jan Feb
    Apr Aug Sep Sept Oct Nov Dec""".split()
)
TIMES_OF_DAY = frozenset(
    """night nights morning mornings afternoon afternoons evening evenings tonight today yesterday
    tomorrow noon midnight weekend weekends overnight a.m. p.m. a.m p.m""".split()
)
CALENDAR, TIME_OF_DAY = 1, 2

# Distinct token texts remembered before the memo is dropped: bounds a worker's memory in a
# long batch (the 914 documents of the three keyphrase sets hold about 31,000 distinct texts).
WORD_MEMO_LIMIT = 50_000
STEM_MEMO_LIMIT = 50_000


class Word:
    """The facts about one token text (see :func:`word`).

    A class with slots rather than a named tuple: the hot loops read these by attribute, and a
    slot is read faster than a named tuple's field.
    """

    __slots__ = ("stems", "runs", "starts", "ends", "ok", "ok_jj", "dating", "letter", "digits", "caps", "key",
                 "lower", "key_caps", "acronym")

    def __init__(self, text: str) -> None:
        # Tens of thousands of these live in a worker: equal strings and offset tuples are
        # shared rather than kept once per word (_shared, and the same object where two
        # forms are equal).
        spans = word_runs(text)
        self.runs = tuple(text[a:b] for a, b in spans)  # the letter/digit runs as written
        self.starts = _shared(tuple(a for a, _ in spans))  # run offsets in the token text
        self.ends = _shared(tuple(b for _, b in spans))
        key = self.key = word_key(text)  # shown NFC, without soft hyphens or joiners
        lower = key.lower()
        lower = self.lower = key if lower == key else lower
        # Snowball stem of each run's word_key (see stem; not through its memo: this object is
        # the memo of the token text)
        stems = [_stemmer().stemWord(word_key(w).lower()) for w in self.runs]
        self.stems = tuple(lower if st == lower else st for st in stems)
        # may be in a candidate: holds a letter or digit and is no stop word; tagged JJ, also
        # no filler modifier ("new", "recent")
        self.ok = any(ch.isalnum() for ch in text) and lower not in STOP
        self.ok_jj = self.ok and lower not in FILLER_MODIFIERS
        self.dating = CALENDAR if key in CALENDAR_NAMES else TIME_OF_DAY if lower in TIMES_OF_DAY else 0
        self.letter = any(ch.isalpha() for ch in text)
        self.digits = "".join(self.stems).isdigit()  # its runs are all digits
        self.caps = text[:1].isupper()  # as written
        self.key_caps = key[:1].isupper()
        self.acronym = len(key) > 1 and key.isupper()


_WORDS: dict[str, Word] = {}
_OFFSETS: dict[tuple[int, ...], tuple[int, ...]] = {}


def _shared(offsets: tuple[int, ...]) -> tuple[int, ...]:
    """One tuple object per distinct run-offset tuple (most words are ``(0,)``, ``(n,)``)."""
    if len(_OFFSETS) >= 10_000:
        _OFFSETS.clear()
    return _OFFSETS.setdefault(offsets, offsets)


def word(text: str) -> Word:
    """The :class:`Word` facts of a token text (memoised by text, up to
    :data:`WORD_MEMO_LIMIT` texts)."""
    out = _WORDS.get(text)
    if out is None:
        if len(_WORDS) >= WORD_MEMO_LIMIT:
            _WORDS.clear()
        out = _WORDS[text] = Word(text)
    return out


def words(texts: Sequence[str]) -> list[Word]:
    """:func:`word` of each text (one dict lookup per known text)."""
    get = _WORDS.get
    return [get(t) or word(t) for t in texts]


_STEM_CACHE: dict[str, str] = {}


@lru_cache(maxsize=1)
def _stemmer() -> Any:
    import Stemmer  # type: ignore[import-not-found]  # PyStemmer (no stubs); on first use: registration stays cheap

    return Stemmer.Stemmer("english")


def stem(word: str) -> str:
    """Snowball English (Porter2) stem of a word, lower-cased (memoised).

    Stems with PyStemmer, the C build of the Snowball stemmers (M. Porter, "The English (Porter2)
    stemming algorithm", snowballstem.org): the same stems as the pure-Python ``snowballstemmer``,
    an order of magnitude faster, which matters for a worker that starts cold.
    """
    out = _STEM_CACHE.get(word)
    if out is None:
        if len(_STEM_CACHE) >= STEM_MEMO_LIMIT:
            _STEM_CACHE.clear()
        out = _STEM_CACHE[word] = _stemmer().stemWord(word.lower())
    return out
