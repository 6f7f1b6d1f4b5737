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
import unicodedata
from functools import lru_cache
from typing import NamedTuple

from plugins.themes import brill
from plugins.themes.wordfile import SortedWordFile

# A word: letters/digits, with inner hyphens, dots, ampersands or apostrophes ("COVID-19", "2.1",
# "O'Brien", "AT&T") and commas or colons between digits ("24,000", "1:08", "2,000-acre"); a
# trailing possessive "'s" is its own token. Zero-width spaces and byte-order marks are not tokens.
_SEP = r"(?:[-\u2010\u2011\u2013.&/]|['\u2019](?![sS]\b)|(?<=\d)[,:](?=\d))"
_SKIP = "\u200b\ufeff"


def _token_pattern(glue: str = "") -> re.Pattern[str]:
    """The token regex; ``glue``: extra characters (a regex class body) that continue a word."""
    run = r"[^\W_]+" if not glue else rf"[^\W_](?:[^\W_]|[{glue}])*"
    letter = r"[^\W\d_]" if not glue else rf"[^\W\d_][{glue}]*"
    return re.compile(
        rf"(?P<abbr>(?:{letter}\.){{2,}})"
        r"|(?P<pos>['\u2019][sS]\b)"
        rf"|(?P<word>{run}(?:{_SEP}{run})*)"
        rf"|(?P<punct>[^\w\s{_SKIP}])",
        re.UNICODE,
    )


_TOKEN_RE = _token_pattern()
# Characters that are part of the word they sit in although Python's regex \w does not match
# them: combining marks (category M: decomposed accents, Indic vowel signs; found per text, as
# ``re`` has no \p{M}) and these invisible ones (soft hyphen, zero-width non-joiner and joiner,
# word joiner). Lookups drop the invisible ones and NFC-normalise (:func:`word_key`).
_INVISIBLE = "\u00ad\u200c\u200d\u2060"
_DROP_INVISIBLE = str.maketrans("", "", _INVISIBLE)
_ODD_CHAR_RE = re.compile(r"[^\w\s\x00-\x7f]")  # non-ASCII, neither word character nor space
_ABBREV = frozenset(
    "mr mrs ms dr prof sen rep gov gen col lt sgt st jr sr inc corp co ltd vs etc jan feb mar apr "
    "jun jul aug sep sept oct nov dec no fig u.s u.k u.n e.g i.e".split()
)
_SENT_END = frozenset(".!?")
# a "word count" line of en-spelling.txt (anchored on newlines: faster than ^...$ with MULTILINE)
_COUNT_RE = re.compile(rb"\n[^ \n]+ ([0-9]+)(?=\n)")


class Token(NamedTuple):
    """One token: its surface text, character span in the document, tag and sentence number.

    A named tuple (immutable, like the frozen dataclass it was): a document makes one per word
    and punctuation mark, and a tuple is built about twice as fast.
    """

    text: str
    start: int
    end: int
    tag: str
    sent: int


def tokenize(text: str, offset: int = 0) -> list[tuple[str, int, int]]:
    """Split ``text`` into ``(token, start, end)`` with offsets shifted by ``offset``.

    Tokens are never changed: ``text[start - offset:end - offset] == token``. A word keeps the
    combining marks and invisible joiners inside it (compare words by :func:`word_key`).
    """
    pattern = _TOKEN_RE if text.isascii() else _pattern_for(text)
    return [(m.group(0), m.start() + offset, m.end() + offset) for m in pattern.finditer(text)]


def _pattern_for(text: str) -> re.Pattern[str]:
    """The token regex for a non-ASCII text: the plain one unless the text has word glue."""
    glue = _glue_in(text)
    return _glued_patterns(glue)[0] if glue else _TOKEN_RE


def _glue_in(text: str) -> str:
    """The distinct combining marks and invisible joiners in ``text``, sorted."""
    odd = set(_ODD_CHAR_RE.findall(text))
    return "".join(sorted(c for c in odd if c in _INVISIBLE or unicodedata.category(c)[0] == "M"))


@lru_cache(maxsize=64)
def _glued_patterns(glue: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    """The token regex and the word-run regex for a text with these glue characters."""
    body = re.escape(glue)
    return _token_pattern(body), re.compile(rf"[^\W_](?:[^\W_]|[{body}])*")


_RUN_RE = re.compile(r"[^\W_]+")


def word_runs(text: str) -> list[tuple[int, int]]:
    """Spans ``(start, end)`` in ``text`` of its letter/digit runs ("South Korea-China" has
    three, "24,000" two), each with the combining marks and invisible joiners inside it, as in
    :func:`tokenize` ("Montre\u0301al" is one run). Compare runs by :func:`word_key`."""
    glue = "" if text.isascii() else _glue_in(text)
    pattern = _glued_patterns(glue)[1] if glue else _RUN_RE
    return [m.span() for m in pattern.finditer(text)]


def word_key(word: str) -> str:
    """The form of a token to look up or compare: NFC-normalised, without soft hyphens,
    zero-width (non-)joiners or word joiners ("Montre\u0301al" and "Mex\u00adico" give
    "Montréal" and "Mexico"). Case is kept."""
    if word.isascii():
        return word
    return unicodedata.normalize("NFC", word.translate(_DROP_INVISIBLE))


def split_sentences(toks: list[tuple[str, int, int]], text: str, offset: int) -> list[list[tuple[str, int, int]]]:
    """Group tokens into sentences: a break after ``.!?`` when the next token starts upper case
    (or is not a word) and the word before is not a known abbreviation or a single letter, and
    at a blank line between tokens."""
    if "\n\n" in text:
        return _split_at_ends_and_blank_lines(toks, text, offset)
    # No blank line: breaks can only follow one of the few ".!?" tokens, so only those are
    # looked at and the sentences are slices.
    sents: list[list[tuple[str, int, int]]] = []
    n = len(toks)
    begin = 0
    for i in [i for i, tok in enumerate(toks) if tok[0] in _SENT_END]:
        if i + 1 < n and _ends_sentence(toks, i):
            sents.append(toks[begin : i + 1])
            begin = i + 1
    if begin < n:
        sents.append(toks[begin:])
    return sents


def _ends_sentence(toks: list[tuple[str, int, int]], i: int) -> bool:
    """Does the ``.!?`` token ``i`` (not the last) end its sentence?"""
    prev = toks[i - 1][0].lower() if i > 0 else ""
    if toks[i][0] == "." and (prev in _ABBREV or (len(prev) == 1 and prev.isalpha())):
        return False
    nxt = toks[i + 1][0]
    return nxt[:1].isupper() or nxt[:1] in "\"'\u201c\u2018(" or not nxt[:1].isalnum()


def _split_at_ends_and_blank_lines(
    toks: list[tuple[str, int, int]], text: str, offset: int
) -> list[list[tuple[str, int, int]]]:
    sents: list[list[tuple[str, int, int]]] = []
    cur: list[tuple[str, int, int]] = []
    n = len(toks)
    for i, tok in enumerate(toks):
        cur.append(tok)
        if tok[0] in _SENT_END and i + 1 < n:
            if _ends_sentence(toks, i):
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
RARITY_MEMO_LIMIT = 50_000  # words remembered before the memo is dropped (bounds a worker's memory)


def rarity(word: str) -> float:
    """0 for the most common English word .. 1 for a word absent from the frequency list
    (looked up by :func:`word_key`, lower-cased; memoised)."""
    out = _RARITY.get(word)
    if out is None:
        if len(_RARITY) >= RARITY_MEMO_LIMIT:
            _RARITY.clear()
        counts, top = _word_counts()
        count = counts.find(word_key(word).lower()) or ""  # memoised here, as the rarity
        out = _RARITY[word] = 1.0 - math.log((int(count) if count.isdigit() else 0) + 1.0) / top
    return out


def rarities(words: list[str]) -> list[float]:
    """:func:`rarity` of each word (a dict lookup, not a call, per word already seen)."""
    get = _RARITY.get
    return [r if (r := get(w)) is not None else rarity(w) for w in words]


def tag_sentences(
    sents: list[list[tuple[str, int, int]]], first_sent: int = 0, title_case: bool = False
) -> list[Token]:
    """Tag each sentence with Penn Treebank tags; returns the flat token list.

    :param title_case: the text is a title or heading, where capitals mark words, not names:
        words the lexicon knows in lower case are tagged in lower case.
    """
    lexicon = brill.lexicon()
    out: list[Token] = []
    append = out.append
    for k, sent in enumerate(sents, first_sent):
        words = [t[0] if t[0].isascii() else word_key(t[0]) for t in sent]
        if title_case:
            words = [w.lower() if w[:1].isupper() and w.lower() in lexicon else w for w in words]
        for (w, s, e), tag in zip(sent, brill.find_tags(words), strict=True):
            if w[:1] in "'\u2019" and w[1:].lower() == "s":
                tag = "POS"
            append(Token(w, s, e, tag, k))
    return out


def warm_up() -> None:
    """Open the tagger's lexicon and the word counts now rather than on the first document."""
    brill.lexicon()
    _word_counts()
