"""The floor: the least a batch tool must do per document, to compare copydesk against.

Reads every file under the input directories (sorted, recursively), splits the text into
words and sentences with regular expressions and writes one JSON file per document
(``{"id", "words", "sentences"}``) into the output directory. One process, no validation,
no atomic writes.

Usage: ``python benchmarks/floor.py INPUT_DIR OUTPUT_DIR``
"""

from __future__ import annotations

import json
import os
import re
import sys

WORD = re.compile(r"\w+(?:[-']\w+)*")
SENTENCE = re.compile(r"[^.!?]+(?:[.!?]+|$)")


def main(argv: list[str]) -> int:
    """Process ``argv[0]`` into ``argv[1]``; return the exit status."""
    src, dst = argv
    os.makedirs(dst, exist_ok=True)
    for dirpath, dirnames, filenames in os.walk(src):
        dirnames.sort()
        for name in sorted(filenames):
            path = os.path.join(dirpath, name)
            with open(path, "rb") as fh:
                text = fh.read().decode("utf-8", "replace")
            doc_id = os.path.splitext(os.path.relpath(path, src))[0].replace(os.sep, "__")
            record = {
                "id": doc_id,
                "words": WORD.findall(text),
                "sentences": [s.strip() for s in SENTENCE.findall(text) if s.strip()],
            }
            with open(os.path.join(dst, doc_id + ".json"), "w", encoding="utf-8") as out:
                json.dump(record, out, ensure_ascii=False)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
