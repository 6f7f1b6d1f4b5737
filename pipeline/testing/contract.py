"""The stage contract suite: :func:`check_stage_contract` in one line, or the list of problems.

A stage keeps its contract when it has a name and a docstring, its settings model forbids
unknown keys and has a JSON Schema, and on an empty document, a headings-only document, a
plain-text document and a non-ASCII sample it returns valid documents, deterministically,
keeping what earlier stages wrote.
"""


from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from pydantic import BaseModel

from pipeline.errors import StageError
from pipeline.model import Diagnostic, Document, Keyphrase, StageRecord, Theme
from pipeline.registry import Stage
from pipeline.testing.documents import FIXTURE_PROVIDES, document_from_text
from pipeline.testing.running import single_stage_pipeline


class StageContractError(AssertionError):
    """A stage broke its contract; the message lists every problem, one per line.

    :ivar problems: the problems found.
    """

    def __init__(self, stage: str, problems: list[str]) -> None:
        self.problems = problems
        super().__init__(f"stage {stage!r} breaks its contract:\n" + "\n".join(f"- {p}" for p in problems))


SAMPLE_TEXT = (
    "# Café notes\n\n"
    "An introduction to naïve brewing — with an emoji ☕ and 😀 outside the BMP.\n\n"
    "## Brewing coffee\n\n"
    "Water, coffee and patience. Coffee beans are ground before brewing.\n\n"
    "- grind the beans\n\n"
    "### Temperature\n\n"
    "Water just off the boil extracts coffee well.\n\n"
    "## Conclusion\n\n"
    "Good coffee needs fresh beans and clean water."
)
HEADINGS_ONLY_TEXT = "# Title\n\n## One\n\n## Two\n\n### Two point one"


def _sample_documents() -> dict[str, Document]:
    sample = document_from_text(SAMPLE_TEXT, "sample")
    # What earlier stages wrote, which the stage under test must keep.
    sample.metadata["earlier"] = "kept"
    sample.sections[1].tags.append("earlier-tag")
    start = sample.text.index("coffee")
    sample.themes.append(Theme(
        id="t0", label="coffee", score=0.5, section_ids=[sample.sections[1].id],
        keyphrases=[Keyphrase(text="coffee", score=0.5, mentions=[(start, start + 6)])],
    ))
    sample.diagnostics.append(Diagnostic(stage="earlier", level="info", code="earlier", message="kept"))
    sample.stages.append(StageRecord(name="earlier", plugin="test", version="0"))
    return {
        "empty document": Document(id="empty", text=""),
        "headings-only document": document_from_text(HEADINGS_ONLY_TEXT, "headings"),
        "plain-text document": document_from_text(SAMPLE_TEXT, "plain", structure=False),
        "sample document": sample,
    }


def _dropped(before: Document, after: Document, provides: Iterable[str]) -> list[str]:
    """What ``after`` lost of ``before`` that the stage does not claim to provide."""
    provided = set(provides)
    lost: list[str] = []
    if after.text != before.text:
        lost.append("changed Document.text (spans of earlier stages would point at the wrong characters)")
    if after.source != before.source:
        lost.append("changed Document.source")
    missing_meta = sorted(set(before.metadata) - set(after.metadata))
    if missing_meta:
        lost.append(f"dropped metadata keys {missing_meta}")
    if after.diagnostics[: len(before.diagnostics)] != before.diagnostics:
        lost.append("dropped or changed earlier diagnostics")
    if after.stages[: len(before.stages)] != before.stages:
        lost.append("dropped or changed earlier stage records")
    if "blocks" not in provided and [b.model_dump() for b in after.blocks] != [b.model_dump() for b in before.blocks]:
        lost.append("changed blocks without providing 'blocks'")
    if "sections" not in provided:
        after_sections = {s.id: s for s in after.sections}
        for s in before.sections:
            got = after_sections.get(s.id)
            if got is None or (got.start, got.end, got.parent) != (s.start, s.end, s.parent):
                lost.append(f"dropped or moved section {s.id} without providing 'sections'")
            elif not set(s.tags) <= set(got.tags):
                lost.append(f"dropped tags {sorted(set(s.tags) - set(got.tags))} of section {s.id}")
    if "themes" not in provided:
        missing_themes = sorted({t.id for t in before.themes} - {t.id for t in after.themes})
        if missing_themes:
            lost.append(f"dropped themes {missing_themes} without providing 'themes'")
    return lost


def stage_contract_problems(
    stage: type[Stage],
    settings: Mapping[str, Any] | None = None,
    *,
    before: Sequence[type[Stage] | tuple[type[Stage], Mapping[str, Any]]] = (),
    documents: Mapping[str, Document] | None = None,
) -> list[str]:
    """Check ``stage`` against the stage contract; return the problems (empty when it holds).

    The contract: the stage has a name and a docstring; its ``Settings`` is a pydantic model
    that forbids unknown keys, has a JSON Schema and validates ``settings``; on an empty
    document, a headings-only document, a plain-text document (no blocks) and a sample with
    non-ASCII text it returns a valid :class:`~pipeline.model.Document` (spans in bounds), the
    same output on a second run and from a fresh instance (deterministic), and keeps what
    earlier stages wrote (text, source, metadata keys, diagnostics, stage records, and the
    blocks, sections and section tags, themes it does not itself ``provide``).

    Documents whose content the stage ``requires`` but neither the fixtures
    (:data:`FIXTURE_PROVIDES`) nor ``before`` provide are skipped with a problem saying so.

    :param stage: the stage class.
    :param settings: settings for the stage (defaults when ``None``).
    :param before: stages (or ``(stage, settings)`` pairs) run first on each document, e.g.
        the stage that provides what this one requires.
    :param documents: extra ``{description: document}`` inputs to check as well.
    :returns: human-readable problems, one per broken rule and document.
    """
    problems: list[str] = []
    if not stage.name or not re.fullmatch(r"[a-z][a-z0-9_]*", stage.name):
        problems.append(f"name {stage.name!r} is not a snake_case identifier")
    if not stage.summary():
        problems.append("has no docstring (its first line is what `copydesk plugins` shows)")
    model = getattr(stage, "Settings", None)
    if not (isinstance(model, type) and issubclass(model, BaseModel)):
        return [*problems, "Settings is not a pydantic model"]
    if model.model_config.get("extra") != "forbid":
        problems.append("Settings does not forbid unknown keys (model_config = ConfigDict(extra='forbid'))")
    try:
        schema = model.model_json_schema()
        if schema.get("type") != "object":
            problems.append("Settings JSON Schema is not an object schema")
    except Exception as err:  # noqa: BLE001 - reported, not raised
        problems.append(f"Settings has no JSON Schema: {type(err).__name__}: {err}")
    try:
        parsed = model.model_validate(dict(settings or {}))
    except Exception as err:  # noqa: BLE001
        return [*problems, f"settings {dict(settings or {})!r} are invalid: {err}"]

    upstream: list[tuple[type[Stage], BaseModel]] = []
    for item in before:
        cls, raw = item if isinstance(item, tuple) else (item, {})
        upstream.append((cls, cls.Settings.model_validate(dict(raw))))
    provided_upstream = {p for cls, _ in upstream for p in cls.provides}

    docs = {**_sample_documents(), **(documents or {})}
    for label, doc in docs.items():
        has = set(FIXTURE_PROVIDES if doc.blocks or not doc.text else ("text", "source")) | provided_upstream
        unmet = [r for r in stage.requires if r not in has]
        if unmet:
            if label == "sample document":
                problems.append(f"cannot check: requires {unmet}; pass before=[a stage that provides it]")
            continue
        try:
            for cls, up_settings in upstream:
                doc = single_stage_pipeline(cls, up_settings, "upstream").run_stages(doc)
        except StageError as err:
            problems.append(f"{label}: an upstream stage failed: {err}")
            continue
        problems.extend(f"{label}: {p}" for p in _check_on(stage, parsed, doc))
    return problems


def _check_on(stage: type[Stage], settings: BaseModel, doc: Document) -> list[str]:
    pipeline = single_stage_pipeline(stage, settings)
    try:
        first = pipeline.run_stages(doc.model_copy(deep=True))
        again = pipeline.run_stages(doc.model_copy(deep=True))
        fresh = single_stage_pipeline(stage, settings).run_stages(doc.model_copy(deep=True))
    except StageError as err:
        return [str(err)]
    out: list[str] = []
    dump = first.model_dump(mode="json")
    if again.model_dump(mode="json") != dump or fresh.model_dump(mode="json") != dump:
        out.append("not deterministic: the same input gave different documents")
    out.extend(_dropped(doc, first, stage.provides))
    return out


def check_stage_contract(
    stage: type[Stage],
    settings: Mapping[str, Any] | None = None,
    *,
    before: Sequence[type[Stage] | tuple[type[Stage], Mapping[str, Any]]] = (),
    documents: Mapping[str, Document] | None = None,
) -> None:
    """Assert the stage contract in one line: ``check_stage_contract(MyStage)``.

    Same arguments as :func:`stage_contract_problems`.

    :raises StageContractError: listing every problem found (an :class:`AssertionError`, so
        pytest shows it as a test failure).
    """
    problems = stage_contract_problems(stage, settings, before=before, documents=documents)
    if problems:
        raise StageContractError(stage.name, problems)


