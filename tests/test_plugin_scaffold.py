"""``copydesk new-plugin``: the scaffold is an installable package whose stage works end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from pipeline.scaffold import ScaffoldError, plugin_names, scaffold_plugin

pytest_plugins = ["pipeline.testing"]


def copydesk_command() -> list[str]:
    script = Path(sys.executable).with_name("copydesk")
    return [str(script)] if script.exists() else [sys.executable, "-m", "pipeline.cli"]


@pytest.mark.parametrize("raw, name, dist, module, cls", [
    ("wordlist", "wordlist", "copydesk-wordlist", "copydesk_wordlist", "WordlistStage"),
    ("word-list", "word_list", "copydesk-word-list", "copydesk_word_list", "WordListStage"),
    ("copydesk-word_list2", "word_list2", "copydesk-word-list2", "copydesk_word_list2", "WordList2Stage"),
])
def test_plugin_names(raw, name, dist, module, cls):
    names = plugin_names(raw)
    assert (names.name, names.dist, names.module, names.class_name) == (name, dist, module, cls)


@pytest.mark.parametrize("raw", ["", "Word", "2words", "word list", "word--list", "wörd", "../evil"])
def test_bad_plugin_names_are_refused(raw):
    with pytest.raises(ScaffoldError, match="must be lower case letters and digits"):
        plugin_names(raw)


def test_scaffold_writes_the_package(tmp_path):
    target = scaffold_plugin("word-list", tmp_path)
    assert target == tmp_path / "copydesk-word-list"
    files = sorted(str(p.relative_to(target)) for p in target.rglob("*") if p.is_file())
    assert files == ["README.md", "copydesk_word_list.py", "pyproject.toml", "tests/test_word_list.py"]
    pyproject = (target / "pyproject.toml").read_text()
    assert '[project.entry-points.copydesk]\nword_list = "copydesk_word_list"' in pyproject
    assert 'name = "copydesk-word-list"' in pyproject
    module = (target / "copydesk_word_list.py").read_text()
    assert "class WordListStage(Stage):" in module and 'name = "word_list"' in module
    assert "$" not in module + pyproject
    test = (target / "tests" / "test_word_list.py").read_text()
    assert 'pytest_plugins = ["pipeline.testing"]' in test and "check_stage_contract(WordListStage" in test
    compile(module, "module", "exec")
    compile(test, "test", "exec")
    assert [p.name for p in tmp_path.iterdir()] == ["copydesk-word-list"]  # no temporary left behind


def test_scaffold_refuses_an_existing_directory_unless_forced(tmp_path):
    target = scaffold_plugin("wordlist", tmp_path, taken=())
    (target / "README.md").write_text("mine")
    with pytest.raises(ScaffoldError, match="already exists"):
        scaffold_plugin("wordlist", tmp_path, taken=())
    assert (target / "README.md").read_text() == "mine"
    scaffold_plugin("wordlist", tmp_path, force=True, taken=())
    assert (target / "README.md").read_text() != "mine"


def test_new_plugin_command(tmp_path, copydesk_cli):
    result = copydesk_cli("new-plugin", "tagger", "-d", str(tmp_path))
    assert result.exit_code == 0, result.stderr
    assert result.stdout.strip() == str(tmp_path / "copydesk-tagger")
    assert "pip install -e ." in result.stderr
    again = copydesk_cli("new-plugin", "tagger", "-d", str(tmp_path))
    assert again.exit_code == 2 and again.stderr.count("\n") == 1 and "already exists" in again.stderr
    bad = copydesk_cli("new-plugin", "Bad Name", "-d", str(tmp_path))
    assert bad.exit_code == 2 and "must be lower case" in bad.stderr


def test_scaffolded_plugin_installs_and_runs_through_its_entry_point(tmp_path):
    """Scaffold, pip install -e (no deps, no build isolation), run a pipeline with it, uninstall."""
    raw = "scaffold-t" + uuid.uuid4().hex[:8]  # unique: other test runs may share the environment
    names = plugin_names(raw)
    target = scaffold_plugin(raw, tmp_path)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    env.pop("COPYDESK_PLUGINS", None)
    subprocess.run([*pip, "install", "--no-deps", "--no-build-isolation", "-e", str(target)],
                   check=True, capture_output=True, env=env, timeout=300)
    try:
        listed = subprocess.run([*copydesk_command(), "plugins", "--json"], capture_output=True, text=True,
                                env=env, timeout=120)
        assert listed.returncode == 0, listed.stderr
        row = next(p for p in json.loads(listed.stdout)["plugins"] if p["name"] == names.name)
        assert (row["distribution"], row["version"], row["origin"]) == (names.dist, "0.1.0", "entry-point")
        assert [s["name"] for s in row["stages"]] == [names.name]

        (tmp_path / "in.txt").write_text("Notes\n\nGreen tea is brewed cool.\n\nNothing else here.\n", encoding="utf-8")
        config = tmp_path / "pipeline.yaml"
        config.write_text(
            f"stages:\n  - name: sections\n  - name: {names.name}\n    settings: {{words: [tea]}}\n"
            "exporters:\n  - name: json\n", encoding="utf-8")
        out = tmp_path / "out"
        ran = subprocess.run([*copydesk_command(), "run", str(config), str(tmp_path / "in.txt"), "-o", str(out),
                              "--no-cache", "--progress", "none", "-j", "1"],
                             capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
        assert ran.returncode == 0, ran.stderr
        (result,) = out.glob("*.json")
        doc = json.loads(result.read_text(encoding="utf-8"))
        assert [s["name"] for s in doc["stages"]] == ["sections", names.name]
        assert doc["stages"][1]["plugin"] == names.name
        tagged = [s for s in doc["sections"] if names.name in s["tags"]]
        assert tagged and all("tea" in doc["text"][s["start"]:s["end"]] for s in tagged)

        tests = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", str(target)],
                               capture_output=True, text=True, env=env, cwd=target, timeout=300)
        assert tests.returncode == 0, tests.stdout + tests.stderr
        assert "3 passed" in tests.stdout
    finally:
        subprocess.run([*pip, "uninstall", "--yes", names.dist], capture_output=True, env=env, timeout=300)


def test_new_plugin_refuses_registered_and_non_identifier_names(tmp_path, copydesk_cli):
    taken = copydesk_cli("new-plugin", "sections", "-d", str(tmp_path))
    assert taken.exit_code == 2 and taken.stderr.count("\n") == 1
    assert "already registered (stage sections)" in taken.stderr and "reader markdown" in taken.stderr
    assert not list(tmp_path.iterdir())
    with pytest.raises(ScaffoldError, match="already registered"):
        scaffold_plugin("copydesk-themes", tmp_path)
    with pytest.raises(ScaffoldError, match="identifier"):
        plugin_names("import")


def test_new_plugin_creates_a_missing_directory(tmp_path, copydesk_cli):
    result = copydesk_cli("new-plugin", "word-list", "-d", str(tmp_path / "src"))
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "src" / "copydesk-word-list" / "pyproject.toml").is_file()
    (tmp_path / "file").write_text("x")
    with pytest.raises(ScaffoldError, match="not a directory"):
        scaffold_plugin("word-list", tmp_path / "file", taken=())
