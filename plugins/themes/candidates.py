"""Candidate keyphrases: noun phrases found with part-of-speech patterns, grouped by variant.

Candidates are the word sequences matching ``(JJ | NN* | VBN | VBG | CD)* NN*`` inside a sentence
(Hulth 2003, "Improved automatic keyword extraction given more linguistic knowledge"; the same
pattern as Boudin 2016, ``pke``), and every sub-sequence of such a chunk that ends in a noun, so
both "bilateral relations" and "South Korea China bilateral relations" compete. Variants (case,
plural and inflection, "South Korea-China" vs "South Korea China") share one key: the sequence
of Snowball English (Porter2) stems of the letter/digit runs of the words, possessive
dropped. Every occurrence of that stem sequence in the prose becomes a mention span.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from plugins.themes.text import Token, word_key, word_runs

NOUN = frozenset({"NN", "NNS", "NNP", "NNPS"})
COMMON_NOUN = frozenset({"NN", "NNS"})
PROPER_NOUN = frozenset({"NNP", "NNPS"})
MODIFIER = frozenset({"JJ", "VBN", "VBG", "CD", "NNP", "NN", "NNS", "NNPS"})
FIRST_KIND = {"JJ": 1, "VBN": 2, "VBG": 2, "CD": 3}
# Single words outside the noun-phrase pattern that may still be keyphrases (crowd-sourced news
# gold, e.g. 500N-KPCrowd, is full of them: "nominated", "upcoming" ...), by kind: 1 adjective,
# 2 verb. Candidates from noun phrases are kind 0. Adverbs were tried as kind 3: they cost
# cross-validated F1 on all three training sets.
WORD_KIND = {"JJ": 1, "JJR": 1, "JJS": 1, "VB": 2, "VBD": 2, "VBG": 2, "VBN": 2, "VBP": 2, "VBZ": 2}
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


_DATING: dict[str, int] = {}


def dating_kind(text: str) -> int:
    """:data:`CALENDAR` for a weekday or month name, :data:`TIME_OF_DAY` for a time of day, else 0
    (memoised by token text)."""
    out = _DATING.get(text)
    if out is None:
        if len(_DATING) > 200_000:
            _DATING.clear()
        word = word_key(text)
        out = CALENDAR if word in CALENDAR_NAMES else TIME_OF_DAY if word.lower() in TIMES_OF_DAY else 0
        _DATING[text] = out
    return out


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
        if len(_STEM_CACHE) > 200_000:
            _STEM_CACHE.clear()
        out = _STEM_CACHE[word] = _stemmer().stemWord(word.lower())
    return out


@dataclass(slots=True)
class Parts:
    """The letter/digit runs ("parts") of a token list, as parallel lists indexed by part.

    A token has one part per run ("South Korea-China" has three; a possessive "'s" none), so
    the parts of token ``t`` are ``first[t]:first[t + 1]``.
    """

    stem: list[str] = field(default_factory=list)
    word: list[str] = field(default_factory=list)  # the run as written
    start: list[int] = field(default_factory=list)  # character span in the document
    end: list[int] = field(default_factory=list)
    token: list[int] = field(default_factory=list)  # index into the token list
    sent: list[int] = field(default_factory=list)
    first: list[int] = field(default_factory=list)  # per token and one past the last: first part

    def __len__(self) -> int:
        return len(self.stem)


class Candidate:
    """One keyphrase candidate (all variants of one stem sequence).

    A plain class with slots rather than a dataclass: a document makes hundreds, and the
    generated ``__init__`` with default factories costs twice as much.
    """

    __slots__ = ("key", "first_surface", "n_words", "first_kind", "first_span", "surfaces", "chunk_hits",
                 "maximal_hits", "final_hits", "cap_hits", "prose_hits", "proper", "mentions", "mention_parts",
                 "word_kind")

    def __init__(self, key: tuple[str, ...], first_surface: str, n_words: int, first_kind: int,
                 first_span: tuple[int, int], word_kind: int = 0) -> None:
        self.key = key
        self.first_surface = first_surface
        self.n_words = n_words
        self.first_kind = first_kind  # 0 noun, 1 adjective, 2 participle, 3 number
        self.first_span = first_span  # token range [a, b) of the first chunk occurrence
        self.word_kind = word_kind  # 0 noun phrase; a single 1 adjective, 2 verb
        self.surfaces: dict[str, float] = {}  # cased form -> weight
        self.chunk_hits = 0  # occurrences as (part of) a noun-phrase chunk
        self.maximal_hits = 0  # occurrences as a whole chunk
        self.final_hits = 0  # occurrences ending a chunk (its last word is a head noun there)
        self.cap_hits = 0  # chunk occurrences in prose with every word capitalised
        self.prose_hits = 0  # chunk occurrences in prose (not title/heading)
        self.proper = True  # every token tagged NNP(S) in every chunk occurrence
        self.mentions: list[tuple[int, int]] = []
        self.mention_parts: list[int] = []  # index of the first part of each mention

    def __repr__(self) -> str:
        return f"Candidate({self.key!r}, {self.first_surface!r})"


@dataclass(frozen=True, slots=True)
class WordSets:
    """The words of a candidate's first occurrence, for grouping (:mod:`.grouping`)."""

    noun_stems: frozenset[str]  # stems of the words tagged as nouns
    common_stems: frozenset[str]  # stems of the words tagged as common nouns
    words: tuple[str, ...]  # stems by word: a lower-case compound ("high-level") is one


_TOKEN_CACHE: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...], tuple[int, ...]]] = {}


def _token_runs(text: str) -> tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...], tuple[int, ...]]:
    """(stems, runs, starts, ends) of the letter/digit runs of a token text, offsets relative to
    the token (:func:`plugins.themes.text.word_runs`: combining marks and invisible joiners stay
    inside a run; each run is stemmed in its :func:`~plugins.themes.text.word_key` form).
    Memoised by text."""
    out = _TOKEN_CACHE.get(text)
    if out is None:
        if len(_TOKEN_CACHE) > 200_000:
            _TOKEN_CACHE.clear()
        spans = word_runs(text)
        runs = tuple(text[a:b] for a, b in spans)
        out = _TOKEN_CACHE[text] = (
            tuple(stem(word_key(w)) for w in runs), runs, tuple(a for a, _ in spans), tuple(b for _, b in spans)
        )
    return out


_NO_RUNS: tuple[tuple[str, ...], tuple[str, ...], tuple[int, ...], tuple[int, ...]] = ((), (), (), ())


def split_parts(tokens: list[Token]) -> Parts:
    """The parts of a tagged token list (see :class:`Parts`)."""
    get = _TOKEN_CACHE.get
    runs = [
        _NO_RUNS if tok.tag == "POS" else (get(tok.text) or _token_runs(tok.text)) for tok in tokens
    ]
    first = [0]
    n = 0
    for r in runs:
        n += len(r[0])
        first.append(n)
    return Parts(
        stem=[st for r in runs for st in r[0]],
        word=[w for r in runs for w in r[1]],
        start=[tok.start + a for tok, r in zip(tokens, runs, strict=True) for a in r[2]],
        end=[tok.start + b for tok, r in zip(tokens, runs, strict=True) for b in r[3]],
        token=[ti for ti, r in enumerate(runs) for _ in r[0]],
        sent=[tok.sent for tok, r in zip(tokens, runs, strict=True) for _ in r[0]],
        first=first,
    )


_WORD_OK: dict[str, bool] = {}


def _is_word(text: str, tag: str) -> bool:
    low = word_key(text).lower()
    if tag == "JJ" and low in FILLER_MODIFIERS:
        return False
    ok = _WORD_OK.get(text)
    if ok is None:
        if len(_WORD_OK) > 200_000:
            _WORD_OK.clear()
        ok = _WORD_OK[text] = any(ch.isalnum() for ch in text) and low not in STOP
    return ok


def _vbg_ok(tags: list[str], j: int, i: int) -> bool:
    """A gerund modifies a noun ("emerging industries", "harbour dredging plan") only before a
    common noun, after a determiner, adjective or noun."""
    if j + 1 >= len(tags) or tags[j + 1] not in COMMON_NOUN:
        return False
    if j == i:
        return j > 0 and tags[j - 1] in ("DT", "PRP$", "POS", "JJ")
    return tags[j - 1] in ("JJ", "NN", "NNS")


def chunks(tokens: list[Token]) -> list[tuple[int, int]]:
    """Maximal candidate chunks as token index ranges ``[i, j)`` ending in a noun."""
    tags = [t.tag for t in tokens]
    sent = [t.sent for t in tokens]
    ok = [tag in MODIFIER and _is_word(t.text, tag) for t, tag in zip(tokens, tags, strict=True)]
    return _chunks(tags, sent, ok, [dating_kind(t.text) for t in tokens])


def _chunks(tags: list[str], sent: list[int], ok: list[bool], dating: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    i, n = 0, len(tags)
    while i < n:
        if not ok[i]:
            i += 1
            continue
        j = i
        si = sent[i]
        while (
            j < n
            and ok[j]
            and sent[j] == si
            and (tags[j] != "VBG" or _vbg_ok(tags, j, i))
            # a participle after a plural noun is a verb: "visits allowed leaders"
            and not (tags[j] == "VBN" and j > i and tags[j - 1] == "NNS")
        ):
            j += 1
        if j == i:
            i += 1
            continue
        end = j
        while end > i and tags[end - 1] not in NOUN:
            end -= 1
        # "engagements signal a ...": a singular noun after a plural one and before a
        # determiner is a verb the lexicon tagged as a noun.
        if (
            end == j
            and end - i >= 2
            and j < n
            and tags[j] in ("DT", "PRP$")
            and tags[end - 1] == "NN"
            and tags[end - 2] == "NNS"
        ):
            end -= 1
        # dating words off the edges (see CALENDAR_NAMES), then back to a head noun again
        while end > i and (dating[end - 1] or tags[end - 1] not in NOUN):
            end -= 1
        start = i
        while start < end and dating[start] == CALENDAR:
            start += 1
        if end > start:
            out.append((start, end))
        i = j
    return out


def collect(
    tokens: list[Token], prose_token: list[bool], max_words: int, single_words: bool = True
) -> tuple[Parts, dict[tuple[str, ...], Candidate]]:
    """Build the parts and the candidates of a tagged token list.

    :param prose_token: per token, whether it lies in body prose (not a title or heading).
    :param max_words: the longest candidate, in words.
    :param single_words: also make candidates of single adjectives and verbs
        (:data:`WORD_KIND`) that no noun phrase already covers.
    """
    parts = split_parts(tokens)
    first = parts.first
    p_stem = parts.stem
    tags = [t.tag for t in tokens]
    sent = [t.sent for t in tokens]
    ok = [tag in MODIFIER and _is_word(t.text, tag) for t, tag in zip(tokens, tags, strict=True)]
    get_dating = _DATING.get
    dating = [d if (d := get_dating(t.text)) is not None else dating_kind(t.text) for t in tokens]

    # Sentence-initial and title-case (title, heading) forms say little about case.
    initial = _sentence_initials(tokens)
    cands: dict[tuple[str, ...], Candidate] = {}
    for i, j in _chunks(tags, sent, ok, dating):
        # per token of the chunk: stems, display form, digits only, capitalised
        keys = []
        cased = []
        digits = []
        caps = []
        for t in range(i, j):
            tok_key = tuple(p_stem[first[t] : first[t + 1]])
            keys.append(tok_key)
            digits.append("".join(tok_key).isdigit())  # stems are never empty
            cased.append(_cased(tokens[t], prose_token[t], initial[t]))
            caps.append(tokens[t].text[:1].isupper())
        for a in range(i, j):
            if (tags[a] == "CD" and a + 1 < j and tags[a + 1] == "CD") or dating[a] == CALENDAR:
                continue
            prose = prose_token[a]
            weight = 1.0 if prose and not initial[a] else 0.01
            key: tuple[str, ...] = ()
            digits_only = True
            proper = True
            capitalised = True
            for b in range(a + 1, min(j, a + max_words) + 1):
                off = b - 1 - i
                tag = tags[b - 1]
                key += keys[off]
                if digits_only:
                    digits_only = digits[off]
                if proper and tag not in PROPER_NOUN:
                    proper = False
                if capitalised and not caps[off]:
                    capitalised = False
                if tag not in NOUN or digits_only or dating[b - 1]:
                    continue
                surface = " ".join(cased[a - i : off + 1])
                c = cands.get(key)
                if c is None:
                    c = cands[key] = Candidate(key, surface, b - a, FIRST_KIND.get(tags[a], 0), (a, b))
                c.surfaces[surface] = c.surfaces.get(surface, 0.0) + weight
                c.chunk_hits += 1
                if b == j:
                    c.final_hits += 1
                    if a == i:
                        c.maximal_hits += 1
                if prose:
                    c.prose_hits += 1
                    if capitalised:
                        c.cap_hits += 1
                if not proper:
                    c.proper = False
    if single_words:
        _single_words(tokens, tags, prose_token, initial, parts, cands)
    if cands:
        _find_mentions(parts, cands)
    return parts, cands


def _single_words(
    tokens: list[Token], tags: list[str], prose_token: list[bool], initial: list[bool], parts: Parts,
    cands: dict[tuple[str, ...], Candidate],
) -> None:
    """Candidates of single adjectives and verbs (not stop words or dating modifiers, with a
    letter), unless a noun-phrase candidate has the same stems."""
    first, p_stem = parts.first, parts.stem
    for t in [t for t, tag in enumerate(tags) if tag in WORD_KIND]:
        tok = tokens[t]
        tag = tok.tag
        if not _is_word(tok.text, tag) or not _has_letter(tok.text):
            continue
        key = tuple(p_stem[first[t] : first[t + 1]])
        if not key:
            continue
        c = cands.get(key)
        if c is not None and not c.word_kind:
            continue
        prose = prose_token[t]
        surface = _cased(tok, prose, initial[t])
        if c is None:
            c = cands[key] = Candidate(key, surface, 1, FIRST_KIND.get(tag, 0), (t, t + 1), WORD_KIND[tag])
            c.proper = False
        c.surfaces[surface] = c.surfaces.get(surface, 0.0) + (1.0 if prose and not initial[t] else 0.01)
        if prose:
            c.prose_hits += 1


_LETTER: dict[str, bool] = {}


def _has_letter(text: str) -> bool:
    out = _LETTER.get(text)
    if out is None:
        if len(_LETTER) > 200_000:
            _LETTER.clear()
        out = _LETTER[text] = any(ch.isalpha() for ch in text)
    return out


def _find_mentions(parts: Parts, cands: dict[tuple[str, ...], Candidate]) -> None:
    """Every occurrence of each candidate's stem sequence within one sentence, in text order."""
    by_first: dict[str, list[int]] = {}  # first stem -> lengths of the keys it starts
    for key in cands:
        lengths = by_first.setdefault(key[0], [])
        if len(key) not in lengths:
            lengths.append(len(key))
    stems, sents, starts, ends = parts.stem, parts.sent, parts.start, parts.end
    n_parts = len(stems)
    get = cands.get
    for pi in [pi for pi, st in enumerate(stems) if st in by_first]:
        st = stems[pi]
        sent = sents[pi]
        for n in by_first[st]:
            last = pi + n - 1
            if last >= n_parts or sents[last] != sent:
                continue
            c = get(tuple(stems[pi : pi + n])) if n > 1 else get((st,))
            if c is not None:
                c.mentions.append((starts[pi], ends[last]))
                c.mention_parts.append(pi)


def word_sets(c: Candidate, tokens: list[Token], parts: Parts) -> WordSets:
    """Noun stems, common-noun stems and words of a candidate's first occurrence."""
    a, b = c.first_span
    first, p_stem = parts.first, parts.stem
    nouns: list[str] = []
    common: list[str] = []
    words: list[str] = []
    for u in range(a, b):
        tok = tokens[u]
        key = p_stem[first[u] : first[u + 1]]
        if tok.tag in NOUN:
            nouns.extend(key)
            if tok.tag in COMMON_NOUN:
                common.extend(key)
        # a lower-case hyphenated compound is one word (the modifier "high-level"; its
        # "level" is not the noun "levels"), while a hyphen or dash between capitalised names
        # joins two names ("Korea-China ties": ties of Korea and China)
        if len(key) > 1 and tok.text[:1].islower():
            words.append("-".join(key))
        else:
            words.extend(key)
    return WordSets(frozenset(nouns), frozenset(common), tuple(words))


_OPENERS = "\"'\u201c\u2018("


def _sentence_initials(tokens: list[Token]) -> list[bool]:
    """Per token: does it start its sentence (first token, or after an opening quote or
    bracket)?"""
    return [True] + [
        prev.sent != tok.sent or prev.text in _OPENERS for prev, tok in zip(tokens, tokens[1:], strict=False)
    ]


def _cased(tok: Token, prose: bool, initial: bool) -> str:
    """Names, acronyms and words capitalised inside a prose sentence keep their case; other
    words are lower-cased."""
    t = word_key(tok.text)  # shown NFC, without soft hyphens or joiners
    if tok.tag in PROPER_NOUN or (len(t) > 1 and t.isupper()):
        return t
    if prose and not initial and t[:1].isupper():
        return t
    return t.lower()


def display_text(c: Candidate) -> str:
    """The form to show: the commonest cased surface (first seen wins a tie)."""
    if len(c.surfaces) == 1:
        return c.first_surface
    return sorted(c.surfaces.items(), key=lambda kv: (-kv[1], kv[0] != c.first_surface, kv[0]))[0][0]
