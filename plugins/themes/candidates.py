"""Candidate keyphrases: noun phrases found with part-of-speech patterns, grouped by variant.

Candidates are the word sequences matching ``(JJ | NN* | VBN | VBG | CD)* NN*`` inside a sentence
(Hulth 2003, "Improved automatic keyword extraction given more linguistic knowledge"; the same
pattern as Boudin 2016, ``pke``), and every sub-sequence of such a chunk that ends in a noun, so
both "bilateral relations" and "South Korea China bilateral relations" compete. Variants (case,
plural and inflection, "South Korea-China" vs "South Korea China") share one key: the sequence
of Snowball (Porter2) stems of the letter/digit runs of the words, possessive dropped. Every
occurrence of that stem sequence in the prose becomes a mention span.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import snowballstemmer

from plugins.themes.text import Token

NOUN = frozenset({"NN", "NNS", "NNP", "NNPS"})
MODIFIER = frozenset({"JJ", "VBN", "VBG", "CD", "NNP", "NN", "NNS", "NNPS"})
FIRST_KIND = {"JJ": 1, "VBN": 2, "VBG": 2, "CD": 3}
_PART_RE = re.compile(r"[^\W_]+", re.UNICODE)
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
    yourself yourselves mr mrs ms dr""".split()
)

# Adjectives that date or count rather than describe ("recent years", "new phase"): never part of
# a candidate (the stop-list idea of KEA, Frank et al. 1999, applied to modifiers).
FILLER_MODIFIERS = frozenset(
    """new recent past last next current former latest previous various several many certain
    other same further overall whole entire own such additional particular possible likely
    similar different""".split()
)

_STEMMER = snowballstemmer.stemmer("english")


_STEM_CACHE: dict[str, str] = {}


def stem(word: str) -> str:
    """Snowball stem of a lower-cased word (memoised: the pure-Python stemmer is slow)."""
    out = _STEM_CACHE.get(word)
    if out is None:
        if len(_STEM_CACHE) > 200_000:
            _STEM_CACHE.clear()
        out = _STEM_CACHE[word] = _STEMMER.stemWord(word.lower())
    return out


@dataclass(slots=True)
class Part:
    """A letter/digit run of a token: its stem, span, and where it sits."""

    stem: str
    start: int
    end: int
    token: int  # index into the analysis token list
    sent: int


@dataclass(slots=True)
class Candidate:
    """One keyphrase candidate (all variants of one stem sequence)."""

    key: tuple[str, ...]
    surfaces: dict[str, float] = field(default_factory=dict)  # cased form -> weight
    chunk_hits: int = 0  # occurrences as (part of) a noun-phrase chunk
    maximal_hits: int = 0  # occurrences as a whole chunk
    final_hits: int = 0  # occurrences ending a chunk (its last word is a head noun there)
    first_surface: str = ""
    cap_hits: int = 0  # chunk occurrences in prose with every word capitalised
    prose_hits: int = 0  # chunk occurrences in prose (not title/heading)
    proper: bool = True  # every token tagged NNP(S) in every chunk occurrence
    mentions: list[tuple[int, int]] = field(default_factory=list)
    mention_parts: list[int] = field(default_factory=list)  # index of the first part of each mention
    n_words: int = 0
    first_kind: int = 0  # 0 noun, 1 adjective, 2 participle, 3 number
    noun_stems: frozenset[str] = frozenset()  # stems of the words tagged as nouns
    common_stems: frozenset[str] = frozenset()  # stems of the words tagged as common nouns
    words: tuple[str, ...] = ()  # stems by word: a lower-case compound ("high-level") is one


_PARTS_CACHE: dict[str, tuple[tuple[str, int, int], ...]] = {}


def token_parts(tok: Token) -> list[tuple[str, int, int]]:
    """(stem, start, end) of each letter/digit run of a token; a possessive token has none."""
    if tok.tag == "POS":
        return []
    rel = _PARTS_CACHE.get(tok.text)
    if rel is None:
        if len(_PARTS_CACHE) > 200_000:
            _PARTS_CACHE.clear()
        rel = _PARTS_CACHE[tok.text] = tuple(
            (stem(m.group(0)), m.start(), m.end()) for m in _PART_RE.finditer(tok.text)
        )
    return [(st, tok.start + a, tok.start + b) for st, a, b in rel]


def _is_word(tok: Token) -> bool:
    low = tok.text.lower()
    if tok.tag == "JJ" and low in FILLER_MODIFIERS:
        return False
    return any(ch.isalnum() for ch in tok.text) and low not in STOP


def _vbg_ok(tokens: list[Token], j: int, i: int) -> bool:
    """A gerund modifies a noun ("emerging industries", "harbour dredging plan") only before a
    common noun, after a determiner, adjective or noun."""
    if j + 1 >= len(tokens) or tokens[j + 1].tag not in ("NN", "NNS"):
        return False
    if j == i:
        return j > 0 and tokens[j - 1].tag in ("DT", "PRP$", "POS", "JJ")
    return tokens[j - 1].tag in ("JJ", "NN", "NNS")


def chunks(tokens: list[Token]) -> list[tuple[int, int]]:
    """Maximal candidate chunks as token index ranges ``[i, j)`` ending in a noun."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(tokens)
    ok = [t.tag in MODIFIER and _is_word(t) for t in tokens]  # may be inside a chunk
    while i < n:
        if ok[i]:
            j = i
            while (
                j < n
                and ok[j]
                and tokens[j].sent == tokens[i].sent
                and (tokens[j].tag != "VBG" or _vbg_ok(tokens, j, i))
                # a participle after a plural noun is a verb: "visits allowed leaders"
                and not (tokens[j].tag == "VBN" and j > i and tokens[j - 1].tag == "NNS")
            ):
                j += 1
            if j == i:
                i += 1
                continue
            end = j
            while end > i and tokens[end - 1].tag not in NOUN:
                end -= 1
            # "engagements signal a ...": a singular noun after a plural one and before a
            # determiner is a verb the lexicon tagged as a noun.
            if (
                end == j
                and end - i >= 2
                and j < n
                and tokens[j].tag in ("DT", "PRP$")
                and tokens[end - 1].tag == "NN"
                and tokens[end - 2].tag == "NNS"
            ):
                end -= 1
            if end > i:
                out.append((i, end))
            i = j
        else:
            i += 1
    return out


def collect(
    tokens: list[Token], prose_token: list[bool], max_words: int
) -> tuple[list[Part], dict[tuple[str, ...], Candidate]]:
    """Build the part sequence and the candidates of a tagged token list.

    :param prose_token: per token, whether it lies in body prose (not a title or heading).
    :param max_words: the longest candidate, in words.
    """
    parts: list[Part] = []
    tok_parts: list[tuple[int, int]] = []  # per token: [first part, end part)
    for ti, tok in enumerate(tokens):
        a = len(parts)
        for st, s, e in token_parts(tok):
            parts.append(Part(st, s, e, ti, tok.sent))
        tok_parts.append((a, len(parts)))

    cands: dict[tuple[str, ...], Candidate] = {}
    spans = chunks(tokens)
    tok_key: dict[int, tuple[str, ...]] = {}
    tok_cased: dict[int, str] = {}
    tok_digits: dict[int, bool] = {}
    for i, j in spans:
        for t in range(i, j):
            tok_key[t] = tuple(p.stem for p in parts[tok_parts[t][0] : tok_parts[t][1]])
            tok_cased[t] = _cased(tokens, t, prose_token[t])
            tok_digits[t] = all(k.isdigit() for k in tok_key[t])
    for i, j in spans:
        for a in range(i, j):
            if tokens[a].tag == "CD" and a + 1 < j and tokens[a + 1].tag == "CD":
                continue
            # Sentence-initial and title-case (title, heading) forms say little about case.
            weight = 1.0 if prose_token[a] and not _sentence_initial(tokens, a) else 0.01
            key: tuple[str, ...] = ()
            digits_only = True
            words: list[str] = []
            proper = True
            capitalised = True
            for b in range(a + 1, min(j, a + max_words) + 1):
                t = b - 1
                tag = tokens[t].tag
                key += tok_key[t]
                digits_only = digits_only and tok_digits[t]
                words.append(tok_cased[t])
                proper = proper and tag in ("NNP", "NNPS")
                capitalised = capitalised and tokens[t].text[:1].isupper()
                if tag not in NOUN or not key or digits_only:
                    continue
                surface = " ".join(words)
                c = cands.get(key)
                if c is None:
                    c = cands[key] = Candidate(key=key, first_surface=surface, n_words=b - a)
                    c.first_kind = FIRST_KIND.get(tokens[a].tag, 0)
                    c.noun_stems = frozenset(
                        st for u in range(a, b) if tokens[u].tag in NOUN for st in tok_key[u]
                    )
                    c.common_stems = frozenset(
                        st for u in range(a, b) if tokens[u].tag in ("NN", "NNS") for st in tok_key[u]
                    )
                    c.words = tuple(w for u in range(a, b) for w in _words(tokens[u], tok_key[u]))
                c.surfaces[surface] = c.surfaces.get(surface, 0.0) + weight
                c.chunk_hits += 1
                if b == j:
                    c.final_hits += 1
                    if a == i:
                        c.maximal_hits += 1
                if prose_token[a]:
                    c.prose_hits += 1
                    if capitalised:
                        c.cap_hits += 1
                if not proper:
                    c.proper = False

    # Every occurrence of each candidate's stem sequence, within one sentence.
    prefixes = {k[:m] for k in cands for m in range(1, len(k) + 1)}
    grams: dict[tuple[str, ...], list[int]] = {}
    n_parts = len(parts)
    for pi in range(n_parts):
        sent = parts[pi].sent
        gram: tuple[str, ...] = ()
        for q in range(pi, n_parts):
            if parts[q].sent != sent:
                break
            gram += (parts[q].stem,)
            if gram not in prefixes:
                break
            if gram in cands:
                grams.setdefault(gram, []).append(pi)
    for key, c in cands.items():
        n = len(key)
        for pi in grams.get(key, ()):
            c.mentions.append((parts[pi].start, parts[pi + n - 1].end))
            c.mention_parts.append(pi)
    return parts, cands


def _words(tok: Token, key: tuple[str, ...]) -> tuple[str, ...]:
    """The words of a token for comparing phrases: a lower-case hyphenated compound is one word
    (the modifier "high-level"; its "level" is not the noun "levels"), while a hyphen or dash
    between capitalised names joins two names ("Korea-China ties": ties of Korea and China)."""
    if len(key) > 1 and tok.text[:1].islower():
        return ("-".join(key),)
    return key


def _sentence_initial(tokens: list[Token], i: int) -> bool:
    return i == 0 or tokens[i - 1].sent != tokens[i].sent or tokens[i - 1].text in "\"'\u201c\u2018("


def _cased(tokens: list[Token], i: int, prose: bool) -> str:
    """Names, acronyms and words capitalised inside a prose sentence keep their case; other
    words are lower-cased."""
    tok = tokens[i]
    t = tok.text
    if tok.tag in ("NNP", "NNPS") or (len(t) > 1 and t.isupper()):
        return t
    if prose and t[:1].isupper() and not _sentence_initial(tokens, i):
        return t
    return t.lower()


def display_text(c: Candidate) -> str:
    """The form to show: the commonest cased surface (first seen wins a tie)."""
    return sorted(c.surfaces.items(), key=lambda kv: (-kv[1], kv[0] != c.first_surface, kv[0]))[0][0]
