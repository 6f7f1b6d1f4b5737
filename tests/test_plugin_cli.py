"""``copydesk plugins`` and ``copydesk stages``: what is installed and how to configure it."""

from __future__ import annotations

import json
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from pipeline import Document, Stage
from pipeline.cli.plugins import settings_rows

pytest_plugins = ["pipeline.testing"]


class KnobSettings(BaseModel):
    """Settings of the knob stage.

    :ivar mode: how to turn the knob,
        clockwise or not.
    """

    model_config = ConfigDict(extra="forbid")
    top_k: int = Field(default=10, ge=1, le=50, description="how many [things] to keep")
    labels: list[str] = Field(default_factory=lambda: ["a", "b"], description="labels to add")
    mode: Literal["cw", "ccw"] = "cw"
    threshold: float | None = None
    required_word: str = Field(min_length=1, description="a word that must be given")


class Knob(Stage):
    """Turns the knob on every document.

    More detail that listings do not show.
    """

    name = "knob"
    requires = ("sections",)
    provides = ("knob_turns",)
    Settings = KnobSettings

    def process(self, doc: Document) -> Document:
        return doc


def test_plugins_json_lists_builtins_with_distribution_version_and_summaries(copydesk_cli):
    result = copydesk_cli("plugins", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    rows = {p["name"]: p for p in data["plugins"]}
    text = rows["copydesk.read_text"]
    assert (text["distribution"], text["origin"]) == ("copydesk", "builtin")
    assert text["version"] and text["version"] != "-"
    summary = "Reads plain text files (.txt, .text, files without a known suffix)."
    assert text["readers"] == [{"name": "text", "summary": summary}]
    assert rows["copydesk.export_json"]["exporters"][0]["name"] == "json"
    assert set(text) == {"name", "distribution", "version", "origin", "readers", "stages", "exporters"}
    assert isinstance(data["failed"], dict)


def test_plugins_json_shows_a_registered_plugin_and_its_stage(register_plugin, copydesk_cli):
    register_plugin(Knob, name="knob_plugin")
    data = json.loads(copydesk_cli("plugins", "--json").stdout)
    row = next(p for p in data["plugins"] if p["name"] == "knob_plugin")
    assert row["stages"] == [{"name": "knob", "summary": "Turns the knob on every document."}]
    assert row["origin"] == "object"


def test_plugins_table(register_plugin, copydesk_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    register_plugin(Knob, name="knob_plugin")
    result = copydesk_cli("plugins")
    assert result.exit_code == 0
    out = result.stdout
    assert "copydesk plugins" in out and "distribution" in out
    row = next(line for line in out.splitlines() if "knob_plugin" in line)
    assert "stage knob: Turns the knob on every document." in row
    assert "copydesk.read_text" in out


def test_settings_rows_types_defaults_descriptions_constraints():
    rows = {r["name"]: r for r in settings_rows(KnobSettings)}
    assert rows["top_k"] == {"name": "top_k", "type": "int", "default": 10, "required": False,
                             "constraints": [">= 1", "<= 50"], "description": "how many [things] to keep"}
    assert rows["labels"]["type"] == "list[str]" and rows["labels"]["default"] == ["a", "b"]
    assert rows["mode"]["type"] == "Literal['cw', 'ccw']"
    assert rows["mode"]["description"] == "how to turn the knob, clockwise or not."  # from :ivar:
    assert rows["threshold"]["type"] == "float | None" and rows["threshold"]["default"] is None
    assert rows["required_word"]["required"] is True
    assert rows["required_word"]["constraints"] == ["length >= 1"]
    assert list(rows) == ["top_k", "labels", "mode", "threshold", "required_word"]


def test_stages_name_shows_settings(register_plugin, copydesk_cli, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")
    register_plugin(Knob)
    result = copydesk_cli("stages", "knob")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert out.startswith("knob: Turns the knob on every document.\n")
    assert "requires: sections; provides: knob_turns" in out
    for fragment in ("top_k", "int", "10", "how many [things] to keep", ">= 1", "list[str]", '["a", "b"]',
                     "Literal['cw', 'ccw']", "required"):
        assert fragment in out, fragment
    assert "in a pipeline config:\nstages:\n- name: knob\n  settings:\n    top_k: 10\n" in out
    assert "required_word: <str, required>" in out
    row = next(line for line in out.splitlines() if "top_k" in line)
    assert "how many [things] to keep (>= 1, <= 50)" in row


def test_stages_name_json(register_plugin, copydesk_cli):
    register_plugin(Knob)
    data = json.loads(copydesk_cli("stages", "knob", "--json").stdout)
    assert (data["name"], data["requires"], data["provides"]) == ("knob", ["sections"], ["knob_turns"])
    assert data["schema"]["properties"]["top_k"]["maximum"] == 50
    assert [s["name"] for s in data["settings"]][:2] == ["top_k", "labels"]


def test_stages_lists_every_stage(register_plugin, copydesk_cli):
    register_plugin(Knob, name="knob_plugin")
    listing = json.loads(copydesk_cli("stages", "--json").stdout)["stages"]
    knob = next(s for s in listing if s["name"] == "knob")
    assert knob["plugin"] == "knob_plugin" and knob["summary"] == "Turns the knob on every document."
    plain = copydesk_cli("stages").stdout
    assert any(line.startswith("knob ") and "[knob_plugin" in line for line in plain.splitlines())


def test_stages_unknown_name_suggests(register_plugin, copydesk_cli):
    register_plugin(Knob)
    result = copydesk_cli("stages", "knbo")
    assert result.exit_code == 2
    assert result.stderr.startswith("copydesk: error: no stage 'knbo'; did you mean 'knob'?")
    assert result.stderr.count("\n") == 1
