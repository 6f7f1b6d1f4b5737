"""Stage contracts: ``copydesk validate`` checks requires/provides order; the contract suite of
:mod:`pipeline.testing` catches misbehaving stages and holds for every built-in stage."""

from __future__ import annotations

import itertools
from typing import Any

import pytest
from pydantic import BaseModel, ConfigDict

from pipeline import Document, Section, Stage
from pipeline.plugins import make_plugin_manager
from pipeline.registry import Registry
from pipeline.testing import (
    FIXTURE_PROVIDES,
    StageContractError,
    check_stage_contract,
    stage_contract_problems,
)

pytest_plugins = ["pipeline.testing"]


class Forbid(BaseModel):
    model_config = ConfigDict(extra="forbid")


class Provider(Stage):
    """Provides widgets."""

    name = "provider_test"
    provides = ("widgets",)

    def process(self, doc: Document) -> Document:
        return doc.model_copy(update={"metadata": {**doc.metadata, "widgets": 1}})


class Consumer(Stage):
    """Requires widgets."""

    name = "consumer_test"
    requires = ("widgets",)

    def process(self, doc: Document) -> Document:
        return doc


# --- copydesk validate -----------------------------------------------------------------------


@pytest.fixture
def widget_plugins(register_plugin):
    register_plugin(Provider, Consumer, name="widgets_plugin")


def _validate(copydesk_cli, tmp_path, stages: list[str]):
    cfg = tmp_path / "pipeline.yaml"
    cfg.write_text("stages:\n" + "".join(f"  - name: {s}\n" for s in stages), encoding="utf-8")
    return copydesk_cli("validate", str(cfg))


def test_validate_refuses_a_stage_before_its_provider(widget_plugins, copydesk_cli, tmp_path):
    result = _validate(copydesk_cli, tmp_path, ["consumer_test", "provider_test"])
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "pipeline.yaml:2: stages -> 0 -> name: stage 'consumer_test' requires 'widgets'" in result.stderr
    assert "add a stage that provides it before this one (provider_test)" in result.stderr


def test_validate_accepts_the_provider_first(widget_plugins, copydesk_cli, tmp_path):
    result = _validate(copydesk_cli, tmp_path, ["provider_test", "consumer_test"])
    assert result.exit_code == 0, result.stderr
    assert "ok (provider_test -> consumer_test;" in result.stdout


def test_validate_refuses_a_requirement_nothing_provides(register_plugin, copydesk_cli, tmp_path):
    register_plugin(Consumer)
    result = _validate(copydesk_cli, tmp_path, ["consumer_test"])
    assert result.exit_code == 2
    assert "stage 'consumer_test' requires 'widgets', which no earlier stage provides" in result.stderr
    assert "add a stage" not in result.stderr


def test_validate_refuses_themes_before_sections_when_both_are_built_in(copydesk_cli, tmp_path):
    stages = make_plugin_manager(entry_points=False).registry.stages
    needs_sections = sorted(n for n, e in stages.items() if "sections" in e.cls.requires)
    if "sections" not in stages or not needs_sections:
        pytest.skip("needs the built-in sections stage and a built-in stage that requires sections")
    result = _validate(copydesk_cli, tmp_path, [needs_sections[0], "sections"])
    assert result.exit_code == 2
    assert f"stage {needs_sections[0]!r} requires 'sections'" in result.stderr
    assert "before this one (sections)" in result.stderr


# --- the contract suite catches misbehaving stages ------------------------------------------


class Good(Stage):
    """Tags every section 'seen'."""

    name = "good"
    provides = ("seen_tags",)
    Settings = Forbid

    def process(self, doc: Document) -> Document:
        out = doc.model_copy(deep=True)
        for s in out.sections:
            s.tags.append("seen")
        return out


class OutOfBounds(Good):
    """Adds a section past the end of the text."""

    name = "out_of_bounds"

    def process(self, doc: Document) -> Document:
        extra = Section(id="zz", start=0, end=len(doc.text) + 5)
        return doc.model_copy(update={"sections": [*doc.sections, extra]})


_counter = itertools.count()


class NonDeterministic(Good):
    """Writes a counter into the metadata."""

    name = "non_deterministic"

    def process(self, doc: Document) -> Document:
        return doc.model_copy(update={"metadata": {**doc.metadata, "n": next(_counter)}})


class Dropper(Good):
    """Drops themes and metadata it did not write."""

    name = "dropper"

    def process(self, doc: Document) -> Document:
        return doc.model_copy(update={"themes": [], "metadata": {}})


class TagEraser(Good):
    """Replaces section tags."""

    name = "tag_eraser"

    def process(self, doc: Document) -> Document:
        out = doc.model_copy(deep=True)
        for s in out.sections:
            s.tags = ["mine"]
        return out


class FailsOnEmpty(Good):
    """Indexes the first block."""

    name = "fails_on_empty"

    def process(self, doc: Document) -> Document:
        doc.blocks[0]  # noqa: B018 - the bug under test
        return doc


class Loose(BaseModel):
    top_k: int = 3


class LooseSettings(Good):
    """Settings accept unknown keys."""

    name = "loose"
    Settings = Loose


class Opaque:
    pass


class NoSchema(BaseModel):
    model_config = ConfigDict(extra="forbid", arbitrary_types_allowed=True)
    thing: Opaque | None = None


class NoSchemaStage(Good):
    """Settings without a JSON Schema."""

    name = "no_schema"
    Settings = NoSchema


class Undocumented(Good):
    name = "Undocumented-Stage"


Undocumented.__doc__ = None


def _problems(stage: type[Stage], **kwargs: Any) -> str:
    return "\n".join(stage_contract_problems(stage, **kwargs))


def test_a_good_stage_passes():
    assert stage_contract_problems(Good) == []
    check_stage_contract(Good)


def test_spans_out_of_bounds_are_caught():
    assert "sample document: stage out_of_bounds (test): produced an invalid document" in _problems(OutOfBounds)


def test_non_determinism_is_caught():
    assert "not deterministic" in _problems(NonDeterministic)


def test_dropping_earlier_output_is_caught():
    problems = _problems(Dropper)
    assert "dropped metadata keys ['earlier', 'title']" in problems  # make_document sets the title
    assert "dropped themes ['t0'] without providing 'themes'" in problems


def test_dropping_earlier_section_tags_is_caught():
    assert "dropped tags ['body', 'earlier-tag'] of section s1" in _problems(TagEraser)


def test_failing_on_an_empty_document_is_caught():
    problems = _problems(FailsOnEmpty)
    assert "empty document: stage fails_on_empty (test): IndexError" in problems
    assert "sample document:" not in problems


def test_settings_that_accept_unknown_keys_are_caught():
    assert "Settings does not forbid unknown keys" in _problems(LooseSettings)


def test_settings_without_a_json_schema_are_caught():
    assert "Settings has no JSON Schema" in _problems(NoSchemaStage)


def test_a_name_and_docstring_are_required():
    problems = _problems(Undocumented)
    assert "name 'Undocumented-Stage' is not a snake_case identifier" in problems
    assert "has no docstring" in problems


def test_invalid_settings_are_reported():
    assert "settings {'nope': 1} are invalid" in "\n".join(stage_contract_problems(Good, {"nope": 1}))


def test_unmet_requirements_need_before():
    assert "cannot check: requires ['widgets']; pass before=" in _problems(Consumer)
    assert stage_contract_problems(Consumer, before=[Provider]) == []


def test_check_stage_contract_raises_an_assertion_error_listing_problems():
    with pytest.raises(AssertionError) as info:
        check_stage_contract(Dropper)
    assert isinstance(info.value, StageContractError)
    assert str(info.value).startswith("stage 'dropper' breaks its contract:\n- ")
    assert len(info.value.problems) >= 2


# --- every built-in stage keeps the contract -------------------------------------------------


def _builtin_registry() -> Registry:
    return make_plugin_manager(entry_points=False).registry


BUILTIN_STAGES = sorted(n for n, e in _builtin_registry().stages.items() if e.plugin.startswith("copydesk."))


def _providers(registry: Registry, stage: type[Stage]) -> list[type[Stage]]:
    """Built-in stages to run first so that ``stage``'s requirements are met (in order)."""
    chain: list[type[Stage]] = []
    for req in stage.requires:
        if req in FIXTURE_PROVIDES:
            continue
        provider = next(e.cls for n, e in sorted(registry.stages.items()) if req in e.cls.provides)
        for cls in [*_providers(registry, provider), provider]:
            if cls not in chain:
                chain.append(cls)
    return chain


def test_at_least_one_built_in_stage_is_registered():
    assert BUILTIN_STAGES, "no built-in stage registered (plugins.sections, plugins.themes)"


@pytest.mark.parametrize("name", BUILTIN_STAGES)
def test_built_in_stage_keeps_the_contract(name):
    registry = _builtin_registry()
    stage = registry.stages[name].cls
    check_stage_contract(stage, before=_providers(registry, stage))
