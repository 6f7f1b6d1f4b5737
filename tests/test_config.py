from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.build import build
from pipeline.errors import ConfigError
from pipeline.yamlload import load_yaml

BASE = """\
plugins: [copydesk_teststages]
inputs: [in]
stages:
  - name: fake_sections
  - name: wordcount
    settings:
      top_k: 5
exporters:
  - name: json
"""


def write(tmp_path: Path, text: str) -> str:
    p = tmp_path / "pipeline.yaml"
    p.write_text(text, encoding="utf-8")
    return str(p)


def error_of(tmp_path: Path, text: str, overrides: list[str] | None = None) -> str:
    with pytest.raises(ConfigError) as info:
        build(write(tmp_path, text), overrides)
    return str(info.value)


def test_valid_config_builds(tmp_path: Path) -> None:
    built = build(write(tmp_path, BASE))
    assert [s.name for s in built.resolved.stages] == ["fake_sections", "wordcount"]
    assert built.resolved.stages[1].settings.top_k == 5  # type: ignore[attr-defined]


def test_wrong_type_names_file_line_and_path(tmp_path: Path) -> None:
    msg = error_of(tmp_path, BASE.replace("top_k: 5", "top_k: many"))
    assert msg.endswith("pipeline.yaml:7: stages -> 1 -> settings -> top_k: Input should be a valid integer")


@pytest.mark.parametrize("value", ["'5'", "true", "5.5"])
def test_values_are_not_coerced_to_the_settings_type(tmp_path: Path, value: str) -> None:
    msg = error_of(tmp_path, BASE.replace("top_k: 5", f"top_k: {value}"))
    assert "stages -> 1 -> settings -> top_k: Input should be a valid integer" in msg


def test_unknown_setting_suggests_the_close_one(tmp_path: Path) -> None:
    msg = error_of(tmp_path, BASE.replace("top_k: 5", "topk: 5"))
    assert "pipeline.yaml:7: stages -> 1 -> settings -> topk" in msg
    assert "did you mean 'top_k'" in msg


def test_unknown_top_level_key(tmp_path: Path) -> None:
    msg = error_of(tmp_path, BASE + "exporter: []\n")
    assert ":10: exporter: unknown key 'exporter'; did you mean 'exporters'?" in msg


def test_unknown_stage_lists_available(tmp_path: Path) -> None:
    msg = error_of(tmp_path, BASE.replace("name: wordcount", "name: wordcont"))
    assert "pipeline.yaml:5: stages -> 1 -> name: no stage 'wordcont'; did you mean 'wordcount'?" in msg
    assert "available:" in msg and "fake_sections" in msg


def test_contract_violation_names_the_provider(tmp_path: Path) -> None:
    text = "plugins: [copydesk_teststages]\nstages:\n  - name: needs_sections\n  - name: fake_sections\n"
    msg = error_of(tmp_path, text)
    assert ":3: stages -> 0 -> name: stage 'needs_sections' requires 'sections'" in msg
    assert "fake_sections" in msg


def test_duplicate_keys_are_rejected(tmp_path: Path) -> None:
    msg = error_of(tmp_path, BASE + "inputs: [other]\n")
    assert "pipeline.yaml:10: duplicate key 'inputs' (first on line 2)" in msg


def test_yaml_syntax_error_has_line_and_column(tmp_path: Path) -> None:
    msg = error_of(tmp_path, "stages: [\n  - name: x\n")
    assert "pipeline.yaml:2:" in msg and "YAML error" in msg


def test_unsafe_tags_are_refused(tmp_path: Path) -> None:
    msg = error_of(tmp_path, "inputs: !!python/object/apply:os.system ['echo hacked']\n")
    assert "could not determine a constructor" in msg


def test_alias_bomb_is_refused_quickly() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    with pytest.raises(ConfigError, match="alias"):
        load_yaml("\n".join(lines) + "\n", "bomb.yaml")


def test_yaml_11_surprises_read_as_meant() -> None:
    data, _ = load_yaml("language: no\nflag: on\nnumber: 010\nyes_bool: true\n")
    assert data == {"language": "no", "flag": "on", "number": 10, "yes_bool": True}


def test_overrides_are_validated_like_the_file(tmp_path: Path) -> None:
    built = build(write(tmp_path, BASE), ["stages.wordcount.top_k=9", "output_dir=elsewhere"])
    assert built.resolved.stages[1].settings.top_k == 9  # type: ignore[attr-defined]
    assert built.resolved.config.output_dir == "elsewhere"
    msg = error_of(tmp_path, BASE, ["stages.wordcount.top_k=lots"])
    assert msg == "--set stages.wordcount.top_k=lots: stages -> 1 -> settings -> top_k: Input should be a valid integer"
    assert error_of(tmp_path, BASE, ["run.workers=0"]).startswith("--set run.workers=0: run -> workers:")
    assert "no stage 'nosuch'" in error_of(tmp_path, BASE, ["stages.nosuch.top_k=1"])


@pytest.mark.parametrize("kind, text, line", [
    ("stage", BASE.replace("exporters:", "  - name: wordcount\nexporters:"), 8),
    ("exporter", BASE + "  - name: json\n", 10),
])
def test_a_stage_or_exporter_listed_twice_names_both_lines(tmp_path: Path, kind: str, text: str, line: int) -> None:
    name, first = ("wordcount", 5) if kind == "stage" else ("json", 9)
    msg = error_of(tmp_path, text)
    assert f"pipeline.yaml:{line}: {kind}s -> " in msg
    assert msg.endswith(f"{kind} {name!r} is listed twice (first on line {first}); each {kind} may appear once")


@pytest.mark.parametrize("override, hint", [
    ("stages.1.settings.top_k=3", "(here: stages.wordcount.top_k=3)"),
    ("stages.wordcount.settings.top_k=3", "(here: stages.wordcount.top_k=3)"),
    ("stages.wordcount=3", "(here: stages.wordcount.SETTING=3)"),
])
def test_a_stage_setting_addressed_by_position_or_path_shows_the_key_meant(
    tmp_path: Path, override: str, hint: str
) -> None:
    msg = error_of(tmp_path, BASE, [override])
    assert msg == (f"--set {override.split('=')[0]}: a stage setting is set as stages.NAME.SETTING=VALUE "
                   f"{hint}; the pipeline's stages: fake_sections, wordcount")
    assert "(stages are addressed by name)" in error_of(tmp_path, BASE, ["stages.1.top_k=3"])


def test_an_empty_output_dir_is_a_config_error(tmp_path: Path) -> None:
    assert error_of(tmp_path, BASE, ["output_dir="]) == (
        "--set output_dir=: output_dir: String should have at least 1 character")


def test_an_unreadable_config_is_one_plain_line(tmp_path: Path) -> None:
    (tmp_path / "dir.yaml").mkdir()
    (tmp_path / "latin1.yaml").write_bytes(b"output_dir: caf\xe9\n")
    for name, why in (("dir.yaml", "Is a directory"), ("missing.yaml", "No such file or directory"),
                      ("latin1.yaml", "not UTF-8 text (invalid continuation byte at byte 15)")):
        with pytest.raises(ConfigError) as info:
            build(str(tmp_path / name))
        assert str(info.value) == f"{tmp_path / name}: cannot read config: {why}"


def test_config_hash_changes_with_settings(tmp_path: Path) -> None:
    a = build(write(tmp_path, BASE)).resolved.config_hash()
    b = build(write(tmp_path, BASE), ["stages.wordcount.top_k=6"]).resolved.config_hash()
    assert a != b and len(a) == 64


def test_plugin_module_that_does_not_import_names_it(tmp_path: Path) -> None:
    msg = error_of(tmp_path, "plugins:\n  - no_such_module_xyz\n")
    assert "pipeline.yaml:2: plugin no_such_module_xyz failed to load: ModuleNotFoundError" in msg


def test_embedded_default_pipeline_is_valid_yaml() -> None:
    from pipeline.config import load_config

    loaded = load_config(None)
    assert [s["name"] for s in loaded.data["stages"]] == ["sections", "themes"]
    assert loaded.data["output_dir"] == "outputs"
