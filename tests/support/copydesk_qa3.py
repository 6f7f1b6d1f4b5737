"""Test-only plugin for the QA-3 findings: a stage that renames documents, an exporter whose
suffix collides with json's, a stage that is slow on first use in a process, a stage that sleeps
on request."""

from __future__ import annotations

import os
import time

from pydantic import BaseModel, ConfigDict

from pipeline import Document, Exporter, Stage, hookimpl


class Renamer(Stage):
    """Gives documents whose text holds ``RENAME:<id>`` that id (a stage must not)."""

    name = "renamer"

    def process(self, doc: Document) -> Document:
        marker = doc.text.partition("RENAME:")[2].split()
        return doc.model_copy(update={"id": marker[0]}) if marker else doc


class SameSuffix(Exporter):
    """Writes ``.json`` files, as the built-in json exporter does."""

    name = "same_suffix"
    suffix = ".json"

    def render(self, doc: Document) -> bytes:
        return b"{}"


class SlowStartSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")
    seconds: float = 1.0


class SlowStart(Stage):
    """Sleeps ``seconds`` on its first document in a process (a model load), then is quick."""

    name = "slow_start"
    Settings = SlowStartSettings
    _loaded_in: int | None = None

    def process(self, doc: Document) -> Document:
        if SlowStart._loaded_in != os.getpid():
            time.sleep(self.settings.seconds)  # type: ignore[attr-defined]
            SlowStart._loaded_in = os.getpid()
        return doc


class Sleeper(Stage):
    """Sleeps on documents whose text holds SLEEP (a hanging stage)."""

    name = "sleeper"

    def process(self, doc: Document) -> Document:
        if "SLEEP" in doc.text:
            time.sleep(30)
        return doc


class Crasher(Stage):
    """Ends its process at once on documents whose text holds CRASH (a segfaulting library)."""

    name = "crasher"

    def process(self, doc: Document) -> Document:
        if "CRASH" in doc.text:
            os._exit(7)
        return doc


@hookimpl
def register_stages(register):  # type: ignore[no-untyped-def]
    register(Renamer)
    register(Crasher)
    register(SlowStart)
    register(Sleeper)


@hookimpl
def register_exporters(register):  # type: ignore[no-untyped-def]
    register(SameSuffix)
