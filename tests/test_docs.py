"""docs/plugins.md and the code keep each other honest (datasette's tests/test_docs.py pattern).

Every hook spec in :mod:`pipeline.hookspecs` has a reference heading with its exact signature
and a test of its own in ``tests/test_hooks.py``; the tutorial shows the example plugin's files
exactly as they are in ``examples/copydesk-wordlist``.
"""

from __future__ import annotations

import ast
import inspect
import re
from pathlib import Path

import pytest

from pipeline import hookspecs, testing

ROOT = Path(__file__).resolve().parents[1]
DOC = (ROOT / "docs" / "plugins.md").read_text(encoding="utf-8")
HOOKS_TESTS = ROOT / "tests" / "test_hooks.py"
EXAMPLE = ROOT / "examples" / "copydesk-wordlist"


def hook_specs() -> dict[str, object]:
    """Every function marked ``@hookspec`` in pipeline.hookspecs, by name."""
    marker = hookspecs.PROJECT + "_spec"
    return {n: f for n, f in vars(hookspecs).items() if callable(f) and getattr(f, marker, None) is not None}


SPECS = hook_specs()


def reference_section() -> str:
    return DOC.split("## Hook reference", 1)[1]


def typed_signature(name: str) -> str:
    """``def name(a: T, ...) -> R`` exactly as written in hookspecs.py (annotations are strings)."""
    sig = inspect.signature(SPECS[name])  # type: ignore[arg-type]
    params = ", ".join(f"{p.name}: {p.annotation}" for p in sig.parameters.values())
    return f"def {name}({params}) -> {sig.return_annotation}"


def test_the_hook_specs_are_found():
    assert {"register_readers", "register_stages", "register_exporters"} <= set(SPECS)


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_hook_spec_has_a_reference_heading(name):
    argnames = ", ".join(inspect.signature(SPECS[name]).parameters)  # type: ignore[arg-type]
    heading = f"### {name}({argnames})"
    assert heading in reference_section().splitlines(), f"docs/plugins.md lacks the heading {heading!r}"


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_hook_spec_has_its_exact_typed_signature(name):
    assert typed_signature(name) in reference_section(), f"docs/plugins.md lacks {typed_signature(name)!r}"


def test_every_documented_hook_is_a_hook_spec():
    documented = re.findall(r"^### (\w+)\(", reference_section(), flags=re.M)
    assert documented, "no hook headings found"
    assert sorted(set(documented) - set(SPECS)) == [], "docs describe hooks that do not exist"
    assert len(documented) == len(set(documented)), "a hook is documented twice"


def _hook_test_names() -> set[str]:
    tree = ast.parse(HOOKS_TESTS.read_text(encoding="utf-8"))
    return {n.name for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) and n.name.startswith("test_hook_")}


@pytest.mark.parametrize("name", sorted(SPECS))
def test_every_hook_spec_has_a_test_in_test_hooks(name):
    tests = _hook_test_names()
    assert any(t == f"test_hook_{name}" or t.startswith(f"test_hook_{name}_") for t in tests), (
        f"tests/test_hooks.py has no test_hook_{name}"
    )


def _code_blocks(text: str, lang: str) -> list[str]:
    return [m.group(1) for m in re.finditer(rf"^```{lang}\n(.*?)^```$", text, flags=re.M | re.S)]


@pytest.mark.parametrize("rel", ["copydesk_wordlist.py", "pyproject.toml", "tests/test_wordlist.py"])
def test_the_tutorial_shows_the_example_files_verbatim(rel):
    text = (EXAMPLE / rel).read_text(encoding="utf-8").rstrip("\n") + "\n"
    blocks = _code_blocks(DOC.split("## Hook reference", 1)[0], "(?:python|toml)")
    assert text in blocks, f"the tutorial's copy of examples/copydesk-wordlist/{rel} is out of date"


def test_python_examples_compile():
    blocks = _code_blocks(DOC, "python")
    assert len(blocks) >= 6
    for block in blocks:
        if block.lstrip().startswith("def ") and block.rstrip().endswith(("None", ")")) and "\n" not in block.strip():
            block = block.rstrip("\n") + ": ...\n"  # a bare signature line
        compile(block, "docs/plugins.md", "exec")


@pytest.mark.parametrize("fixture", ["make_document", "run_stage", "run_pipeline", "register_plugin", "copydesk_cli"])
def test_every_fixture_is_documented(fixture):
    assert hasattr(testing, fixture)
    assert f"`{fixture}(" in DOC


def test_the_commands_in_the_docs_exist():
    from pipeline.cli import main

    shell = "\n".join(_code_blocks(DOC, "sh"))
    commands = set(re.findall(r"^copydesk ([a-z-]+)", shell, flags=re.M))
    assert {"plugins", "stages", "new-plugin", "validate", "run"} <= commands
    for command in commands:
        assert command in main.commands, f"docs/plugins.md uses `copydesk {command}`, which does not exist"


def test_the_tutorial_creates_the_readme_its_pyproject_names():
    tutorial = DOC.split("## Hook reference", 1)[0]
    assert 'readme = "README.md"' in tutorial
    assert "> README.md" in tutorial.split("### 3.", 1)[0]


def test_the_tutorial_installs_pytest_before_running_it():
    step5 = DOC.split("### 5.", 1)[1].split("### 6.", 1)[0]
    assert "pip install pytest" in step5 and step5.index("pip install pytest") < step5.index("\npytest")


def test_make_document_is_described_as_what_it_does():
    row = next(line for line in DOC.splitlines() if line.startswith("| `make_document("))
    assert 'metadata["title"]' in row and "no stage records" in row


def test_the_tutorial_creates_the_inputs_its_config_lists_before_validating():
    """``copydesk validate`` refuses listed inputs that do not exist: the tutorial must create
    each one (``mkdir``) before its first ``copydesk validate`` or ``copydesk run``."""
    import yaml

    tutorial = DOC.split("## Hook reference", 1)[0]
    configs = [yaml.safe_load(block) for block in _code_blocks(tutorial, "yaml")]
    inputs = [i for c in configs if isinstance(c, dict) for i in c.get("inputs", []) if i != "-"]
    assert inputs, "the tutorial's config lists no inputs"
    first_use = re.search(r"^copydesk (validate|run)\b", tutorial, flags=re.M)
    assert first_use is not None
    shell_before = "\n".join(_code_blocks(tutorial[:first_use.start()] + "```\n", "sh"))
    for name in inputs:
        assert re.search(rf"^mkdir (-p )?(\S+ )*{re.escape(name)}(/|\s|$)", shell_before, flags=re.M), (
            f"docs/plugins.md validates a config listing {name!r} before creating it"
        )
