"""The themes stage's tagger (plugins.themes.brill) and word-file lookup (plugins.themes.wordfile).

The tagger must give exactly TextBlob's tags (it replaces ``textblob.en.parser.find_tags``), so
these tests import TextBlob as the reference; the module under test must not.
"""

from __future__ import annotations

import glob
import json
import math
import os
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from plugins.themes import brill
from plugins.themes.text import rarity, split_sentences, tag_sentences, tokenize
from plugins.themes.wordfile import SortedWordFile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEEDS = sorted(glob.glob(os.path.join(ROOT, "seeds", "*.txt")))
EVAL = "/work/shared/eval/keyphrase"

# Unknown words, numbers, hyphens, capitals, sentence-initial words, possessives, symbols.
CRAFTED = [
    "The cat purrs quietly.",
    "Running is fun, and swimming is better.",
    "Unfrobnicated widgets were glorpingly reticulated by 3 zorblers.",
    "Quixotic blorfs contemplate the unknowable flimflammery.",
    "Blorfish zanted quickly; the grontastic mavelling continued.",
    "It cost $4.50, or 3,000 yen, on 12/03/2024 at 10:30 -- about 15% more.",
    "COVID-19 hit the U.S. in 2020-21, says Dr. O'Brien of AT&T.",
    "State-of-the-art, well-known and long-term plans matter.",
    "Apple and Google met in New York; Mr. Smith's team of iPhone users cheered.",
    "USA TODAY reported that NASA's rover found water.",
    "Globalise, simplify, modernize and evaluate the deliverables.",
    "She said: \u201cthe café’s crème brûlée is naïve\u201d.",
    "Hopeless, careful, sensible, patient, childish, active, and realistic voters.",
    "Protests spread; thousands marched.",
    "Analysis of ion-exchange chromatography is crucial.",
    "In 1990 the Census Bureau counted 248,709,873 people.",
    "Analyses show that the Nasdaq rose 2.1 percent.",
    "www.example.org and bob@example.com are addresses.",
]


def reference_tags(words: list[str]) -> list[str]:
    from textblob.en import parser

    return [tag for _, tag in parser.find_tags(words)]


def reference_tag_sentences(sents: list[list[tuple[str, int, int]]], title_case: bool) -> list[str]:
    """Tags as plugins.themes.text.tag_sentences computed them with TextBlob (before brill.py)."""
    from textblob.en import parser

    out: list[str] = []
    for sent in sents:
        words = [t[0] for t in sent]
        if title_case:
            words = [w.lower() if w[:1].isupper() and w.lower() in parser.lexicon else w for w in words]
        for w, (_, tag) in zip(words, parser.find_tags(words), strict=True):
            out.append("POS" if w[:1] in "'\u2019" and w[1:].lower() == "s" else tag)
    return out


def sentences(text: str) -> list[list[tuple[str, int, int]]]:
    return split_sentences(tokenize(text), text, 0)


# --- SortedWordFile -----------------------------------------------------------------------------


def write(tmp_path: object, name: str, text: str) -> str:
    path = os.path.join(str(tmp_path), name)
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write(text)
    return path


WORDS = (
    ";;; header\n;;; more header\n\n; .\n;) UH\na DT\nab NN\nab-c JJ\nabc NN\ncafé NN\nnaïve JJ\nzoo NN\n"
    "\u00e9t\u00e9 NN"
)


@pytest.mark.parametrize("trailing_newline", [False, True])
def test_wordfile_finds_every_key_and_only_keys(tmp_path: object, trailing_newline: bool) -> None:
    path = write(tmp_path, "w.txt", WORDS + ("\n" if trailing_newline else ""))
    words = SortedWordFile(path)
    assert words.get(";") == "."  # first entry: starts like the comment marker, below the header
    assert words.get(";)") == "UH"
    assert words.get("\u00e9t\u00e9") == "NN"  # last entry, non-ASCII (sorts after ASCII)
    assert words.get("café") == "NN" and words.get("naïve") == "JJ"
    assert words.get("a") == "DT" and words.get("ab") == "NN"  # prefixes of later keys
    assert words.get("abc") == "NN" and words.get("ab-c") == "JJ"
    for missing in ("", ";;;", ";;; header", "header", "A", "aa", "abcd", "cafe", "zzz", "\uffff", "ab NN", "a\nb"):
        assert words.get(missing) is None, missing
        assert missing not in words
    assert words.get("missing", "NN") == "NN"
    assert "zoo" in words and 3 not in words


def test_wordfile_empty_and_header_only(tmp_path: object) -> None:
    assert SortedWordFile(write(tmp_path, "empty.txt", "")).get("a") is None
    only_header = SortedWordFile(write(tmp_path, "header.txt", ";;; nothing\n;;;\n"))
    assert only_header.get("a") is None and only_header.body() == b""


def test_wordfile_key_without_value(tmp_path: object) -> None:
    words = SortedWordFile(write(tmp_path, "bare.txt", "a 1\nb\nc 3 and more\n"))
    assert words.get("b") == "" and words.get("c") == "3 and more"


@settings(max_examples=60, deadline=None)
@given(
    entries=st.dictionaries(
        st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc")), min_size=1, max_size=6),
        st.text("abcXYZ019", min_size=1, max_size=4),
        max_size=40,
    ),
    probes=st.lists(st.text(st.characters(blacklist_categories=("Cs",)), max_size=6), max_size=20),
)
def test_wordfile_agrees_with_a_dict(tmp_path_factory: pytest.TempPathFactory, entries: dict[str, str],
                                     probes: list[str]) -> None:
    entries = {k: v for k, v in entries.items() if not k.startswith(";;;")}
    lines = [f"{k} {v}" for k, v in sorted(entries.items())]
    path = write(tmp_path_factory.mktemp("w"), "w.txt", ";;; header\n" + "\n".join(lines))
    words = SortedWordFile(path)
    for key in [*entries, *probes]:
        assert words.get(key) == entries.get(key), key


@pytest.mark.parametrize("name", ["en-lexicon.txt", "en-spelling.txt"])
def test_shipped_word_files_are_sorted_with_unique_keys(name: str) -> None:
    """Bisection relies on this; a new TextBlob release could break it."""
    with open(brill.data_path(name), "rb") as f:
        lines = [line.strip() for line in f.read().split(b"\n")]
    body = lines[next(i for i, line in enumerate(lines) if line and not line.startswith(b";;;")):]
    keys = [line.split(b" ")[0] for line in body if line]
    assert all(len(line.split(b" ")) == 2 for line in body if line)
    assert all(a < b for a, b in zip(keys, keys[1:], strict=False))
    assert len(keys) > 20_000


# --- the tagger ---------------------------------------------------------------------------------


def test_crafted_sentences_tag_like_textblob() -> None:
    for text in CRAFTED:
        for sent in sentences(text):
            words = [t[0] for t in sent]
            assert brill.find_tags(words) == reference_tags(words), words


def test_unknown_words_use_each_default() -> None:
    expected = {"Zorblax": "NNP", "12,000": "CD", "blorfing": "VBG", "blorfly": "RB", "blorfs": "NNS",
                "blorf-like": "JJ", "blorfed": "VBN", "blorfize": "VBP", "blorf": "NN"}
    assert brill.find_tags(["the", *expected]) == ["DT", *expected.values()]
    # a sentence-initial capital falls back to the lower-case entry; elsewhere it stays a name
    assert brill.find_tags(["Swimming", "Swimming"]) == ["VBG", "NNP"]


@pytest.mark.parametrize("title_case", [False, True])
def test_seed_article_tags_like_textblob(title_case: bool) -> None:
    assert SEEDS, "seeds/ has the sample article"
    for path in SEEDS:
        with open(path, encoding="utf-8") as f:
            text = f.read()
        sents = sentences(text)
        ours = [t.tag for t in tag_sentences(sents, title_case=title_case)]
        assert ours == reference_tag_sentences(sents, title_case)


@pytest.mark.skipif(not os.path.isdir(EVAL), reason="evaluation texts (/work/shared) not present")
def test_eval_sample_tags_like_textblob() -> None:
    checked = 0
    for path in sorted(glob.glob(os.path.join(EVAL, "*.jsonl"))):
        with open(path, encoding="utf-8") as f:
            records = [json.loads(line) for _, line in zip(range(40), f, strict=False)]
        for rec in records:
            for sent in sentences(rec["text"]):
                words = [t[0] for t in sent]
                assert brill.find_tags(words) == reference_tags(words), words
                checked += len(words)
    assert checked > 1000


def test_rarity_matches_the_full_word_counts() -> None:
    counts: dict[str, int] = {}
    with open(brill.data_path("en-spelling.txt"), encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not line.startswith(";;;") and len(parts) == 2 and parts[1].isdigit():
                counts[parts[0]] = int(parts[1])
    top = math.log(max(counts.values()) + 1.0)
    words = {w for text in CRAFTED for w, _, _ in tokenize(text)} | set(list(counts)[::500]) | {"the", "The", "zzzzq"}
    for w in words:
        assert rarity(w) == 1.0 - math.log(counts.get(w.lower(), 0) + 1.0) / top, w
    assert rarity("the") < rarity("committee") < rarity("zzzzq") == 1.0


def test_tagging_imports_neither_textblob_nor_nltk() -> None:
    code = (
        "import sys\n"
        "from plugins.themes.text import rarity, split_sentences, tag_sentences, tokenize, warm_up\n"
        "warm_up()\n"
        "text = 'The committee approved 12 new rules on Tuesday.'\n"
        "tags = [t.tag for t in tag_sentences(split_sentences(tokenize(text), text, 0), title_case=True)]\n"
        "assert tags[:3] == ['DT', 'NN', 'VBD'], tags\n"
        "rarity('committee')\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('textblob', 'nltk')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
