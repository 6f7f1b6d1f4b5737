"""Tokens with character offsets, sentence splitting, part-of-speech tags and word rarity.

Tagging reproduces TextBlob's default rule-based tagger (see :mod:`.brill`: Brill's 1992 lexicon
as ported by Pattern, De Smedt & Daelemans 2012) without importing TextBlob or NLTK. Word rarity
comes from the word counts TextBlob ships for its spelling corrector (Norvig's public-domain
``big.txt`` counts), looked up in place (:mod:`.wordfile`). TextBlob stays a dependency: it ships
both data files.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from functools import lru_cache

from plugins.themes import brill
from plugins.themes.wordfile import SortedWordFile

# A word: letters/digits, with inner hyphens, dots, ampersands or apostrophes ("COVID-19", "2.1",
# "O'Brien", "AT&T"); a trailing possessive "'s" is its own token.
_TOKEN_RE = re.compile(
    r"(?P<abbr>(?:[^\W\d_]\.){2,})"
    r"|(?P<pos>['\u2019][sS]\b)"
    r"|(?P<word>[^\W_]+(?:(?:[-\u2010\u2011\u2013.&/]|['\u2019](?![sS]\b))[^\W_]+)*)"
    r"|(?P<punct>[^\w\s])",
    re.UNICODE,
)
_ABBREV = frozenset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt st jr sr inc corp co ltd vs etc jan feb mar apr "
    "jun jul aug sep sept oct nov dec no fig u.s u.k u.n e.g i.e".split()
)
_SENT_END = frozenset(".!?")
# a "word count" line of en-spelling.txt (anchored on newlines: faster than ^...$ with MULTILINE)
_COUNT_RE = re.compile(rb"\n[^ \n]+ ([0-9]+)(?=\n)")


@dataclass(frozen=True, slots=True)
class Token:
    """One token: its surface text, character span in the document, tag and sentence number."""

    text: str
    start: int
    end: int
    tag: str
    sent: int


def tokenize(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    """Split ``text`` into ``(token, start, end)`` with offsets shifted by ``offset``."""
    out: list[tuple[str, int, int]] = []
    for m in _TOKEN_RE.finditer(text):
        out.append((m.group(0), m.start() + offset, m.end() + offset))
    return out


def split_sentences(toks: list[tuple[str, int, int]], text: str, offset: int) -> list[list[tuple[str, int, int]]]:
    """Group tokens into sentences: a break after ``.!?`` when the next token starts upper case
    (or is not a word) and the word before is not a known abbreviation or a single letter."""
    sents: list[list[tuple[str, int, int]]] = []
    cur: list[tuple[str, int, int]] = []
    n = len(toks)
    for i, tok in enumerate(toks):
        cur.append(tok)
        if tok[0] in _SENT_END and i + 1 < n:
            prev = toks[i - 1][0].lower() if i > 0 else ""
            nxt = toks[i + 1][0]
            if tok[0] == "." and (prev in _ABBREV or (len(prev) == 1 and prev.isalpha())):
                continue
            if nxt[:1].isupper() or nxt[:1] in "\"'\u201c\u2018(" or not nxt[:1].isalnum():
                sents.append(cur)
                cur = []
        elif i + 1 < n and "\n\n" in text[tok[2] - offset : toks[i + 1][1] - offset]:
            sents.append(cur)
            cur = []
    if cur:
        sents.append(cur)
    return sents


@lru_cache(maxsize=1)
def _word_counts() -> tuple[SortedWordFile, float]:
    """The spelling corrector's word counts and log(1 + the largest count)."""
    counts = SortedWordFile(brill.data_path("en-spelling.txt"))
    top = max(map(int, _COUNT_RE.findall(b"\n" + counts.body() + b"\n")), default=0)
    return counts, math.log(top + 1.0)


_RARITY: dict[str, float] = {}


def rarity(word: str) -> float:
    """0 for the most common English word .. 1 for a word absent from the frequency list
    (memoised)."""
    out = _RARITY.get(word)
    if out is None:
        if len(_RARITY) > 200_000:
            _RARITY.clear()
        counts, top = _word_counts()
        count = counts.get(word.lower()) or ""
        out = _RARITY[word] = 1.0 - math.log((int(count) if count.isdigit() else 0) + 1.0) / top
    return out


def tag_sentences(
    sents: list[list[tuple[str, int, int]]], first_sent: int = 0, title_case: bool = False
) -> list[Token]:
    """Tag each sentence with Penn Treebank tags; returns the flat token list.

    :param title_case: the text is a title or heading, where capitals mark words, not names:
        words the lexicon knows in lower case are tagged in lower case.
    """
    lexicon = brill.lexicon()
    out: list[Token] = []
    for k, sent in enumerate(sents):
        words = [t[0] for t in sent]
        if title_case:
            words = [w.lower() if w[:1].isupper() and w.lower() in lexicon else w for w in words]
        for (w, s, e), tag in zip(sent, brill.find_tags(words), strict=True):
            if w[:1] in "'\u2019" and w[1:].lower() == "s":
                tag = "POS"
            out.append(Token(w, s, e, tag, first_sent + k))
    return out


def warm_up() -> None:
    """Open the tagger's lexicon and the word counts now rather than on the first document."""
    brill.lexicon()
    _word_counts()
