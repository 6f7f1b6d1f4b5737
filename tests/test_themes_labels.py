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
    out = run(_CAPE, top_k=100, max_keyphrases=500)  # every candidate shown
    shown = {k.text for t in out.themes for k in t.keyphrases}
    assert "Cape Town" in shown
    for fragment in ("Cape", "Town", "CAPE", "TOWN", "Town ferries", "Town officials"):
        assert fragment not in shown
    theme = next(t for t in out.themes if any(k.text == "Cape Town" for k in t.keyphrases))
    assert "Cape Town" in theme.label


def test_a_word_used_alone_as_well_is_no_fragment() -> None:
    doc = build([
        ("paragraph", "Cape Town ferries stopped running. The ferries from the cape reach the "
                      "island twice a day, and the cape lighthouse guides the ferries at night."),
    ])
    shown = {k.text.lower() for t in run(doc, top_k=100, max_keyphrases=500).themes for k in t.keyphrases}
    assert "cape" in shown


def test_short_texts_in_other_languages_get_no_themes() -> None:
    for text in ("Die Regierung plant neue Steuern.", "Le café de Zoë est très joli.",
                 "El gobierno anunció nuevas medidas económicas.", "Het kabinet wil de belasting verhogen."):
        out = run(build([("paragraph", text)]))
        assert out.themes == [], text
        assert [d.code for d in out.diagnostics] == ["not-english"], text


def test_short_english_texts_with_names_or_loan_words_still_get_themes() -> None:
    for text in ("Charles de Gaulle Airport expands terminals.", "Zoë’s café reopens in Montréal.",
                 "Ferry workers strike at the port.", "Van Gogh painting sells for record sum."):
        out = run(build([("paragraph", text)]))
        assert out.themes, text
        assert "not-english" not in [d.code for d in out.diagnostics], text


def test_a_sentence_in_another_language_inside_english_prose_gives_no_keyphrases() -> None:
    doc = build([
        ("paragraph", "The harbour minister opened the new container terminal. « Le gouvernement "
                      "français est présent à Marseille pour soutenir le port », a déclaré le "
                      "ministre. Die Regierung plant neue Steuern. The container terminal handles "
                      "ships from Asia, and the minister praised the terminal workers."),
    ])
    out = run(doc)
    shown = " ".join(k.text.lower() for t in out.themes for k in t.keyphrases)
    assert "container terminal" in shown
    for word in ("français", "présent", "déclaré", "gouvernement", "regierung", "steuern", "neue"):
        assert word not in shown


def test_indefinite_pronouns_are_not_candidate_words() -> None:
    found = surfaces(build([("paragraph", "The census must count everyone, and nobody should be "
                                          "missed: everything depends on the census count.")]))
    assert "census count" in found
    assert not [s for s in found if {"everyone", "nobody", "everything"} & set(s.split())]
