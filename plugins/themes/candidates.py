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

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from plugins.themes.lexical import CALENDAR, Word, words
from plugins.themes.lexical import FILLER_MODIFIERS as FILLER_MODIFIERS  # re-exported: they were defined here
from plugins.themes.lexical import STOP as STOP
from plugins.themes.lexical import stem as stem
from plugins.themes.text import Token

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


_NO_WORD = Word("")


def split_parts(tokens: list[Token]) -> Parts:
    """The parts of a tagged token list (see :class:`Parts`)."""
    texts, starts, _, tags, sents = _columns(tokens)
    return _split_parts(tags, starts, sents, words(texts))


def _columns(tokens: list[Token]) -> list[Sequence[Any]]:
    """The tokens' texts, starts, ends, tags and sentences, as five sequences."""
    return list(zip(*tokens, strict=True)) or [()] * 5


def _split_parts(tags: Sequence[str], starts: Sequence[int], sents: Sequence[int], facts: list[Word]) -> Parts:
    # a possessive "'s" has no parts
    runs = [_NO_WORD if tag == "POS" else w for tag, w in zip(tags, facts, strict=True)]
    first = [0]
    n = 0
    for r in runs:
        n += len(r.stems)
        first.append(n)
    # Most tokens have one run or none: one pass per field over the tokens beats building
    # each part as an object.
    return Parts(
        stem=[st for r in runs for st in r.stems],
        word=[w for r in runs for w in r.runs],
        start=[s + a for s, r in zip(starts, runs, strict=True) for a in r.starts],
        end=[s + b for s, r in zip(starts, runs, strict=True) for b in r.ends],
        token=[ti for ti, r in enumerate(runs) for _ in r.stems],
        sent=[si for si, r in zip(sents, runs, strict=True) for _ in r.stems],
        first=first,
    )


def _ok_flags(tags: Sequence[str], facts: list[Word]) -> list[bool]:
    """Per token: may it be a word of a chunk (a modifier or noun tag, a letter or digit, no
    stop word, and no filler modifier when tagged JJ)?"""
    return [
        (w.ok_jj if tag == "JJ" else w.ok) if tag in MODIFIER else False
        for w, tag in zip(facts, tags, strict=True)
    ]


def _vbg_ok(tags: Sequence[str], j: int, i: int) -> bool:
    """A gerund modifies a noun ("emerging industries", "harbour dredging plan") only before a
    common noun, after a determiner, adjective or noun."""
    if j + 1 >= len(tags) or tags[j + 1] not in COMMON_NOUN:
        return False
    if j == i:
        return j > 0 and tags[j - 1] in ("DT", "PRP$", "POS", "JJ")
    return tags[j - 1] in ("JJ", "NN", "NNS")


def chunks(tokens: list[Token]) -> list[tuple[int, int]]:
    """Maximal candidate chunks as token index ranges ``[i, j)`` ending in a noun."""
    texts, _, _, tags, sents = _columns(tokens)
    facts = words(texts)
    return _chunks(tags, sents, _ok_flags(tags, facts), [w.dating for w in facts])


def _chunks(tags: Sequence[str], sent: Sequence[int], ok: list[bool], dating: list[int]) -> list[tuple[int, int]]:
    out: list[tuple[int, int]] = []
    i, n = 0, len(tags)
    find_ok = ok.index
    while i < n:
        if not ok[i]:
            try:
                i = find_ok(True, i)  # skip to the next possible chunk word in C
            except ValueError:
                break
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
        # dating words off the edges (see lexical.CALENDAR_NAMES), then back to a head noun again
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
    texts, starts, _, tags, sent = _columns(tokens)
    facts = words(texts)
    parts = _split_parts(tags, starts, sent, facts)
    ok = _ok_flags(tags, facts)
    dating = [w.dating for w in facts]

    # Sentence-initial and title-case (title, heading) forms say little about case.
    initial = _initials(texts, sent)
    # Per token, once for the document (a list pass is cheaper than per-chunk lists; most
    # chunks are one or two tokens): stems (a chunk holds no possessive, so they are its
    # parts'), digits only, capitalised, a head (a noun, no dating word) and, for the tokens
    # that may be in a chunk, the display form (see _cased).
    stems = [w.stems for w in facts]
    digits = [w.digits for w in facts]
    caps = [w.caps for w in facts]
    head = [tag in NOUN and not d for tag, d in zip(tags, dating, strict=True)]
    cased = [  # _cased, inlined: a call per token costs more than the test
        (w.key if tag in PROPER_NOUN or w.acronym or (prose and not init and w.key_caps) else w.lower) if o else ""
        for w, tag, prose, init, o in zip(facts, tags, prose_token, initial, ok, strict=True)
    ]
    cands: dict[tuple[str, ...], Candidate] = {}
    get = cands.get
    for i, j in _chunks(tags, sent, ok, dating):
        for a in range(i, j):
            tag_a = tags[a]
            if (tag_a == "CD" and a + 1 < j and tags[a + 1] == "CD") or dating[a] == CALENDAR:
                continue
            prose = prose_token[a]
            weight = 1.0 if prose and not initial[a] else 0.01
            key: tuple[str, ...] = ()
            digits_only = True
            proper = True
            capitalised = True
            for b in range(a, min(j, a + max_words)):  # the phrase a..b, b included
                key += stems[b]
                if digits_only:
                    digits_only = digits[b]
                if proper and tags[b] not in PROPER_NOUN:
                    proper = False
                if capitalised and not caps[b]:
                    capitalised = False
                if not head[b] or digits_only:
                    continue
                surface = " ".join(cased[a : b + 1])
                c = get(key)
                if c is None:
                    c = cands[key] = Candidate(key, surface, b + 1 - a, FIRST_KIND.get(tag_a, 0), (a, b + 1))
                surfaces = c.surfaces
                surfaces[surface] = surfaces.get(surface, 0.0) + weight
                c.chunk_hits += 1
                if b + 1 == j:
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
        _single_words(facts, tags, prose_token, initial, cands)
    if cands:
        _find_mentions(parts, cands)
    return parts, cands


def _single_words(
    facts: list[Word], tags: Sequence[str], prose_token: list[bool], initial: list[bool],
    cands: dict[tuple[str, ...], Candidate],
) -> None:
    """Candidates of single adjectives and verbs (not stop words or dating modifiers, with a
    letter), unless a noun-phrase candidate has the same stems."""
    for t in [t for t, tag in enumerate(tags) if tag in WORD_KIND]:
        w = facts[t]
        tag = tags[t]
        if not (w.ok_jj if tag == "JJ" else w.ok) or not w.letter:
            continue
        key = w.stems  # the token's parts (it is no possessive)
        if not key:
            continue
        c = cands.get(key)
        if c is not None and not c.word_kind:
            continue
        prose = prose_token[t]
        surface = _cased(w, tag, prose, initial[t])
        if c is None:
            c = cands[key] = Candidate(key, surface, 1, FIRST_KIND.get(tag, 0), (t, t + 1), WORD_KIND[tag])
            c.proper = False
        c.surfaces[surface] = c.surfaces.get(surface, 0.0) + (1.0 if prose and not initial[t] else 0.01)
        if prose:
            c.prose_hits += 1


def _find_mentions(parts: Parts, cands: dict[tuple[str, ...], Candidate]) -> None:
    """Every occurrence of each candidate's stem sequence within one sentence, in text order."""
    # One-stem keys are found by their stem alone (no slice, no sentence test); longer ones
    # by their first stem and then the whole key.
    singles: dict[str, Candidate] = {}
    longer: dict[str, list[int]] = {}  # first stem -> lengths of the longer keys it starts
    for key, cand in cands.items():
        if len(key) == 1:
            singles[key[0]] = cand
        else:
            lengths = longer.setdefault(key[0], [])
            if len(key) not in lengths:
                lengths.append(len(key))
    # a tuple, so that a slice is a key without a copy through a list
    stems = tuple(parts.stem)
    sents, starts, ends = parts.sent, parts.start, parts.end
    n_parts = len(stems)
    get = cands.get
    for pi in [pi for pi, st in enumerate(stems) if st in singles or st in longer]:
        st = stems[pi]
        c = singles.get(st)
        if c is not None:
            c.mentions.append((starts[pi], ends[pi]))
            c.mention_parts.append(pi)
        key_lengths = longer.get(st)
        if key_lengths is None:
            continue
        sent = sents[pi]
        for n in key_lengths:
            last = pi + n - 1
            if last >= n_parts or sents[last] != sent:
                continue
            c = get(stems[pi : pi + n])
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


def _initials(texts: Sequence[str], sents: Sequence[int]) -> list[bool]:
    """Per token (given the tokens' texts and sentences): does it start its sentence (first
    token, or after an opening quote or bracket)?"""
    return [True] + [
        prev_sent != sent or prev_text in _OPENERS
        for prev_sent, sent, prev_text in zip(sents, sents[1:], texts, strict=False)
    ]


def _cased(w: Word, tag: str, prose: bool, initial: bool) -> str:
    """Names, acronyms and words capitalised inside a prose sentence keep their case; other
    words are lower-cased (shown in :func:`~plugins.themes.text.word_key` form: NFC, without
    soft hyphens or joiners)."""
    if tag in PROPER_NOUN or w.acronym or (prose and not initial and w.key_caps):
        return w.key
    return w.lower


def display_text(c: Candidate) -> str:
    """The form to show: the commonest cased surface (first seen wins a tie)."""
    if len(c.surfaces) == 1:
        return c.first_surface
    return sorted(c.surfaces.items(), key=lambda kv: (-kv[1], kv[0] != c.first_surface, kv[0]))[0][0]
