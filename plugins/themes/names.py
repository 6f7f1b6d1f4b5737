"""Names written as runs of capitalised words ("Hong Kong", "HONG KONG", "Hang Seng"), and the
candidates that only ever cut through one ("Hong", "Kong", "Kong shares").

Candidates include every sub-sequence of a noun-phrase chunk (:mod:`.candidates`), so a name of
two words also gives each word alone and phrases that start inside it. Such a fragment names
nothing by itself when *every* mention of it starts or ends between two words of a name: it is
kept out of the keyphrases, as the name and the phrases holding the whole name are there.
"""

from __future__ import annotations

from plugins.themes.candidates import PROPER_NOUN, Candidate, Parts
from plugins.themes.text import Token


def _is_name_word(tok: Token) -> bool:
    """A word of a name: a capitalised proper noun, or a word in capitals ("HONG KONG" in a
    dateline, which the tagger takes for common nouns)."""
    text = tok.text
    if not text[:1].isupper():
        return False
    return tok.tag in PROPER_NOUN or (len(text) > 1 and text.isupper() and any(ch.isalpha() for ch in text))


class NameCuts:
    """Per part: does a mention that starts (ends) at this part cut a name in two?

    A name is a run of at least two name words (:func:`_is_name_word`) in one sentence. A cut
    is at a word boundary inside the run; a mention starting or ending inside one token
    ("China" of "Korea-China") cuts nothing.
    """

    __slots__ = ("cut_start", "cut_end", "any")

    def __init__(self, tokens: list[Token], parts: Parts) -> None:
        n = len(tokens)
        name = [_is_name_word(t) for t in tokens]
        # joined[t]: token t and token t + 1 are words of one name
        joined = [name[t] and t + 1 < n and name[t + 1] and tokens[t].sent == tokens[t + 1].sent for t in range(n)]
        self.any = any(joined)
        self.cut_start: set[int] = set()  # first part of a token that continues a name
        self.cut_end: set[int] = set()  # last part of a token that a name continues after
        if not self.any:
            return
        first = parts.first
        for t in range(n):
            if joined[t] and first[t + 1] > first[t]:
                self.cut_end.add(first[t + 1] - 1)
            if t > 0 and joined[t - 1] and first[t + 1] > first[t]:
                self.cut_start.add(first[t])

    def is_fragment(self, c: Candidate) -> bool:
        """Every mention of ``c`` starts or ends inside a name."""
        if not self.any or not c.mention_parts:
            return False
        n = len(c.key)
        starts, ends = self.cut_start, self.cut_end
        return all(pi in starts or pi + n - 1 in ends for pi in c.mention_parts)
