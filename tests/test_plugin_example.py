"""The example third-party plugin (examples/copydesk-wordlist), installed the way users install
plugins (``make install-test`` runs ``pip install -e examples/copydesk-wordlist``) and found
through its ``copydesk`` entry point."""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.testing import check_stage_contract

pytest_plugins = ["pipeline.testing"]

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "copydesk-wordlist"


@pytest.fixture(scope="module", autouse=True)
def installed() -> None:
    try:
        md.distribution("copydesk-wordlist")
    except md.PackageNotFoundError:
        pytest.fail("the example plugin is not installed: run `make install-test` "
                    "(or `.venv/bin/pip install -e examples/copydesk-wordlist`)")


def copydesk(*args: str, plugins: str | None = None, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ)
    env.pop("COPYDESK_PLUGINS", None)
    if plugins is not None:
        env["COPYDESK_PLUGINS"] = plugins
    script = Path(sys.executable).with_name("copydesk")
    cmd = [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]
    return subprocess.run([*cmd, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=120)


def plugin_rows(plugins: str | None = None) -> dict[str, dict]:
    result = copydesk("plugins", "--json", plugins=plugins)
    assert result.returncode == 0, result.stderr
    return {row["name"]: row for row in json.loads(result.stdout)["plugins"]}


def test_copydesk_plugins_lists_the_example_from_its_distribution():
    row = plugin_rows()["wordlist"]
    assert (row["distribution"], row["version"], row["origin"]) == ("copydesk-wordlist", "0.1.0", "entry-point")
    assert row["stages"] == [
        {"name": "wordlist", "summary": "Tags each section that mentions a listed word with ``mentions:WORD``."}
    ]


@pytest.mark.parametrize("value, listed", [
    ("none", False), ("", False), ("wordlist", True), ("copydesk-wordlist", True), ("something_else", False),
])
def test_copydesk_plugins_env_var_selects_entry_points(value, listed):
    rows = plugin_rows(plugins=value)
    assert ("wordlist" in rows) is listed
    assert "copydesk.read_text" in rows  # built-ins are always loaded


def test_a_pipeline_uses_the_example_stage(tmp_path):
    (tmp_path / "article.txt").write_text(
        "Morning notes\n\nWe brew coffee every morning.\n\nTea\n\nGreen tea, no coffeehouse.\n", encoding="utf-8")
    (tmp_path / "pipeline.yaml").write_text(
        "stages:\n  - name: sections\n  - name: wordlist\n    settings:\n      words: [coffee]\n"
        "exporters:\n  - name: json\n", encoding="utf-8")
    result = copydesk("run", "pipeline.yaml", "article.txt", "-o", "out", "--no-cache", "--progress", "none",
                      "-j", "1", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    (out,) = (tmp_path / "out").glob("*.json")
    doc = json.loads(out.read_text(encoding="utf-8"))
    assert doc["stages"][-1] == {"name": "wordlist", "plugin": "wordlist", "version": "0.1.0"}
    tagged = [s for s in doc["sections"] if "mentions:coffee" in s["tags"]]
    assert tagged, doc["sections"]
    for s in tagged:
        assert "coffee " in doc["text"][s["start"]:s["end"]]


def test_validate_refuses_the_example_before_sections(tmp_path):
    (tmp_path / "pipeline.yaml").write_text("stages:\n  - name: wordlist\n  - name: sections\n", encoding="utf-8")
    result = copydesk("validate", "pipeline.yaml", cwd=tmp_path)
    assert result.returncode == 2
    errors = [line for line in result.stderr.splitlines() if ": WARNING: " not in line]
    assert errors == ["copydesk: error: pipeline.yaml:2: stages -> 0 -> name: stage 'wordlist' requires "
                      "'sections', which no earlier stage provides; add a stage that provides it before this "
                      "one (sections)"]


def test_config_needing_the_example_when_it_is_disabled(tmp_path):
    (tmp_path / "pipeline.yaml").write_text("stages:\n  - name: sections\n  - name: wordlist\n", encoding="utf-8")
    result = copydesk("validate", "pipeline.yaml", plugins="none", cwd=tmp_path)
    assert result.returncode == 2
    assert "pipeline.yaml:3: stages -> 1 -> name: no stage 'wordlist'" in result.stderr


def test_the_example_keeps_the_stage_contract():
    from copydesk_wordlist import WordlistTagger

    check_stage_contract(WordlistTagger, {"words": ["coffee", "water"]})


def test_the_example_s_own_tests_pass():
    result = subprocess.run([sys.executable, "-m", "pytest", "-o", "addopts=", "-q", "-p", "no:cacheprovider",
                             str(EXAMPLE / "tests")],
                            capture_output=True, text=True, cwd=EXAMPLE, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 passed" in result.stdout
