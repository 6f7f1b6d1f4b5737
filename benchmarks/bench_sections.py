"""Benchmark ``tag_text``: characters per second over the section evaluation texts.

The texts are read at run time from ``../shared/eval/sections/sections.jsonl`` (relative to
the repository root, or ``--gold PATH``); they are normalised (BOM removed, CRLF/CR -> LF) as the
reader would, then tagged ``--repeat`` times on one core. Prints one line with the total
characters, the best wall time of a pass and the throughput in MB/s (10**6 characters/s).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from plugins.sections.tagger import tag_text  # noqa: E402

DEFAULT_GOLD = ROOT.parent / "shared" / "eval" / "sections" / "sections.jsonl"


def _normalise(text: str) -> str:
    if text.startswith("\ufeff"):
        text = text[1:]
    return text.replace("\r\n", "\n").replace("\r", "\n")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark; return the process exit code."""
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--gold", type=Path, default=DEFAULT_GOLD, help="sections.jsonl to read texts from")
    ap.add_argument("--repeat", type=int, default=5, help="passes over all texts (best is reported)")
    args = ap.parse_args(argv)
    if not args.gold.exists():
        print(f"no evaluation texts at {args.gold}", file=sys.stderr)
        return 2
    with args.gold.open(encoding="utf-8") as fh:
        texts = [_normalise(json.loads(line)["text"]) for line in fh if line.strip()]
    chars = sum(len(t) for t in texts)
    for t in texts[:3]:  # warm up
        tag_text(t)
    best = float("inf")
    for _ in range(max(1, args.repeat)):
        t0 = time.perf_counter()
        for t in texts:
            tag_text(t)
        best = min(best, time.perf_counter() - t0)
    print(f"tag_text: {len(texts)} texts, {chars} chars, best pass {best:.3f} s, {chars / best / 1e6:.2f} MB/s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
