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
    """Does a mention cut a name in two?

    A name is a run of at least two name words (:func:`_is_name_word`) in one sentence. A cut
    is at a word boundary inside the run; a mention starting or ending inside one token
    ("China" of "Korea-China") cuts nothing. Tokens are looked at only around the mentions of
    the candidates asked about (the stage asks about the few it keeps).
    """

    __slots__ = ("tokens", "parts", "_name")

    def __init__(self, tokens: list[Token], parts: Parts) -> None:
        self.tokens = tokens
        self.parts = parts
        self._name: dict[int, bool] = {}

    def _joined(self, t: int) -> bool:
        """Tokens ``t`` and ``t + 1`` are words of one name."""
        tokens = self.tokens
        if t < 0 or t + 1 >= len(tokens) or tokens[t].sent != tokens[t + 1].sent:
            return False
        name = self._name
        for u in (t, t + 1):
            if u not in name:
                name[u] = _is_name_word(tokens[u])
        return name[t] and name[t + 1]

    def _cuts(self, first_part: int, last_part: int) -> bool:
        first, token = self.parts.first, self.parts.token
        ts, te = token[first_part], token[last_part]
        if first[ts] == first_part and self._joined(ts - 1):
            return True
        return first[te + 1] - 1 == last_part and self._joined(te)

    def is_fragment(self, c: Candidate) -> bool:
        """Every mention of ``c`` starts or ends inside a name."""
        if not c.mention_parts:
            return False
        n = len(c.key)
        return all(self._cuts(pi, pi + n - 1) for pi in c.mention_parts)
