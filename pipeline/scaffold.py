"""``copydesk new-plugin``: write an installable plugin package from the templates.

The package (for ``NAME`` = ``word-list``)::

    copydesk-word-list/
        pyproject.toml             the ``copydesk`` entry point: word_list = "copydesk_word_list"
        README.md                  install, configure, test
        copydesk_word_list.py      one stage (registered name ``word_list``) and its hook
        tests/test_word_list.py    tests with :mod:`pipeline.testing` fixtures and contract suite

Templates are ``pipeline/templates/plugin/*.tmpl`` (:class:`string.Template`, ``$name``
placeholders), shipped as package data. The directory is written under a temporary name and
renamed into place, so a failure never leaves half a package behind.
"""

from __future__ import annotations

import keyword
import os
import re
import shutil
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from pipeline.errors import CopydeskError
from pipeline.plugins import copydesk_version

__all__ = ["PluginNames", "ScaffoldError", "plugin_names", "registered_names", "scaffold_plugin"]

_NAME = re.compile(r"[a-z][a-z0-9]*(?:[_-][a-z0-9]+)*")

# template file -> path in the package ({module} and {name} are filled in)
_FILES: dict[str, str] = {
    "pyproject.toml.tmpl": "pyproject.toml",
    "README.md.tmpl": "README.md",
    "module.py.tmpl": "{module}.py",
    "test_module.py.tmpl": "tests/test_{name}.py",
}


class ScaffoldError(CopydeskError):
    """The plugin package cannot be written (bad name, target exists, I/O error)."""


@dataclass(frozen=True)
class PluginNames:
    """The names derived from ``NAME``.

    :ivar name: the registered stage name and entry-point name (``word_list``).
    :ivar dist: the distribution and directory name (``copydesk-word-list``).
    :ivar module: the importable module (``copydesk_word_list``).
    :ivar class_name: the stage class (``WordListStage``).
    """

    name: str
    dist: str
    module: str
    class_name: str


def plugin_names(raw: str) -> PluginNames:
    """Derive the package's names from ``raw`` (lower case letters, digits, ``-`` or ``_``).

    A leading ``copydesk-`` or ``copydesk_`` is dropped, so ``copydesk-wordlist`` and
    ``wordlist`` give the same package.

    :raises ScaffoldError: ``raw`` is not such a name.
    """
    base = re.sub(r"^copydesk[-_]", "", raw.strip())
    if not _NAME.fullmatch(base):
        raise ScaffoldError(
            f"plugin name {raw!r} must be lower case letters and digits, words joined by '-' or '_' "
            "(e.g. wordlist, word-list)"
        )
    snake = base.replace("-", "_")
    if not snake.isidentifier() or keyword.iskeyword(snake) or keyword.iskeyword("copydesk_" + snake):
        raise ScaffoldError(f"plugin name {raw!r} does not give a valid Python identifier ({snake!r})")
    return PluginNames(
        name=snake,
        dist="copydesk-" + snake.replace("_", "-"),
        module="copydesk_" + snake,
        class_name="".join(part.capitalize() for part in snake.split("_")) + "Stage",
    )


def _render(names: PluginNames) -> dict[str, str]:
    """Relative path -> file text."""
    major_minor = ".".join(copydesk_version().split(".")[:2])
    if not re.fullmatch(r"\d+\.\d+", major_minor):
        major_minor = "0.1"
    values = {
        "name": names.name, "dist": names.dist, "module": names.module, "class_name": names.class_name,
        "copydesk_major_minor": major_minor,
    }
    folder = resources.files("pipeline").joinpath("templates", "plugin")
    out: dict[str, str] = {}
    for template, target in _FILES.items():
        text = folder.joinpath(template).read_text(encoding="utf-8")
        out[target.format(module=names.module, name=names.name)] = Template(text).substitute(values)
    return out


def registered_names() -> dict[str, str]:
    """Names a new plugin must not take: every registered reader, stage and exporter name and
    every plugin (entry-point) name, each mapped to what holds it (``stage sections``).

    Built-ins are always included; installed plugins when they load.
    """
    from pipeline.errors import CopydeskError
    from pipeline.plugins import make_plugin_manager

    try:
        loaded = make_plugin_manager()
    except CopydeskError:  # a broken third-party plugin: the built-ins still count
        loaded = make_plugin_manager(entry_points=False)
    taken: dict[str, str] = {}
    for kind in ("readers", "stages", "exporters"):
        for name in getattr(loaded.registry, kind):
            taken.setdefault(name, f"{kind[:-1]} {name}")
    for plugin in loaded.info:
        taken.setdefault(plugin, f"plugin {plugin}")
        taken.setdefault(plugin.removeprefix("copydesk.").replace("-", "_"), f"plugin {plugin}")
    return taken


def scaffold_plugin(
    raw_name: str,
    parent: str | os.PathLike[str] = ".",
    *,
    force: bool = False,
    taken: Iterable[str] | dict[str, str] | None = None,
) -> Path:
    """Write a new plugin package named after ``raw_name`` into ``parent``.

    :param raw_name: the plugin name, e.g. ``wordlist`` (see :func:`plugin_names`).
    :param parent: the directory to create the package in (created when missing).
    :param force: replace an existing package directory of the same name.
    :param taken: names already registered (default: :func:`registered_names`); a plugin with
        one of them would make every command fail with a duplicate name.
    :returns: the package directory, ``parent/copydesk-NAME``.
    :raises ScaffoldError: a bad or taken name, a parent that is not a directory, an existing
        target without ``force``, or an I/O error.
    """
    names = plugin_names(raw_name)
    used = registered_names() if taken is None else taken
    if names.name in used:
        held = used[names.name] if isinstance(used, dict) else names.name
        listed = sorted(v for v in used.values() if not v.startswith("plugin ")) if isinstance(used, dict) else []
        raise ScaffoldError(
            f"plugin name {raw_name!r}: {names.name!r} is already registered ({held}); choose another name"
            + (f" (registered: {', '.join(listed)})" if listed else "")
        )
    parent_path = Path(parent)
    if not parent_path.exists():
        try:
            parent_path.mkdir(parents=True)
        except OSError as err:
            raise ScaffoldError(f"cannot create {parent_path}: {err.strerror or err}") from None
    if not parent_path.is_dir():
        raise ScaffoldError(f"{parent_path}: not a directory")
    target = parent_path / names.dist
    if target.exists() and not force:
        raise ScaffoldError(f"{target} already exists; choose another name or use --force")
    files = _render(names)
    tmp: Path | None = None
    try:
        tmp = Path(tempfile.mkdtemp(prefix=f".{names.dist}.", dir=parent_path))
        for rel, text in sorted(files.items()):
            path = tmp / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        tmp.chmod(0o755)
        if target.exists():
            shutil.rmtree(target)
        os.replace(tmp, target)
    except OSError as err:
        if tmp is not None:
            shutil.rmtree(tmp, ignore_errors=True)
        raise ScaffoldError(f"cannot write {target}: {err.strerror or err}") from None
    return target
