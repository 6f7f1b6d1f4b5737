"""Is this prose English? A cheap test on function words and script.

English running text has about 40-50 % function words ("the", "of", "and" ...); other languages
written in Latin script share few of them, and non-Latin scripts none (the stop-word profile
method of language identification, e.g. Grefenstette 1995). The function words of the other
common Latin-script languages (:data:`FOREIGN_FUNCTION`: German, French, Spanish, Italian,
Portuguese, Dutch) count against English, which decides short texts ("Die Regierung plant neue
Steuern.") where the English share alone says little, and single sentences of another language
inside English prose (:func:`foreign_sentence`). Letters with diacritics are a further sign in
short texts. A short text with no sign either way is given the benefit of the doubt unless it
is not in Latin script.
"""

from __future__ import annotations

import re

from plugins.themes.lexical import STOP

_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_FUNCTION = STOP | frozenset("said says new one two its it's which".split())
MIN_WORDS = 12
MIN_FUNCTION_SHARE = 0.12


_LATIN_RE = re.compile(r"[A-Za-z\u00c0-\u024f]")
SAMPLE_CHARS = 4000
# Function words of German, French, Spanish, Italian, Portuguese and Dutch, leaving out those
# that are English words too or start English names ("die", "den", "an", "was", "will", "also",
# "al", "da", "del", "son", "sin", "per" ...). A generic list, not learned from any data set.
FOREIGN_FUNCTION = frozenset(
    """der das und ist nicht mit dem des ein eine einen einem einer zu auf für von auch wird
    werden sind nach bei oder wie aus noch über durch sich wir ich er sie neue neuen neues dass
    daß haben kann im vom zum zur ihre sein seine
    le la les du et une dans pour pas sur avec qui au aux cette ces sont très été mais où nous
    vous ils elle leur à ont être sa ses
    el los las y es por con para una que como más pero sus muy está fue han ser sobre también
    entre cuando hay
    il di che è della non sono gli nel dei delle alla anche questo questa
    não são uma mais ao dos das pelo pela em
    het een van en niet zijn voor ook wordt naar bij aan maar nog door worden deze dit heeft
    hij zij wij de""".split()
)
_FOREIGN_ANY_CASE = frozenset(f(w) for w in FOREIGN_FUNCTION for f in (str.lower, str.capitalize, str.upper))
MIN_FOREIGN = 2
MIN_KNOWN_SHARE = 0.5
# a short text with this share of words carrying letters with diacritics and few English
# function words is not English ("Le café de Zoë est très joli.")
MIN_ACCENTED_SHARE = 0.25
_ACCENTED_RE = re.compile(r"[\u00c0-\u024f]")


def english_share(text: str) -> tuple[int, float, float]:
    """(word count, share of English function words, share of letters in Latin script), judged
    on the first :data:`SAMPLE_CHARS` characters."""
    n, func, _, _, latin = _profile(text)
    return n, func / n if n else 0.0, latin


def _profile(text: str) -> tuple[int, int, int, int, float]:
    """(words, English function words, foreign function words, words with diacritics, share of
    letters in Latin script) of the first :data:`SAMPLE_CHARS` characters."""
    text = text[:SAMPLE_CHARS]
    words = _WORD_RE.findall(text.lower())
    if not words:
        return 0, 0, 0, 0, 0.0
    letters = sum(map(len, words))
    func = sum(map(_FUNCTION.__contains__, words))
    foreign = sum(map(FOREIGN_FUNCTION.__contains__, words))
    if text.isascii():  # ASCII text is all Latin script, without diacritics
        return len(words), func, foreign, 0, 1.0
    latin = len(_LATIN_RE.findall(text))
    accented = sum(1 for w in words if _ACCENTED_RE.search(w))
    return len(words), func, foreign, accented, min(1.0, latin / letters)


def looks_english(text: str) -> bool:
    """True when ``text`` reads as English, or is too short to tell and in Latin script.

    Not English: mostly other scripts; more function words of other languages than of English
    (at least :data:`MIN_FOREIGN`); or, in a text of :data:`MIN_WORDS` words or more, few
    English function words. A short text (at least three words) with no English function word
    is not English when it has a foreign function word or many words with diacritics and the
    English lexicon knows fewer than half of its words.
    """
    n, func, foreign, accented, latin = _profile(text)
    if n == 0:
        return True
    if latin < 0.5:
        return False
    if foreign >= MIN_FOREIGN and foreign > func:
        return False
    if n >= MIN_WORDS:
        return func / n >= MIN_FUNCTION_SHARE
    if n >= 3 and func == 0 and (foreign or accented / n >= MIN_ACCENTED_SHARE):
        # a name particle ("Charles de Gaulle Airport") or a loan word ("Café") is no sign
        # when most words are English ones
        return known_share(text) >= MIN_KNOWN_SHARE
    return True


def known_share(text: str) -> float:
    """Share of the words of ``text`` (at most :data:`SAMPLE_CHARS` characters) that the
    tagger's English lexicon knows, as written or lower-cased."""
    from plugins.themes.brill import lexicon  # the tagger's lexicon, loaded by the analysis anyway

    lx = lexicon()
    words = _WORD_RE.findall(text[:SAMPLE_CHARS])
    if not words:
        return 1.0
    return sum(1 for w in words if lx.get(w) is not None or lx.get(w.lower()) is not None) / len(words)


def foreign_sentence(words: list[str]) -> bool:
    """A sentence (its tokens as written) in another language than English: at least
    :data:`MIN_FOREIGN` function words of other languages and more than of English, or (as for
    a short text, see :func:`looks_english`) one, no English one, and mostly words the English
    lexicon does not know ("Die Regierung plant neue Steuern.")."""
    if not any(map(_FOREIGN_ANY_CASE.__contains__, words)):  # the common case, without lowering
        return False
    lowered = [w.lower() for w in words]
    foreign = sum(map(FOREIGN_FUNCTION.__contains__, lowered))
    func = sum(map(_FUNCTION.__contains__, lowered))
    if foreign >= MIN_FOREIGN:
        return foreign > func
    return func == 0 and len(words) >= 3 and known_share(" ".join(words)) < MIN_KNOWN_SHARE
