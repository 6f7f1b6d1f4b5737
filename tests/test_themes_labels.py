"""Label quality of the themes stage: dating words, names written in capitals, other languages."""

from __future__ import annotations

from pipeline.model import Document
from plugins.themes import ThemeExtractor
from plugins.themes.features import analyse
from plugins.themes.testing import build


def run(doc: Document, **settings: object) -> Document:
    out = ThemeExtractor(ThemeExtractor.Settings(**settings)).process(doc)
    out.check()
    return out


def surfaces(doc: Document) -> set[str]:
    return {c.first_surface.lower() for c in analyse(doc).candidates}


_DATED = build([
    ("title", "Ferry workers strike at the port"),
    ("paragraph", "Ferry workers walked out Thursday after talks on pay collapsed. The union issued an "
                  "official statement Friday, and port managers met union leaders Monday night. "
                  "Crews on the night shift joined the ferry strike early Tuesday morning, and the "
                  "port expects the strike to last until March."),
])


def test_calendar_and_clock_words_never_start_or_end_a_candidate() -> None:
    found = surfaces(_DATED)
    days = ("thursday", "friday", "monday", "tuesday", "march", "night", "morning")
    for s in found:
        words = s.split()
        assert words[0] not in days[:5] and words[-1] not in days, s
    assert "official statement" in found and "union leaders" in found
    assert "night shift" in found  # a time of day may lead: it names a kind of shift


def test_no_theme_label_is_a_dating_word() -> None:
    out = run(_DATED)
    labels = [t.label.lower() for t in out.themes]
    assert labels and any("strike" in lab for lab in labels)
    for lab in labels:
        assert lab.split()[-1] not in ("thursday", "friday", "monday", "tuesday", "night", "morning"), lab


_CAPE = build([
    ("paragraph", "CAPE TOWN (Wire) - Cape Town ferries stopped running as the harbour flooded. "
                  "Residents of Cape Town said the harbour walls failed during the storm, and Cape "
                  "Town officials promised new harbour walls before winter."),
])


def test_a_name_is_one_keyphrase_not_its_words() -> None:
    out = run(_CAPE)
    shown = {k.text for t in out.themes for k in t.keyphrases}
    assert "Cape Town" in shown
    for fragment in ("Cape", "Town", "CAPE", "TOWN", "Town ferries", "Town officials"):
        assert fragment not in shown
    theme = next(t for t in out.themes if any(k.text == "Cape Town" for k in t.keyphrases))
    assert theme.label == "Cape Town"


def test_a_word_used_alone_as_well_is_no_fragment() -> None:
    doc = build([
        ("paragraph", "Cape Town ferries stopped running. The ferries from the cape reach the "
                      "island twice a day, and the cape lighthouse guides the ferries at night."),
    ])
    shown = {k.text.lower() for t in run(doc).themes for k in t.keyphrases}
    assert "cape" in shown or "cape lighthouse" in shown
