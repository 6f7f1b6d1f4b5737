"""Benchmark the ``themes`` stage: milliseconds per 750-word article on one core.

    PYTHONPATH=. .venv/bin/python benchmarks/bench_themes.py [--articles N] [--repeat R]
    PYTHONPATH=. .venv/bin/python benchmarks/bench_themes.py --jsonl ../shared/eval/keyphrase/duc2001.jsonl

By default articles are generated here (news-like English prose with a title, headings and paragraphs
assembled from a fixed vocabulary by a seeded generator), so no evaluation text is needed. The
first document is timed on its own (it imports the analysis and loads the tagger lexicon, word
counts and model); then the word caches are warmed on a separate set of articles, as they are in
a long run. Reports the median over repeats of (time per article / words per article * 750),
both wall-clock and CPU time of this process (CPU time is steadier on a shared machine). With
``--jsonl`` the articles are read from a JSONL corpus (``{"text", "title"?}``; first half warms
up, second half is timed).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_themes.py --jsonl ../shared/eval/keyphrase/duc2001.jsonl --long 8

``--long N``: one document of all the corpus texts (or generated articles) repeated N times, one
paragraph block each: the stage's seconds and the growth of this process's peak memory (the
stage analyses at most ``max_prose_words`` of it, so both stay bounded).

    PYTHONPATH=. .venv/bin/python benchmarks/bench_themes.py --rss 5 --jsonl ../shared/eval/keyphrase/duc2001.jsonl \
        --jsonl ../shared/eval/keyphrase/kpcrowd.jsonl --jsonl ../shared/eval/keyphrase/inspec.jsonl

``--rss N``: the corpus (``--jsonl`` may be repeated) run N times in this process, as a batch
worker sees it: the growth of the peak RSS after each pass and the sizes of the stage's
per-word memos (bounded; they hold the vocabulary seen so far).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import resource
import statistics
import time
from collections.abc import Sized

from pipeline.model import Document
from plugins.themes import ThemeExtractor
from plugins.themes.testing import build

_SUBJECTS = ("trade agreement", "border security", "energy prices", "state visit", "climate policy",
             "health reform", "central bank", "election campaign", "water supply", "rail network",
             "housing market", "export controls", "fishing rights", "tax reform", "school funding")
_PLACES = ("Seoul", "Beijing", "Brussels", "Ottawa", "Nairobi", "Lima", "Oslo", "Hanoi", "Accra")
_TEMPLATES = (
    "Officials in {p} said the {s} would shape talks on the {t} over the coming months.",
    "The {s} has divided lawmakers, who disagree about its cost and about the {t}.",
    "Critics argue that the {s} ignores the concerns of small businesses and local councils.",
    "In {p}, ministers met business leaders to discuss the {s} and the {t}.",
    "Analysts expect the {s} to affect consumer prices, investment and regional stability.",
    "A spokesperson for the ministry declined to comment on the {s} on Tuesday.",
    "Supporters of the {s} say it will create jobs and strengthen ties with {p}.",
    "The debate over the {t} intensified after a report on the {s} was published.",
)


def article(rng: random.Random, words: int = 750) -> Document:
    subjects = rng.sample(_SUBJECTS, 4)
    parts: list[tuple[str, str]] = [("title", f"{subjects[0].title()} talks resume in {rng.choice(_PLACES)}")]
    n = 0
    while n < words:
        if n and rng.random() < 0.25:
            parts.append(("heading", rng.choice(subjects).capitalize()))
        sents = []
        for _ in range(rng.randint(2, 4)):
            s, t = rng.sample(subjects, 2)
            sents.append(rng.choice(_TEMPLATES).format(p=rng.choice(_PLACES), s=s, t=t))
        para = " ".join(sents)
        n += len(para.split())
        parts.append(("paragraph", para))
    return build(parts, doc_id=f"a{rng.random():.6f}")


def from_jsonl(path: str) -> list[Document]:
    docs = []
    with open(path, encoding="utf-8") as f:
        for i, line in enumerate(f):
            d = json.loads(line)
            parts = [("title", d["title"])] if d.get("title") else []
            parts += [("paragraph", p.strip()) for p in re.split(r"\n\s*\n", d["text"]) if p.strip()]
            docs.append(build(parts, doc_id=f"d{i}"))
    return docs


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--articles", type=int, default=50)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--jsonl", action="append", help="time articles from this JSONL corpus instead (--rss: repeatable)")
    ap.add_argument("--long", type=int, default=0, metavar="N", help="time one document of the texts repeated N times")
    ap.add_argument("--rss", type=int, default=0, metavar="N", help="peak RSS growth over N passes of the corpus")
    args = ap.parse_args()
    stage = ThemeExtractor()
    if args.rss:
        memory_growth(stage, args.jsonl or [], args.rss)
        return
    jsonl = args.jsonl[0] if args.jsonl else None
    if args.long:
        long_document(stage, jsonl, args.long)
        return
    if jsonl:
        corpus = from_jsonl(jsonl)
        warm, docs = corpus[: len(corpus) // 2], corpus[len(corpus) // 2 :]
    else:
        warm = [article(random.Random(1000 + i)) for i in range(20)]
        docs = [article(random.Random(i)) for i in range(args.articles)]
    t0 = time.perf_counter()
    stage.process(warm[0])
    first_ms = (time.perf_counter() - t0) * 1000
    for d in warm:
        stage.process(d)
    words = sum(len(d.text.split()) for d in docs) / len(docs)
    per, cpu = [], []
    for _ in range(args.repeat):
        t0, c0 = time.perf_counter(), time.process_time()
        for d in docs:
            stage.process(d)
        scale = 750 * 1000 / len(docs) / words
        per.append((time.perf_counter() - t0) * scale)
        cpu.append((time.process_time() - c0) * scale)
    print(f"themes: {statistics.median(per):.2f} ms per 750-word article "
          f"(median of {args.repeat} runs over {len(docs)} articles of ~{words:.0f} words; "
          f"min {min(per):.2f}, max {max(per):.2f}); CPU {statistics.median(cpu):.2f} ms "
          f"(min {min(cpu):.2f}); first document {first_ms:.0f} ms")


def long_document(stage: ThemeExtractor, jsonl: str | None, times: int) -> None:
    """Time the stage on one document of the corpus texts repeated ``times`` times."""
    if jsonl:
        with open(jsonl, encoding="utf-8") as f:
            texts = [json.loads(line)["text"] for line in f]
    else:
        texts = [article(random.Random(i)).text for i in range(50)]
    paras = [p.strip() for t in texts for p in re.split(r"\n\s*\n", t) if p.strip()] * times
    doc = build([("paragraph", p) for p in paras], doc_id="long")
    stage.process(build([("paragraph", paras[0])]))  # imports and data files, not measured
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    out = stage.process(doc)
    sec = time.perf_counter() - t0
    grown = (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024
    notes = [d.code for d in out.diagnostics if d.stage == stage.name]
    print(f"themes, one document of {len(doc.text) / 1e6:.1f} MB ({len(doc.text.split())} words): "
          f"{sec:.2f} s, peak memory +{grown:.0f} MB, {len(out.themes)} themes, diagnostics {notes}")


def memory_growth(stage: ThemeExtractor, jsonl: list[str], passes: int) -> None:
    """Run the corpus ``passes`` times in this process: peak RSS growth after each pass and the
    sizes of the stage's per-word memos."""
    docs = [d for path in jsonl for d in from_jsonl(path)] or [article(random.Random(i)) for i in range(200)]
    stage.process(docs[0])  # imports and data files, not counted

    def peak_mb() -> float:
        return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    before = peak_mb()
    for k in range(passes):
        for d in docs:
            stage.process(d)
        print(f"pass {k + 1}: peak RSS +{peak_mb() - before:.1f} MB ({peak_mb():.1f} MB)")
    from plugins.themes import brill, lexical, text

    memos: dict[str, Sized] = {"word facts": lexical._WORDS, "stems": lexical._STEM_CACHE, "tags": brill._TAGS,
             "rarity": text._RARITY}
    sizes = ", ".join(f"{name} {len(memo)}" for name, memo in memos.items())
    print(f"{passes} x {len(docs)} documents; memo entries: {sizes} (bound {lexical.WORD_MEMO_LIMIT} each)")


if __name__ == "__main__":
    main()
