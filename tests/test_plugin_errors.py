"""Broken plugins through the CLI: one line, exit status 2, never a traceback.

Registration mistakes come from modules listed under ``plugins:`` in a config, run in a
subprocess exactly as a user would (``python -m pipeline.cli validate``). Import failures of
entry-point plugins are simulated in-process by replacing the entry-point listing.
"""

from __future__ import annotations

import importlib.metadata as md
import json
import logging
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from pipeline import plugins as plugins_module

pytest_plugins = ["pipeline.testing"]

STAGE = '''
from pydantic import BaseModel, ConfigDict
from pipeline import Document, Stage, hookimpl

class Twin(Stage):
    """A stage named twin."""
    name = "twin"
    def process(self, doc: Document) -> Document:
        return doc
'''

MODULES = {
    "badhook": "from pipeline import hookimpl\n@hookimpl\ndef register_stage(register):\n    pass\n",
    "badarg": "from pipeline import hookimpl\n@hookimpl\ndef register_stages(register, extra):\n    pass\n",
    "nosettings": STAGE.replace('name = "twin"', 'name = "nosettings"\n    Settings = None')
    + "@hookimpl\ndef register_stages(register):\n    register(Twin)\n",
    "dataclass_settings": STAGE.replace('name = "twin"', 'name = "dcs"\n    Settings = dict')
    + "@hookimpl\ndef register_stages(register):\n    register(Twin)\n",
    "dup_a": STAGE + "@hookimpl\ndef register_stages(register):\n    register(Twin)\n",
    "dup_b": STAGE + "@hookimpl\ndef register_stages(register):\n    register(Twin)\n",
    "takes_sections": STAGE.replace('name = "twin"', 'name = "sections"')
    + "@hookimpl\ndef register_stages(register):\n    register(Twin)\n",
    "raiser": "from pipeline import hookimpl\n@hookimpl\ndef register_stages(register):\n    {}['missing']\n",
    "wrongkind": STAGE + "@hookimpl\ndef register_readers(register):\n    register(Twin)\n",
    "explodes_on_import": "raise RuntimeError('plugin import went wrong')\n",
    "initboom": STAGE.replace('name = "twin"', 'name = "initboom"\n    def __init__(self, settings=None):\n'
                              '        super().__init__(settings)\n        open("/nonexistent/model.bin")')
    + "@hookimpl\ndef register_stages(register):\n    register(Twin)\n",
    "spaced": STAGE.replace('name = "twin"', 'name = "has space"')
    + "@hookimpl\ndef register_stages(register):\n    register(Twin)\n",
    "dotted": STAGE.replace('name = "twin"', 'name = "my.stage"')
    + "@hookimpl\ndef register_stages(register):\n    register(Twin)\n",
    "noprocess": STAGE.replace('name = "twin"', 'name = "noprocess"').split("    def process")[0]
    + "@hookimpl\ndef register_stages(register):\n    register(Twin)\n",
}


@pytest.fixture
def plugin_dir(tmp_path: Path) -> Path:
    for name, source in MODULES.items():
        (tmp_path / f"{name}.py").write_text(source, encoding="utf-8")
    return tmp_path


def validate(plugin_dir: Path, config: str, *args: str, command: str = "validate") -> subprocess.CompletedProcess[str]:
    cfg = plugin_dir / "pipeline.yaml"
    cfg.write_text(textwrap.dedent(config), encoding="utf-8")
    env = {**os.environ, "PYTHONPATH": str(plugin_dir) + os.pathsep + os.environ.get("PYTHONPATH", ""),
           "COPYDESK_PLUGINS": "none"}
    return subprocess.run([sys.executable, "-m", "pipeline.cli", command, str(cfg), *args],
                          capture_output=True, text=True, env=env, cwd=plugin_dir, timeout=120)


def one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    """The single error line of a failed command (warnings about other plugins aside)."""
    assert result.returncode == 2, result.stderr
    assert "Traceback" not in result.stderr
    lines = [line for line in result.stderr.splitlines() if ": WARNING: " not in line]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("copydesk: error: ")
    return lines[0]


def test_unknown_hook_name(plugin_dir):
    line = one_error_line(validate(plugin_dir, "plugins: [badhook]\n"))
    assert line.endswith("plugin badhook: unknown hook 'register_stage'; did you mean 'register_stages'?")


def test_unknown_hook_argument(plugin_dir):
    line = one_error_line(validate(plugin_dir, "plugins: [badarg]\n"))
    assert "plugin badarg: hook register_stages(register, extra): argument 'extra' not offered" in line
    assert line.endswith("by the hook spec register_stages(register)")


@pytest.mark.parametrize("module, stage", [("nosettings", "nosettings"), ("dataclass_settings", "dcs")])
def test_stage_without_a_settings_model(plugin_dir, module, stage):
    line = one_error_line(validate(plugin_dir, f"plugins: [{module}]\n"))
    assert line.endswith(f"plugin {module}: stage {stage!r} has no Settings model (a pydantic BaseModel)")


def test_duplicate_stage_name_names_both_plugins(plugin_dir):
    line = one_error_line(validate(plugin_dir, "plugins: [dup_a, dup_b]\n"))
    assert line.endswith("duplicate stage name 'twin': registered by both dup_a and dup_b")


def test_taking_a_built_in_stage_name_names_the_built_in(plugin_dir):
    line = one_error_line(validate(plugin_dir, "plugins: [takes_sections]\n"))
    assert "duplicate stage name 'sections'" in line
    assert "copydesk.sections" in line and "takes_sections" in line


def test_register_hook_that_raises(plugin_dir):
    line = one_error_line(validate(plugin_dir, "plugins: [raiser]\n"))
    assert line.endswith("plugin raiser: register_stages raised KeyError: 'missing'")


def test_registering_a_stage_as_a_reader(plugin_dir):
    line = one_error_line(validate(plugin_dir, "plugins: [wrongkind]\n"))
    assert "plugin wrongkind:" in line and "is not a Reader subclass" in line


@pytest.mark.parametrize("command", ["validate", "run"])
def test_stage_whose_constructor_raises_is_one_line_naming_stage_plugin_and_line(plugin_dir, command):
    (plugin_dir / "in.txt").write_text("Some text.\n", encoding="utf-8")
    args = ("in.txt", "-o", "out") if command == "run" else ()
    result = validate(plugin_dir, "plugins: [initboom]\nstages:\n  - name: initboom\n", *args, command=command)
    line = one_error_line(result)
    assert line.endswith("pipeline.yaml:3: stages -> 0: stage 'initboom' (plugin initboom) failed to start: "
                         "FileNotFoundError: [Errno 2] No such file or directory: '/nonexistent/model.bin'")
    assert not (plugin_dir / "out").exists()


@pytest.mark.parametrize("module, name", [("spaced", "has space"), ("dotted", "my.stage")])
def test_a_stage_name_configs_cannot_address_is_refused_at_registration(plugin_dir, module, name):
    line = one_error_line(validate(plugin_dir, f"plugins: [{module}]\n"))
    assert line.endswith(f"plugin {module}: stage name {name!r} (Twin) must be letters, digits, '_' or '-', "
                         "starting with a letter or '_' (configs and --set stages.NAME.SETTING=VALUE name it)")


def test_stage_without_process_is_refused_at_registration(plugin_dir):
    line = one_error_line(validate(plugin_dir, "plugins: [noprocess]\nstages:\n  - name: noprocess\n"))
    assert line.endswith("plugin noprocess: stage 'noprocess' (Twin) does not define process()")


def test_config_listed_module_that_fails_to_import_names_the_line_and_error(plugin_dir):
    line = one_error_line(validate(plugin_dir, "stages: []\nplugins:\n  - dup_a\n  - explodes_on_import\n"))
    assert "pipeline.yaml:4: plugin explodes_on_import failed to load: RuntimeError: plugin import went wrong" in line


def test_config_listed_module_that_does_not_exist(plugin_dir):
    line = one_error_line(validate(plugin_dir, "plugins: [no_such_plugin_module]\n"))
    assert "plugin no_such_plugin_module failed to load: ModuleNotFoundError" in line


def test_a_good_config_listed_plugin_validates(plugin_dir):
    result = validate(plugin_dir, "plugins: [dup_a]\nstages:\n  - name: twin\n")
    assert result.returncode == 0, result.stderr
    assert "ok (twin;" in result.stdout


# --- entry points that fail to import (in-process, with a fake entry-point listing) ---------


@pytest.fixture
def broken_entry_point(monkeypatch, tmp_path):
    """Installed entry points plus ``broken`` (its module does not exist) and ``misregisters``."""
    (tmp_path / "misregisters_plugin.py").write_text(MODULES["badhook"], encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    real = md.entry_points
    fakes = [md.EntryPoint("broken", "copydesk_no_such_module_for_tests", "copydesk")]

    def entry_points(**kwargs):
        found = list(real(**kwargs))
        return found + fakes if kwargs.get("group") == "copydesk" else found

    monkeypatch.setattr(plugins_module.md, "entry_points", entry_points)
    monkeypatch.delenv("COPYDESK_PLUGINS", raising=False)
    return fakes


def test_broken_entry_point_is_a_warning_and_plugins_still_lists(broken_entry_point, copydesk_cli, caplog):
    caplog.set_level(logging.WARNING)
    result = copydesk_cli("plugins", "--json")
    assert result.exit_code == 0
    failed = json.loads(result.stdout)["failed"]
    assert failed["broken"].startswith("ModuleNotFoundError: No module named 'copydesk_no_such_module_for_tests'")
    assert any("plugin broken" in r.getMessage() and "failed to import" in r.getMessage() for r in caplog.records)


def test_broken_entry_point_does_not_block_a_run_that_does_not_use_it(broken_entry_point, copydesk_cli, tmp_path):
    cfg = tmp_path / "pipeline.yaml"
    cfg.write_text("stages:\n  - name: sections\n", encoding="utf-8")
    result = copydesk_cli("validate", str(cfg))
    assert result.exit_code == 0, result.stderr


def test_config_using_a_stage_of_a_broken_entry_point_exits_2_naming_it(broken_entry_point, copydesk_cli, tmp_path):
    cfg = tmp_path / "pipeline.yaml"
    cfg.write_text("stages:\n  - name: sections\n  - name: broken\n", encoding="utf-8")
    result = copydesk_cli("validate", str(cfg))
    assert result.exit_code == 2
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.stderr
    assert "no stage 'broken'" in result.stderr
    assert "plugins that failed to load: broken" in result.stderr


def test_config_using_a_broken_entry_point_shows_its_import_error(broken_entry_point, copydesk_cli, tmp_path):
    cfg = tmp_path / "pipeline.yaml"
    cfg.write_text("stages:\n  - name: broken\n", encoding="utf-8")
    result = copydesk_cli("validate", str(cfg))
    assert "ModuleNotFoundError" in result.stderr


def test_entry_point_that_misregisters_exits_2_with_the_way_out(broken_entry_point, copydesk_cli, tmp_path):
    broken_entry_point.append(md.EntryPoint("misregisters", "misregisters_plugin", "copydesk"))
    cfg = tmp_path / "pipeline.yaml"
    cfg.write_text("stages:\n  - name: sections\n", encoding="utf-8")
    result = copydesk_cli("validate", str(cfg))
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line
    assert "plugin misregisters: unknown hook 'register_stage'" in line
    assert "COPYDESK_PLUGINS=none" in line


class _Dist:
    name = "copydesk-dup-sections"
    version = "1.2.3"


class _EntryPoint:
    """An entry point of a fake distribution (``md.EntryPoint`` has no distribution)."""

    def __init__(self, name: str, module: str) -> None:
        self.name, self.module, self.dist = name, module, _Dist()

    def load(self) -> object:
        import importlib

        return importlib.import_module(self.module)


@pytest.mark.parametrize("module", ["misregisters", "takes_sections"])
def test_plugins_lists_what_loaded_and_names_the_plugin_that_cannot_register(
    broken_entry_point, copydesk_cli, tmp_path, module
):
    (tmp_path / f"{module}_ep.py").write_text(MODULES["badhook" if module == "misregisters" else module])
    broken_entry_point.append(_EntryPoint("dupe", f"{module}_ep"))
    result = copydesk_cli("plugins", "--json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    names = {p["name"] for p in data["plugins"]}
    assert "copydesk.sections" in names and "dupe" not in names
    failed = data["failed"]["dupe"]
    assert "copydesk-dup-sections" in failed and "COPYDESK_PLUGINS=none" in failed
    assert "broken" in data["failed"]  # the import failure is still listed
    warning = [line for line in result.stderr.splitlines() if "dupe" in line]
    assert len(warning) == 1 and "copydesk-dup-sections" in warning[0]
    table = copydesk_cli("plugins")
    assert table.exit_code == 0 and "copydesk-dup-sections" in table.stdout + table.stderr


def test_copydesk_plugins_none_skips_every_entry_point(broken_entry_point, copydesk_cli, monkeypatch):
    monkeypatch.setenv("COPYDESK_PLUGINS", "none")
    loaded = plugins_module.make_plugin_manager()
    assert "broken" not in loaded.failures
    assert all(info.origin != "entry-point" for info in loaded.info.values())


def test_copydesk_plugins_lists_only_the_named(broken_entry_point, monkeypatch, caplog):
    caplog.set_level(logging.WARNING)
    monkeypatch.setenv("COPYDESK_PLUGINS", "broken, not_installed_anywhere")
    loaded = plugins_module.make_plugin_manager()
    assert {n for n in loaded.failures if not n.startswith("copydesk.")} == {"broken"}
    assert all(info.origin != "entry-point" for info in loaded.info.values())
    assert any("not_installed_anywhere" in r.getMessage() for r in caplog.records)


def test_installed_plugin_duplicating_a_built_in_name_names_its_distribution(
    broken_entry_point, copydesk_cli, tmp_path
):
    (tmp_path / "takes_sections_ep.py").write_text(MODULES["takes_sections"])
    broken_entry_point.append(_EntryPoint("dupe", "takes_sections_ep"))
    cfg = tmp_path / "pipeline.yaml"
    cfg.write_text("stages:\n  - name: sections\n", encoding="utf-8")
    result = copydesk_cli("validate", str(cfg))
    assert result.exit_code == 2
    line = result.stderr.strip()
    assert "\n" not in line
    assert "duplicate stage name 'sections'" in line
    assert "dupe from distribution copydesk-dup-sections" in line and "COPYDESK_PLUGINS=none" in line
