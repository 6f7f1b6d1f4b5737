"""Document analysis and the generic features of each candidate.

The features are the ones that supervised keyphrase extractors have found useful (Hulth 2003;
Frank et al. 1999, KEA; Boudin 2018 for position and structure): where the phrase first appears,
how often and how widely, whether the title, headings and lead carry it, its length, its words'
frequency in the document and rarity in general English, capitalisation, and the
position-biased PageRank score of its words (Florescu & Caragea 2017, PositionRank). They are
numbers about the phrase in its document and never name a word, so a model over them ships no
vocabulary.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import numpy as np

from pipeline.model import Block, Document
from plugins.themes.candidates import NOUN, Candidate, Part, collect, display_text
from plugins.themes.text import Token, rarity, split_sentences, tag_sentences, tokenize

PROSE_KINDS = frozenset({"title", "heading", "paragraph", "list_item", "quote"})
LEAD_SENTENCES = 3

FEATURES: tuple[str, ...] = (
    "n_words", "log_chars", "log_tf", "tf_per_sentence", "first_pos", "log_first_sentence",
    "spread", "in_title", "log_in_heading", "log_in_lead", "pr_sum", "pr_mean", "maximal_ratio",
    "chunk_ratio", "log_n_super", "word_tf_mean", "word_tf_min", "head_tf", "rarity_mean",
    "rarity_min", "rarity_max", "proper", "has_digit", "sentence_cover", "log_body_tokens",
    "has_title", "tf_rank", "first_rank", "first_kind", "min_word_len", "super_tf",
    "sub_tf", "log_candidates", "pr_rank",
    # document style: lets one model serve headline news, broadcast stories and abstracts
    "title_words", "words_per_sentence", "capitalised_share", "line_breaks_per_word",
)


@dataclass
class Analysis:
    """A document's tokens, candidates (sorted by key) and their feature matrix."""

    tokens: list[Token] = field(default_factory=list)
    parts: list[Part] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    texts: list[str] = field(default_factory=list)
    X: np.ndarray = field(default_factory=lambda: np.zeros((0, len(FEATURES))))
    token_block: list[int] = field(default_factory=list)  # per token: index into doc.blocks
    sentence_kind: list[str] = field(default_factory=list)  # "title", "heading" or "body"
    n_words: int = 0


def prose_blocks(doc: Document) -> list[tuple[int, Block]]:
    """(index, block) of the blocks that may produce themes: prose, titles and headings."""
    if not doc.blocks and doc.text.strip():
        return [(-1, Block(id="_all", kind="paragraph", start=0, end=len(doc.text), text=doc.text))]
    return [(i, b) for i, b in enumerate(doc.blocks) if b.kind in PROSE_KINDS]


_ALPHA_RE = re.compile(r"[A-Za-z]+")
_WORD_RE = re.compile(r"[^\W_]+")
_DIGIT_RE = re.compile(r"\d")
_SENT_END_RE = re.compile(r"[.!?](?:\s|$)")


def document_style(text: str) -> list[float]:
    """Words in the first line, words per sentence, share of capitalised words, line breaks per
    word: what tells a headline news story from a broadcast transcript or an abstract."""
    first = text.lstrip().split("\n", 1)[0]
    words = _ALPHA_RE.findall(text)
    n = max(1, len(words))
    sentences = max(1, len(_SENT_END_RE.findall(text)))
    caps = sum(1 for w in words if w[0].isupper())
    return [float(len(first.split())), len(words) / sentences, caps / n, text.count("\n") / n]


def _position_rank(parts: list[Part], tokens: list[Token], window: int = 10) -> dict[str, float]:
    """PositionRank word scores (Florescu & Caragea 2017): PageRank over a co-occurrence graph of
    nouns and adjectives (window of ``window`` words), teleporting in proportion to the summed
    inverse positions of each word."""
    keep = [i for i, p in enumerate(parts) if tokens[p.token].tag in NOUN or tokens[p.token].tag == "JJ"]
    if not keep:
        return {}
    vocab: dict[str, int] = {}
    ids = np.array([vocab.setdefault(parts[i].stem, len(vocab)) for i in keep], dtype=np.int64)
    pos = np.array(keep, dtype=np.int64)
    n = len(vocab)
    w = np.zeros((n, n))
    for off in range(1, window):
        if off >= len(keep):
            break
        a, b = ids[:-off], ids[off:]
        ok = (pos[off:] - pos[:-off] < window) & (a != b)
        if not ok.any():
            break
        np.add.at(w, (a[ok], b[ok]), 1.0)
        np.add.at(w, (b[ok], a[ok]), 1.0)
    bias = np.zeros(n)
    np.add.at(bias, ids, 1.0 / (np.arange(len(ids)) + 1.0))
    bias /= bias.sum()
    out_deg = w.sum(axis=1)
    out_deg[out_deg == 0] = 1.0
    m = (w / out_deg[:, None]).T
    s = np.full(n, 1.0 / n)
    for _ in range(30):
        s = 0.15 * bias + 0.85 * (m @ s)
    return {word: float(s[i]) for word, i in vocab.items()}


def analyse(doc: Document, max_words: int = 5) -> Analysis:
    """Tokenise and tag the prose of ``doc``, collect candidates and compute their features."""
    an = Analysis()
    tokens: list[Token] = []
    token_block: list[int] = []
    sent_kind: list[str] = []  # per sentence: "title", "heading" or "body"
    for bi, block in prose_blocks(doc):
        toks = tokenize(block.text, block.start)
        if not toks:
            continue
        sents = split_sentences(toks, block.text, block.start)
        kind = block.kind if block.kind in ("title", "heading") else "body"
        tagged = tag_sentences(sents, first_sent=len(sent_kind), title_case=kind != "body")
        sent_kind.extend([kind] * len(sents))
        tokens.extend(tagged)
        token_block.extend([bi] * len(tagged))
    an.tokens, an.token_block, an.sentence_kind = tokens, token_block, sent_kind
    if not tokens:
        return an
    prose = [sent_kind[t.sent] == "body" for t in tokens]
    parts, cands = collect(tokens, prose, max_words)
    an.parts = parts
    an.n_words = len({p.token for p in parts})
    if not cands:
        return an
    keys = sorted(cands)
    clist = [cands[k] for k in keys]
    an.candidates = clist
    an.texts = [display_text(c) for c in clist]

    # Body-sentence ranks (for the lead), body part positions.
    body_rank: dict[int, int] = {}
    for s, kind in enumerate(sent_kind):
        if kind == "body":
            body_rank[s] = len(body_rank)
    n_body_sent = max(1, len(body_rank))
    body_index = {}
    for pi, p in enumerate(parts):
        if sent_kind[p.sent] == "body":
            body_index[pi] = len(body_index)
    n_body = max(1, len(body_index))
    stem_tf: dict[str, int] = {}
    for p in parts:
        stem_tf[p.stem] = stem_tf.get(p.stem, 0) + 1
    pr = _position_rank(parts, tokens)
    has_title = any(k == "title" for k in sent_kind)
    style = document_style(doc.text)

    # Containment between candidates (contiguous sub-sequences).
    tf = {k: len(cands[k].mentions) for k in keys}
    n_super = dict.fromkeys(keys, 0)
    super_tf = dict.fromkeys(keys, 0)
    sub_tf = dict.fromkeys(keys, 0)
    for k in keys:
        n = len(k)
        for a in range(n):
            for b in range(a + 1, n + 1):
                if b - a == n:
                    continue
                sub = k[a:b]
                if sub in cands:
                    n_super[sub] += 1
                    super_tf[sub] = max(super_tf[sub], tf[k])
                    sub_tf[k] = max(sub_tf[k], tf[sub])

    part_sent = [p.sent for p in parts]
    rows = []
    for k, c in zip(keys, clist, strict=True):
        mp = c.mention_parts
        body = [body_index[i] for i in mp if i in body_index]
        mention_sents = [part_sent[i] for i in mp]
        sents = set(mention_sents)
        body_sents = [body_rank[s] for s in sents if s in body_rank]
        # Headings count as titles: the training sets have titles but no headings.
        in_title = any(sent_kind[s] != "body" for s in sents)
        in_heading = sum(1 for s in mention_sents if sent_kind[s] == "heading")
        in_lead = sum(1 for s in mention_sents if body_rank.get(s, LEAD_SENTENCES) < LEAD_SENTENCES)
        first = min(body) / n_body if body else 1.0
        last = max(body) / n_body if body else 1.0
        rar = [rarity(w) for w in _WORD_RE.findall(c.first_surface)] or [1.0]
        wtf = [math.log1p(stem_tf.get(w, 0)) for w in k]
        prs = [pr.get(w, 0.0) for w in k]
        surface = c.first_surface
        rows.append([
            c.n_words,
            math.log1p(len(surface)),
            math.log1p(len(mp)),
            len(mp) / n_body_sent,
            first,
            math.log1p(min(body_sents)) if body_sents else math.log1p(n_body_sent),
            last - first,
            1.0 if in_title else 0.0,
            math.log1p(in_heading),
            math.log1p(in_lead),
            sum(prs),
            sum(prs) / len(prs),
            c.maximal_hits / max(1, c.chunk_hits),
            c.chunk_hits / max(1, len(mp)),
            math.log1p(n_super[k]),
            sum(wtf) / len(wtf),
            min(wtf),
            wtf[-1],
            sum(rar) / len(rar),
            min(rar),
            max(rar),
            1.0 if c.proper else 0.0,
            1.0 if _DIGIT_RE.search(surface) else 0.0,
            len(sents) / max(1, len(sent_kind)),
            math.log1p(n_body),
            1.0 if has_title else 0.0,
            0.0,  # tf_rank, filled below
            0.0,  # first_rank
            float(c.first_kind),
            min(len(w) for w in k),
            math.log1p(super_tf[k]),
            math.log1p(sub_tf[k]),
            math.log1p(len(keys)),
            0.0,  # pr_rank
            *style,
        ])
    x = np.array(rows, dtype=np.float64)
    n = len(keys)
    col = {name: i for i, name in enumerate(FEATURES)}
    pr_max = x[:, col["pr_sum"]].max()
    if pr_max > 0:
        x[:, col["pr_sum"]] /= pr_max
        x[:, col["pr_mean"]] /= x[:, col["pr_mean"]].max()
    for name, src, sign in (("tf_rank", "log_tf", -1), ("first_rank", "first_pos", 1), ("pr_rank", "pr_sum", -1)):
        order = np.lexsort((np.arange(n), sign * x[:, col[src]]))
        ranks = np.empty(n)
        ranks[order] = np.arange(n)
        x[:, col[name]] = ranks / max(1, n - 1)
    an.X = x
    return an
