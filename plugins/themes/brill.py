"""Part-of-speech tags exactly as TextBlob's default tagger gives them, without importing TextBlob.

TextBlob's English tagger (``textblob.en.parser.find_tags``) is a port of the tagger of Pattern
(De Smedt & Daelemans 2012, "Pattern for Python", JMLR 13), whose lexicon comes from Brill's
rule-based tagger v1.14 (Brill 1992, "A simple rule-based part of speech tagger", ANLP), trained
on the Brown corpus and the Penn Treebank, with words added from CMU's Twitter POS data. Called
with its default arguments, ``Parser.find_tags`` passes only the lexicon, the default tags
``("NN", "NNP", "CD")`` and an identity ``map`` on to ``textblob._text.find_tags``: no
morphology, context or entity rules and no language model. So its algorithm is:

1. a word in the lexicon gets the lexicon's tag; the first word of a sentence, if unknown as
   written, gets the tag of its lower-case form when that is known;
2. an unknown word that ``str.istitle()`` is ``NNP``;
3. an unknown word made only of digits and ``-,.:/%$`` is ``CD``;
4. any other unknown word gets Pattern's English suffix rules (``_suffix_rules``), starting
   from ``NN``.

This module does the same, but looks words up by bisection in the lexicon file rather than
importing TextBlob (which imports NLTK: 1-2 s per process) and loading all 94k entries. The data
is read from the installed ``textblob`` package (located with ``importlib.util.find_spec``,
which does not import it); TextBlob and Pattern ship it under the MIT and BSD licences (Brill's
lexicon: MIT licence, (c) 1993 MIT and the University of Pennsylvania).
"""

from __future__ import annotations

import importlib.util
import os
import re
from collections.abc import Sequence
from functools import lru_cache

from plugins.themes.wordfile import SortedWordFile

DEFAULT_TAG, PROPER_TAG, NUMBER_TAG = "NN", "NNP", "CD"

# textblob._text.CD: unknown words of digits and -,.:/%$ only are numbers
_NUMBER_RE = re.compile(r"^[0-9\-\,\.\:\/\%\$]+$")
_ADJECTIVE_SUFFIXES = ("able", "al", "ful", "ible", "ient", "ish", "ive", "less", "tic", "ous")
_VERB_SUFFIXES = ("ate", "ify", "ise", "ize")


def data_path(name: str) -> str:
    """Path of a data file shipped in TextBlob's ``en`` directory, e.g. ``"en-lexicon.txt"``.

    :raises ModuleNotFoundError: TextBlob (a declared dependency) is not installed.
    """
    spec = importlib.util.find_spec("textblob")
    if spec is None or not spec.submodule_search_locations:
        raise ModuleNotFoundError("the 'textblob' package, which ships the tagger's lexicon, is not installed")
    return os.path.join(list(spec.submodule_search_locations)[0], "en", name)


@lru_cache(maxsize=1)
def lexicon() -> SortedWordFile:
    """Brill's lexicon as TextBlob ships it: word -> its most frequent Penn Treebank tag."""
    return SortedWordFile(data_path("en-lexicon.txt"))


def suffix_tag(word: str) -> str:
    """Tag of an unknown word that is neither title-cased nor numeric, from its ending
    (Pattern's ``_suffix_rules``: later rules override earlier ones, hence the order)."""
    tag = DEFAULT_TAG
    if word.endswith("ing"):
        tag = "VBG"
    if word.endswith("ly"):
        tag = "RB"
    if word.endswith("s") and not word.endswith(("is", "ous", "ss")):
        tag = "NNS"
    if word.endswith(_ADJECTIVE_SUFFIXES) or "-" in word:
        tag = "JJ"
    if word.endswith("ed"):
        tag = "VBN"
    if word.endswith(_VERB_SUFFIXES):
        tag = "VBP"
    return tag


def unknown_tag(word: str) -> str:
    """Tag of a word the lexicon does not know: ``NNP`` if title-cased, ``CD`` if numeric,
    else by suffix."""
    if word.istitle():
        return PROPER_TAG
    if _NUMBER_RE.match(word) is not None:
        return NUMBER_TAG
    return suffix_tag(word)


# Tag of each word seen anywhere but first in a sentence (where its tag depends on the word
# alone): one dict lookup instead of a lexicon lookup and the unknown-word rules per token.
# Bounded like the other per-word memos.
_TAGS: dict[str, str] = {}
TAG_MEMO_LIMIT = 50_000


def _word_tag(word: str) -> str:
    tag = lexicon().find(word)  # memoised here, as the tag
    if tag is None:
        tag = unknown_tag(word)
    if len(_TAGS) >= TAG_MEMO_LIMIT:
        _TAGS.clear()
    _TAGS[word] = tag
    return tag


def find_tags(words: Sequence[str]) -> list[str]:
    """Penn Treebank tags of one sentence's words, one per word, identical to
    ``textblob.en.parser.find_tags(words)``'s tags.

    :param words: the sentence's tokens, punctuation included, in order.
    :raises ModuleNotFoundError: TextBlob's data is not installed.
    """
    get = _TAGS.get
    tags = [get(w) or _word_tag(w) for w in words]
    if tags:
        lex = lexicon()
        first = words[0]
        if lex.get(first) is None:
            # the first word of a sentence, unknown as written, gets the tag of its lower-case
            # form when that is known (an empty tag counts as unknown here, as in TextBlob)
            tags[0] = lex.get(first.lower()) or tags[0]
    return tags
