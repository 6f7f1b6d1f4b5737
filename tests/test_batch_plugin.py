"""A test-only plugin for the batch tests (no tests here): stages that misbehave on cue.

Listed by module name (``test_batch_plugin``) under ``plugins:`` in the test configs, so worker
processes import it too; ``tests/`` must be on ``sys.path`` (pytest puts it there; the CLI
tests set ``PYTHONPATH``). The markers in a document's text choose the fault:

``RAISE`` raises, ``HANG`` sleeps for an hour, ``NOTDOC`` returns a string, ``CORRUPT``
returns a document whose block lies outside the text, ``CRASH`` kills its own process,
``BASEEXC`` raises a bare ``BaseException``. The ``lazy`` stage is slow on its first call in
a process (as a stage loading a model on first use) and ``SLOW`` documents take 0.3 s.
``BATCH_TEST_PLUGIN_VERSION`` sets the plugin version (for cache invalidation tests).
"""

from __future__ import annotations

import os
import time

from pydantic import BaseModel, ConfigDict

from pipeline import Document, Stage, hookimpl
from pipeline.model import Block

__version__ = os.environ.get("BATCH_TEST_PLUGIN_VERSION", "1.0")


class MarkSettings(BaseModel):
    """Settings of the ``mark`` stage."""

    model_config = ConfigDict(extra="forbid")
    label: str = "marked"
    repeat: int = 1


class Mark(Stage):
    """Records its label and the word count in the metadata (a well-behaved stage)."""

    name = "mark"
    Settings = MarkSettings

    def process(self, doc: Document) -> Document:
        """Add ``metadata.mark`` and ``metadata.words``."""
        label = self.settings.label * self.settings.repeat  # type: ignore[attr-defined]
        return doc.model_copy(update={"metadata": {**doc.metadata, "mark": label, "words": len(doc.text.split())}})


class Faulty(Stage):
    """Misbehaves when the text carries a marker (see the module docstring)."""

    name = "faulty"

    def process(self, doc: Document) -> Document:
        """Pass ``doc`` through unless a marker says otherwise."""
        text = doc.text
        if "RAISE" in text:
            raise RuntimeError("deliberate failure")
        if "HANG" in text:
            time.sleep(3600)
        if "CRASH" in text:
            os._exit(3)
        if "BASEEXC" in text:
            raise BaseException("not an Exception")
        if "NOTDOC" in text:
            return "not a document"  # type: ignore[return-value]
        if "CORRUPT" in text:
            bad = Block(id="b1", kind="paragraph", start=0, end=len(text) + 50, text=text)
            return doc.model_copy(update={"blocks": [bad]})
        return doc


_LOADED: list[bool] = []


class Lazy(Stage):
    """Sleeps 1.5 s on its first call in a process (a model load), 0.3 s for ``SLOW`` documents."""

    name = "lazy"

    def process(self, doc: Document) -> Document:
        """Pass ``doc`` through, slowly."""
        if not _LOADED:
            time.sleep(1.5)
            _LOADED.append(True)
        if "SLOW" in doc.text:
            time.sleep(0.3)
        return doc


@hookimpl
def register_stages(register):  # type: ignore[no-untyped-def]
    """Register ``mark``, ``faulty`` and ``lazy``."""
    register(Mark)
    register(Faulty)
    register(Lazy)
