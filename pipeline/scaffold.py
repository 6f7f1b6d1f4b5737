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

import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from string import Template

from pipeline.errors import CopydeskError
from pipeline.plugins import copydesk_version

__all__ = ["PluginNames", "ScaffoldError", "plugin_names", "scaffold_plugin"]

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


def scaffold_plugin(raw_name: str, parent: str | os.PathLike[str] = ".", *, force: bool = False) -> Path:
    """Write a new plugin package named after ``raw_name`` into ``parent``.

    :param raw_name: the plugin name, e.g. ``wordlist`` (see :func:`plugin_names`).
    :param parent: the directory to create the package in (must exist).
    :param force: replace an existing package directory of the same name.
    :returns: the package directory, ``parent/copydesk-NAME``.
    :raises ScaffoldError: a bad name, a missing parent, an existing target without ``force``,
        or an I/O error.
    """
    names = plugin_names(raw_name)
    parent_path = Path(parent)
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
