"""copydesk-wordlist: a copydesk stage that tags the sections mentioning words from a list."""

from __future__ import annotations

import re
from collections.abc import Callable

from pydantic import BaseModel, ConfigDict, Field

from pipeline import Document, Stage, hookimpl

__version__ = "0.1.0"


class WordlistSettings(BaseModel):
    """Settings of the ``wordlist`` stage."""

    model_config = ConfigDict(extra="forbid")
    words: list[str] = Field(default_factory=list, description="words to look for, matched as whole words")
    case_sensitive: bool = Field(default=False, description="match the words' case exactly")


class WordlistTagger(Stage):
    """Tags each section that mentions a listed word with ``mentions:WORD``."""

    name = "wordlist"
    requires = ("sections",)
    provides = ("wordlist_tags",)
    Settings = WordlistSettings
    settings: WordlistSettings

    def process(self, doc: Document) -> Document:
        """Return a copy of ``doc`` whose sections carry a ``mentions:WORD`` tag per word found."""
        flags = 0 if self.settings.case_sensitive else re.IGNORECASE
        blocks = doc.block_by_id()
        out = doc.model_copy(deep=True)
        for section in out.sections:
            text = "\n".join(blocks[b].text for b in section.block_ids)
            for word in self.settings.words:
                tag = f"mentions:{word}"
                if tag not in section.tags and re.search(rf"\b{re.escape(word)}\b", text, flags):
                    section.tags.append(tag)
        return out


@hookimpl
def register_stages(register: Callable[[type[Stage]], None]) -> None:
    """Register the ``wordlist`` stage."""
    register(WordlistTagger)
