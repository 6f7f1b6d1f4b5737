"""Document analysis and the generic features of each candidate.

The features are the ones that supervised keyphrase extractors have found useful (Hulth 2003;
Frank et al. 1999, KEA; Boudin 2018 for position and structure): where the phrase first appears,
how often and how widely, whether the title, headings and lead carry it, its length, its words'
frequency in the document and rarity in general English, capitalisation, the position-biased
PageRank score of its words (Florescu & Caragea 2017, PositionRank), and the kind of candidate
(noun phrase, or a single adjective or verb). They are numbers about the phrase in its document
and never name a word, so a model over them ships no vocabulary.

The features are computed a column at a time with numpy over all mentions and candidate words
of a document (no per-candidate Python row), which keeps the stage fast.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np

from pipeline.model import Block, Document
from plugins.themes.candidates import NOUN, Candidate, Parts, collect, display_text
from plugins.themes.language import foreign_sentence
from plugins.themes.text import Token, rarities, split_sentences, tag_sentences, tokenize

PROSE_KINDS = frozenset({"title", "heading", "paragraph", "list_item", "quote"})
LEAD_SENTENCES = 3

FEATURES: tuple[str, ...] = (
    "n_words", "log_chars", "log_tf", "tf_per_sentence", "first_pos", "log_first_sentence",
    "spread", "in_title", "log_in_heading", "log_in_lead", "pr_sum", "pr_mean", "maximal_ratio",
    "chunk_ratio", "log_n_super", "word_tf_mean", "word_tf_min", "head_tf", "rarity_mean",
    "rarity_min", "rarity_max", "proper", "has_digit", "sentence_cover", "log_body_tokens",
    "has_title", "tf_rank", "first_rank", "first_kind", "min_word_len", "super_tf",
    "sub_tf", "log_candidates", "pr_rank", "word_kind",
    # document style: lets one model serve headline news, broadcast stories and abstracts
    "title_words", "words_per_sentence", "capitalised_share", "line_breaks_per_word",
)


@dataclass
class Analysis:
    """A document's tokens, parts, candidates (sorted by key) and their feature matrix."""

    tokens: list[Token] = field(default_factory=list)
    parts: Parts = field(default_factory=Parts)
    candidates: list[Candidate] = field(default_factory=list)
    X: np.ndarray = field(default_factory=lambda: np.zeros((0, len(FEATURES))))
    token_block: list[int] = field(default_factory=list)  # per token: index into doc.blocks
    sentence_kind: list[str] = field(default_factory=list)  # "title", "heading" or "body"
    n_words: int = 0
    truncated: bool = False  # the prose was longer than the words analysed
    _texts: list[str] | None = None

    @property
    def texts(self) -> list[str]:
        """Display text of every candidate (computed on first use: the stage needs only the
        kept ones, see :func:`plugins.themes.candidates.display_text`)."""
        if self._texts is None:
            self._texts = [display_text(c) for c in self.candidates]
        return self._texts


def prose_blocks(doc: Document) -> list[tuple[int, Block]]:
    """(index, block) of the blocks that may produce themes: prose, titles and headings."""
    if not doc.blocks and doc.text.strip():
        return [(-1, Block(id="_all", kind="paragraph", start=0, end=len(doc.text), text=doc.text))]
    return [(i, b) for i, b in enumerate(doc.blocks) if b.kind in PROSE_KINDS]


# An ASCII letter run, capturing its first letter when that is a capital: one pass gives the
# number of words and of capitalised words.
_ALPHA_RUN_RE = re.compile(r"(?:([A-Z])|[a-z])[A-Za-z]*")
_DIGIT_RE = re.compile(r"\d")
_SENT_END_RE = re.compile(r"[.!?](?:\s|$)")
_GRAPH_TAGS = NOUN | {"JJ"}


def document_style(text: str) -> list[float]:
    """Words in the first line, words per sentence, share of capitalised words, line breaks per
    word: what tells a headline news story from a broadcast transcript or an abstract."""
    first = text.lstrip().split("\n", 1)[0]
    capitals = _ALPHA_RUN_RE.findall(text)  # per run: its first letter if a capital, else ""
    n_words = len(capitals)
    n = max(1, n_words)
    sentences = max(1, len(_SENT_END_RE.findall(text)))
    caps = n_words - capitals.count("")
    return [float(len(first.split())), n_words / sentences, caps / n, text.count("\n") / n]


def _ints(values: Sequence[int]) -> np.ndarray:
    """An int64 array of a list (``np.fromiter`` converts a list of Python numbers several
    times faster than ``np.array``, which first inspects every element)."""
    return np.fromiter(values, dtype=np.int64, count=len(values))


def _floats(values: Sequence[float]) -> np.ndarray:
    """A float64 array of a list (see :func:`_ints`)."""
    return np.fromiter(values, dtype=np.float64, count=len(values))


# Up to this many distinct graph words the walk uses a dense n x n matrix (faster for an
# article); above it, a list of edges (memory linear in the text, not quadratic).
DENSE_MAX_WORDS = 1500


def _position_rank(
    parts: Parts, tags: list[str], window: int = 10, dense_max: int = DENSE_MAX_WORDS
) -> dict[str, float]:
    """PositionRank word scores (Florescu & Caragea 2017): PageRank over a co-occurrence graph of
    nouns and adjectives (window of ``window`` words), teleporting in proportion to the summed
    inverse positions of each word. The same walk over a dense matrix for at most ``dense_max``
    distinct words, over an edge list above."""
    graph_tags = _GRAPH_TAGS
    keep = [i for i, t in enumerate(parts.token) if tags[t] in graph_tags]
    if not keep:
        return {}
    vocab: dict[str, int] = {}
    stems = parts.stem
    ids = _ints([vocab.setdefault(stems[i], len(vocab)) for i in keep])
    pos = _ints(keep)
    n = len(vocab)
    # Pairs (k, k + off) of kept words for off = 1 .. window - 1, all at once: a pair is an
    # edge when the words are less than ``window`` parts apart and differ. Offsets stop at the
    # first one without any edge (farther ones are farther apart).
    m = len(keep)
    first = np.arange(m)[:, None]
    second = first + np.arange(1, window)[None, :]
    inside = second < m
    second = np.where(inside, second, first)
    ok = inside & (pos[second] - pos[first] < window) & (ids[second] != ids[first])
    empty = ~ok.any(axis=0)
    if empty.any():
        ok[:, int(np.argmax(empty)) :] = False
    a = np.broadcast_to(ids[:, None], ok.shape)[ok]
    b = ids[second][ok]
    bias = np.bincount(ids, weights=1.0 / (np.arange(len(ids)) + 1.0), minlength=n).astype(np.float64)
    bias /= bias.sum()
    teleport = 0.15 * bias
    s = np.full(n, 1.0 / n)
    if n <= dense_max:
        w = np.bincount(np.concatenate((a * n + b, b * n + a)), minlength=n * n).reshape(n, n)
        out_deg = w.sum(axis=1).astype(np.float64)
        out_deg[out_deg == 0] = 1.0
        walk = (0.85 / out_deg)[None, :] * w.T  # damped transition matrix, column-stochastic
        step = np.empty(n)
        for _ in range(30):
            np.dot(walk, s, out=step)
            np.add(step, teleport, out=s)
    else:
        # distinct edges with their weights: a long document has tens of thousands of distinct
        # words, and an n x n matrix would take gigabytes
        edge, weight = np.unique(np.concatenate((a * n + b, b * n + a)), return_counts=True)
        src, dst = edge // n, edge % n
        coef = 0.85 * weight / np.bincount(src, weights=weight, minlength=n)[src]
        for _ in range(30):
            s = np.bincount(dst, weights=coef * s[src], minlength=n) + teleport
    return dict(zip(vocab, s.tolist(), strict=True))


# A block's text is cut to this many characters per word still allowed before it is tokenised,
# so a single huge block (a whole book on one line) costs time in proportion to the words kept.
CHARS_PER_WORD_CUT = 40


def _tokens_of(doc: Document, max_prose_words: int | None = None) -> tuple[list[Token], list[int], list[str], bool]:
    """Tagged tokens of the prose blocks, each token's block index, each sentence's kind, and
    whether the prose was cut after ``max_prose_words`` words (tokens holding a letter or digit;
    title and headings count too), in document order."""
    tokens: list[Token] = []
    token_block: list[int] = []
    sent_kind: list[str] = []  # per sentence: "title", "heading" or "body"
    left = max_prose_words if max_prose_words is not None else -1
    truncated = False
    for bi, block in prose_blocks(doc):
        if left == 0:
            if block.text.strip():
                truncated = True
                break
            continue
        text = block.text
        cut = left > 0 and len(text) > left * CHARS_PER_WORD_CUT
        if cut:
            text = text[: left * CHARS_PER_WORD_CUT]
        toks = tokenize(text, block.start)
        if cut and toks:
            toks.pop()  # it may be a word cut in two
            truncated = True
        if left > 0:
            is_word = [tok[0][:1].isalnum() for tok in toks]
            n_words = sum(is_word)
            if n_words > left:  # cut before the first word past the limit
                n_words = 0
                for k, w in enumerate(is_word):
                    n_words += w
                    if n_words > left:
                        del toks[k:]
                        n_words = left
                        truncated = True
                        break
            left -= n_words
        if not toks:
            continue
        sents = split_sentences(toks, text, block.start)
        kind = block.kind if block.kind in ("title", "heading") else "body"
        tagged = tag_sentences(sents, first_sent=len(sent_kind), title_case=kind != "body")
        foreign = [k for k, sent in enumerate(sents) if foreign_sentence([t[0] for t in sent])]
        if foreign:
            # a sentence in another language ("Le gouvernement français est présent à ...")
            # in English prose: its words are foreign words (Penn tag FW), never candidates
            marked = {len(sent_kind) + k for k in foreign}
            tagged = [t._replace(tag="FW") if t.sent in marked else t for t in tagged]
        sent_kind.extend([kind] * len(sents))
        tokens.extend(tagged)
        token_block.extend([bi] * len(tagged))
    return tokens, token_block, sent_kind, truncated


def analyse(
    doc: Document, max_words: int = 5, single_words: bool = True, max_prose_words: int | None = None
) -> Analysis:
    """Tokenise and tag the prose of ``doc`` (its first ``max_prose_words`` words when given:
    ``Analysis.truncated`` says whether that cut any), collect candidates and compute their
    features (``single_words``: see :func:`plugins.themes.candidates.collect`)."""
    an = Analysis()
    tokens, token_block, sent_kind, an.truncated = _tokens_of(doc, max_prose_words)
    an.tokens, an.token_block, an.sentence_kind = tokens, token_block, sent_kind
    if not tokens:
        return an
    prose = [sent_kind[t.sent] == "body" for t in tokens]
    parts, cands = collect(tokens, prose, max_words, single_words)
    an.parts = parts
    an.n_words = len(set(parts.token))
    if not cands:
        return an
    keys = sorted(cands)
    clist = [cands[k] for k in keys]
    an.candidates = clist
    an.X = _features(doc, tokens, parts, sent_kind, keys, clist)
    return an


def _features(
    doc: Document,
    tokens: list[Token],
    parts: Parts,
    sent_kind: list[str],
    keys: list[tuple[str, ...]],
    clist: list[Candidate],
) -> np.ndarray:
    """The feature matrix, one row per candidate (columns :data:`FEATURES`), computed a column
    at a time over all mentions and candidate words at once."""
    n = len(keys)
    n_sent = len(sent_kind)
    # Per sentence: kind (0 body, 1 title, 2 heading) and rank among body sentences.
    kind = _ints([0 if k == "body" else 1 if k == "title" else 2 for k in sent_kind])
    is_body_sent = kind == 0
    n_body_sent = max(1, int(is_body_sent.sum()))
    big = n_sent + len(parts) + 1
    body_rank = np.where(is_body_sent, np.cumsum(is_body_sent) - 1, big)
    # Per part: rank among body parts (-1 outside the body).
    p_sent = _ints(parts.sent)
    p_body = is_body_sent[p_sent] if len(p_sent) else np.zeros(0, dtype=bool)
    n_body = max(1, int(p_body.sum()))
    body_index = np.where(p_body, np.cumsum(p_body) - 1, -1)

    # Mentions, grouped by candidate (each candidate has at least its chunk occurrence).
    counts = _ints([len(c.mention_parts) for c in clist])
    group = np.zeros(n, dtype=np.int64)
    np.cumsum(counts[:-1], out=group[1:])
    mp = _ints([pi for c in clist for pi in c.mention_parts])
    m_sent = p_sent[mp]
    m_kind = kind[m_sent]
    m_body = body_index[mp]
    m_rank = body_rank[m_sent]
    in_body = m_body >= 0
    first_b = np.minimum.reduceat(np.where(in_body, m_body, big), group)
    last_b = np.maximum.reduceat(m_body, group)
    has_body = last_b >= 0
    first = np.where(has_body, first_b / n_body, 1.0)
    last = np.where(has_body, last_b / n_body, 1.0)
    first_sent_rank = np.minimum.reduceat(m_rank, group)
    first_sent = np.where(first_sent_rank < big, first_sent_rank, n_body_sent)
    new_sent = np.ones(len(mp), dtype=np.int64)
    new_sent[1:] = m_sent[1:] != m_sent[:-1]
    new_sent[group] = 1
    distinct_sents = np.add.reduceat(new_sent, group)

    # Words of each candidate's first occurrence: the parts of its token range.
    first_part = parts.first
    spans = [(first_part[c.first_span[0]], first_part[c.first_span[1]]) for c in clist]
    lengths = _ints([b - a for a, b in spans])
    wgroup = np.zeros(n, dtype=np.int64)
    np.cumsum(lengths[:-1], out=wgroup[1:])
    wp = [pi for a, b in spans for pi in range(a, b)]
    stems = parts.stem
    words = parts.word
    w_stems = [stems[pi] for pi in wp]
    stem_tf = Counter(stems)
    pr = _position_rank(parts, [t.tag for t in tokens])
    w_tf = np.log1p(_floats([stem_tf[s] for s in w_stems]))
    w_pr = [pr.get(s, 0.0) for s in w_stems]
    w_rar = rarities([words[pi] for pi in wp])
    w_len = _ints([len(s) for s in w_stems])
    # a word of letters only has no digit: isalpha() answers most words without the regex
    w_digit = _ints([not w.isalpha() and _DIGIT_RE.search(w) is not None for w in map(words.__getitem__, wp)])
    rar = _floats(w_rar)
    pr_sum = np.add.reduceat(_floats(w_pr), wgroup)
    tf_sum = np.add.reduceat(w_tf, wgroup)
    rar_sum = np.add.reduceat(rar, wgroup)
    # Sums of three words or more again in plain Python, left to right: numpy's reduceat may
    # add them in another order, and exact ties matter to the rank features.
    tf_list = w_tf.tolist()
    for g in np.flatnonzero(lengths >= 3).tolist():
        a = int(wgroup[g])
        b = a + int(lengths[g])
        pr_sum[g] = sum(w_pr[a:b])
        tf_sum[g] = sum(tf_list[a:b])
        rar_sum[g] = sum(w_rar[a:b])

    # Containment between candidates (contiguous sub-sequences).
    tf = dict(zip(keys, counts.tolist(), strict=True))
    n_super = dict.fromkeys(keys, 0)
    super_tf = dict.fromkeys(keys, 0)
    sub_tf = dict.fromkeys(keys, 0)
    get_tf = tf.get
    for k in keys:
        m = len(k)
        if m < 2:
            continue
        tk = tf[k]
        best_sub = 0
        for a, b in _sub_spans(m):
            sub = k[a:b]
            ts = get_tf(sub)
            if ts is not None:
                n_super[sub] += 1
                if tk > super_tf[sub]:
                    super_tf[sub] = tk
                if ts > best_sub:
                    best_sub = ts
        sub_tf[k] = best_sub

    # Per candidate counts, one conversion for all.
    per = np.array(
        [(c.n_words, len(c.first_surface), c.maximal_hits, c.chunk_hits, c.proper, c.first_kind, n_super[k],
          super_tf[k], sub_tf[k], c.word_kind) for k, c in zip(keys, clist, strict=True)],
        dtype=np.float64,
    ).T
    n_words, n_chars, maximal_hits, chunk_hits, proper, first_kind, n_sup, sup_tf, sb_tf, word_kind = per
    x = np.empty((n, len(FEATURES)), dtype=np.float64)
    col = _COLUMN
    x[:, col["n_words"]] = n_words
    x[:, col["log_chars"]] = np.log1p(n_chars)
    x[:, col["log_tf"]] = np.log1p(counts)
    x[:, col["tf_per_sentence"]] = counts / n_body_sent
    x[:, col["first_pos"]] = first
    x[:, col["log_first_sentence"]] = np.log1p(first_sent)
    x[:, col["spread"]] = last - first
    x[:, col["in_title"]] = np.maximum.reduceat(m_kind != 0, group)
    x[:, col["log_in_heading"]] = np.log1p(np.add.reduceat(m_kind == 2, group))
    x[:, col["log_in_lead"]] = np.log1p(np.add.reduceat(m_rank < LEAD_SENTENCES, group))
    x[:, col["pr_sum"]] = pr_sum
    x[:, col["pr_mean"]] = pr_sum / lengths
    x[:, col["maximal_ratio"]] = maximal_hits / np.maximum(1.0, chunk_hits)
    x[:, col["chunk_ratio"]] = chunk_hits / np.maximum(1, counts)
    x[:, col["log_n_super"]] = np.log1p(n_sup)
    x[:, col["word_tf_mean"]] = tf_sum / lengths
    x[:, col["word_tf_min"]] = np.minimum.reduceat(w_tf, wgroup)
    x[:, col["head_tf"]] = w_tf[wgroup + lengths - 1]
    x[:, col["rarity_mean"]] = rar_sum / lengths
    x[:, col["rarity_min"]] = np.minimum.reduceat(rar, wgroup)
    x[:, col["rarity_max"]] = np.maximum.reduceat(rar, wgroup)
    x[:, col["proper"]] = proper
    x[:, col["has_digit"]] = np.maximum.reduceat(w_digit, wgroup)
    x[:, col["sentence_cover"]] = distinct_sents / max(1, n_sent)
    x[:, col["log_body_tokens"]] = math.log1p(n_body)
    x[:, col["has_title"]] = 1.0 if (kind == 1).any() else 0.0
    x[:, col["first_kind"]] = first_kind
    x[:, col["word_kind"]] = word_kind
    x[:, col["min_word_len"]] = np.minimum.reduceat(w_len, wgroup)
    x[:, col["super_tf"]] = np.log1p(sup_tf)
    x[:, col["sub_tf"]] = np.log1p(sb_tf)
    x[:, col["log_candidates"]] = math.log1p(n)
    x[:, col["title_words"] : col["line_breaks_per_word"] + 1] = document_style(doc.text)
    pr_max = x[:, col["pr_sum"]].max()
    if pr_max > 0:
        x[:, col["pr_sum"]] /= pr_max
        x[:, col["pr_mean"]] /= x[:, col["pr_mean"]].max()
    for name, src, sign in (("tf_rank", "log_tf", -1), ("first_rank", "first_pos", 1), ("pr_rank", "pr_sum", -1)):
        order = np.lexsort((np.arange(n), sign * x[:, col[src]]))
        ranks = np.empty(n)
        ranks[order] = np.arange(n)
        x[:, col[name]] = ranks / max(1, n - 1)
    return x


_COLUMN = {name: i for i, name in enumerate(FEATURES)}


@lru_cache(maxsize=64)
def _sub_spans(m: int) -> tuple[tuple[int, int], ...]:
    """The ``(start, end)`` of every contiguous sub-sequence of a length-``m`` key, shorter
    than the key, in order of start then end."""
    return tuple((a, b) for a in range(m) for b in range(a + 1, m + 1) if b - a < m)
