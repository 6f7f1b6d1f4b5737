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
"""

from __future__ import annotations

import argparse
import json
import random
import re
import statistics
import time

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
    ap.add_argument("--jsonl", help="time articles from this JSONL corpus instead")
    args = ap.parse_args()
    stage = ThemeExtractor()
    if args.jsonl:
        corpus = from_jsonl(args.jsonl)
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


if __name__ == "__main__":
    main()
