"""Is this prose English? A cheap test on function words and script.

English running text has about 40-50 % function words ("the", "of", "and" ...); other languages
written in Latin script share few of them, and non-Latin scripts none (the stop-word profile
method of language identification, e.g. Grefenstette 1995). Short texts with too few words to
judge are given the benefit of the doubt unless they are not in Latin script.
"""

from __future__ import annotations

import re

from plugins.themes.candidates import STOP

_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_FUNCTION = STOP | frozenset("said says new one two its it's which".split())
MIN_WORDS = 12
MIN_FUNCTION_SHARE = 0.12


_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
SAMPLE_CHARS = 4000


def english_share(text: str) -> tuple[int, float, float]:
    """(word count, share of English function words, share of letters in Latin script), judged
    on the first :data:`SAMPLE_CHARS` characters."""
    text = text[:SAMPLE_CHARS]
    words = _WORD_RE.findall(text.lower())
    if not words:
        return 0, 0.0, 0.0
    letters = sum(map(len, words))
    # ASCII text is all Latin script; otherwise count the Latin letters
    latin = letters if text.isascii() else len(_LATIN_RE.findall(text))
    func = sum(map(_FUNCTION.__contains__, words))
    return len(words), func / len(words), min(1.0, latin / letters)


def looks_english(text: str) -> bool:
    """True when ``text`` reads as English (or is too short to tell and in Latin script)."""
    n, func, latin = english_share(text)
    if n == 0:
        return True
    if latin < 0.5:
        return False
    return n < MIN_WORDS or func >= MIN_FUNCTION_SHARE
